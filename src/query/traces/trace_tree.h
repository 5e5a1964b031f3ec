// The span tree of one trace, built from its spans in any order, complete or not.
//
// Contract:
// - Every input span has a node, addressed by its input index. Children are listed in start
//   order (start time, then span id, then input index), so the tree is the same for any
//   permutation of the same spans apart from how exact duplicates are resolved.
// - Roots are spans without a parent id. A span whose parent id names no span of the input is
//   an ORPHAN: flagged and attached as an extra root (the trace is partial: the parent was
//   dropped, sampled out, or has not arrived yet).
// - A span id that occurs more than once: the first occurrence (lowest input index) is kept;
//   the later ones are flagged `duplicate`, point at the kept one, and stay out of the tree
//   (no parent, no children, not a root, not in preorder()).
// - Parent links that form a CYCLE (A→B→A, or a span that is its own parent) are broken: on
//   every cycle the span with the earliest (start, span id, input index) loses its parent link
//   and becomes a root flagged `cycle_root`; every span of the cycle is flagged `in_cycle`.
//   The choice depends only on the spans, not on their order.
// - Roots are listed as: genuine roots, then orphans, then cycle roots, each in start order.
// - Depths and the preorder are computed with explicit stacks, never recursion: a chain of any
//   depth is fine. Building is O(n log n) time and O(n) memory.
// - Up to 2^32 - 2 spans (indexes are 32-bit).
//
// Thread-safety: an immutable value once built; concurrent reads are fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "storage/span_record.h"

namespace vigil {

// "No span": the parent of a root, the `duplicate_of` of a kept span.
inline constexpr uint32_t kNoSpan = std::numeric_limits<uint32_t>::max();

struct TraceTreeNode {
  uint32_t parent = kNoSpan;  // input index of the parent in the tree; kNoSpan for roots
  uint32_t depth = 0;         // 0 for roots; 0 for duplicates (not in the tree)
  uint32_t first_child = 0;   // into the tree's child list; see TraceTree::children()
  uint32_t num_children = 0;
  uint32_t duplicate_of = kNoSpan;  // for a duplicate, the input index of the span kept
  bool orphan = false;              // parent id set but absent: attached as a root
  bool in_cycle = false;            // on a cycle of parent links
  bool cycle_root = false;          // the span whose parent link was cut to break its cycle
  bool duplicate = false;           // repeats an earlier span's id: left out of the tree

  bool in_tree() const { return !duplicate; }
  bool is_root() const { return !duplicate && parent == kNoSpan; }
};

class TraceTree {
 public:
  TraceTree() = default;

  static TraceTree Build(std::span<const Span> spans);

  // One node per input span.
  size_t size() const { return nodes_.size(); }
  const TraceTreeNode& node(uint32_t i) const { return nodes_[i]; }
  std::span<const TraceTreeNode> nodes() const { return nodes_; }
  // The children of span `i` in start order.
  std::span<const uint32_t> children(uint32_t i) const {
    return std::span<const uint32_t>(child_list_)
        .subspan(nodes_[i].first_child, nodes_[i].num_children);
  }
  // All children lists back to back (node.first_child indexes into it).
  std::span<const uint32_t> child_list() const { return child_list_; }
  // Genuine roots, then orphans, then cycle roots, each group in start order.
  std::span<const uint32_t> roots() const { return roots_; }
  // Every span in the tree (duplicates left out), depth first: each root followed by its
  // subtree, children in start order. A parent always comes before its children.
  std::span<const uint32_t> preorder() const { return preorder_; }

  uint32_t max_depth() const { return max_depth_; }
  size_t tree_size() const { return preorder_.size(); }  // size() minus duplicates
  size_t duplicate_count() const { return duplicate_count_; }
  size_t orphan_count() const { return orphan_count_; }
  size_t cycle_count() const { return cycle_count_; }            // cycles broken
  size_t cycle_span_count() const { return cycle_span_count_; }  // spans flagged in_cycle

 private:
  std::vector<TraceTreeNode> nodes_;
  std::vector<uint32_t> child_list_;
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> preorder_;
  uint32_t max_depth_ = 0;
  size_t duplicate_count_ = 0;
  size_t orphan_count_ = 0;
  size_t cycle_count_ = 0;
  size_t cycle_span_count_ = 0;
};

}  // namespace vigil
