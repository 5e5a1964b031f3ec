#include "query/traces/trace_tree.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"

namespace vigil {
namespace {

// The start order used for children, roots and cycle breaking: independent of input order
// except between exact duplicates, which never reach it.
struct StartOrder {
  std::span<const Span> spans;
  bool operator()(uint32_t a, uint32_t b) const {
    const Span& x = spans[a];
    const Span& y = spans[b];
    return std::tie(x.start_ns, x.span_id, a) < std::tie(y.start_ns, y.span_id, b);
  }
};

// Root groups, in the order roots() lists them.
int RootGroup(const TraceTreeNode& n) {
  if (n.cycle_root) return 2;
  if (n.orphan) return 1;
  return 0;
}

}  // namespace

TraceTree TraceTree::Build(std::span<const Span> spans) {
  TraceTree tree;
  const size_t n = std::min<size_t>(spans.size(), kNoSpan - 1);
  spans = spans.first(n);
  tree.nodes_.resize(n);
  std::vector<TraceTreeNode>& nodes = tree.nodes_;
  const StartOrder by_start{spans};

  // Span id -> first index holding it.
  absl::flat_hash_map<SpanId, uint32_t> index;
  index.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    auto [it, inserted] = index.try_emplace(spans[i].span_id, i);
    if (!inserted) {
      nodes[i].duplicate = true;
      nodes[i].duplicate_of = it->second;
      ++tree.duplicate_count_;
    }
  }

  // Parent links; orphans become roots.
  for (uint32_t i = 0; i < n; ++i) {
    if (nodes[i].duplicate || spans[i].parent_span_id == 0) continue;
    auto it = index.find(spans[i].parent_span_id);
    if (it == index.end()) {
      nodes[i].orphan = true;
      ++tree.orphan_count_;
    } else {
      nodes[i].parent = it->second;  // may be i itself: a cycle of one, cut below
    }
  }

  // Cycles. Each span has at most one parent, so walking up from every unvisited span finds
  // each cycle exactly once: the walk stamps the spans it passes with its own number, and
  // meeting its own stamp again means it went round a cycle. Every span is walked over once.
  {
    std::vector<uint32_t> walk_of(n, 0);
    uint32_t walk = 0;
    for (uint32_t s = 0; s < n; ++s) {
      if (nodes[s].duplicate || walk_of[s] != 0) continue;
      ++walk;
      uint32_t v = s;
      while (v != kNoSpan && walk_of[v] == 0) {
        walk_of[v] = walk;
        v = nodes[v].parent;
      }
      if (v == kNoSpan || walk_of[v] != walk) continue;  // reached a root or an earlier walk
      uint32_t cut = v;
      uint32_t u = v;
      do {
        nodes[u].in_cycle = true;
        ++tree.cycle_span_count_;
        if (by_start(u, cut)) cut = u;
        u = nodes[u].parent;
      } while (u != v);
      nodes[cut].parent = kNoSpan;
      nodes[cut].cycle_root = true;
      ++tree.cycle_count_;
    }
  }

  // Children lists: count, place, sort each list by start.
  for (uint32_t i = 0; i < n; ++i) {
    if (nodes[i].duplicate) continue;
    if (nodes[i].parent == kNoSpan) {
      tree.roots_.push_back(i);
    } else {
      ++nodes[nodes[i].parent].num_children;
    }
  }
  uint32_t offset = 0;
  for (uint32_t i = 0; i < n; ++i) {
    nodes[i].first_child = offset;
    offset += nodes[i].num_children;
    nodes[i].num_children = 0;  // refilled below
  }
  tree.child_list_.resize(offset);
  for (uint32_t i = 0; i < n; ++i) {
    if (nodes[i].duplicate || nodes[i].parent == kNoSpan) continue;
    TraceTreeNode& p = nodes[nodes[i].parent];
    tree.child_list_[p.first_child + p.num_children++] = i;
  }
  for (uint32_t i = 0; i < n; ++i) {
    auto first = tree.child_list_.begin() + nodes[i].first_child;
    std::sort(first, first + nodes[i].num_children, by_start);
  }
  std::sort(tree.roots_.begin(), tree.roots_.end(), [&](uint32_t a, uint32_t b) {
    const int ga = RootGroup(nodes[a]);
    const int gb = RootGroup(nodes[b]);
    if (ga != gb) return ga < gb;
    return by_start(a, b);
  });

  // Preorder and depths with an explicit stack (chains may be as deep as the trace is long).
  tree.preorder_.reserve(n - tree.duplicate_count_);
  std::vector<uint32_t> stack;
  stack.reserve(64);
  for (auto r = tree.roots_.rbegin(); r != tree.roots_.rend(); ++r) stack.push_back(*r);
  while (!stack.empty()) {
    const uint32_t v = stack.back();
    stack.pop_back();
    tree.preorder_.push_back(v);
    tree.max_depth_ = std::max(tree.max_depth_, nodes[v].depth);
    const std::span<const uint32_t> kids = tree.children(v);
    for (auto c = kids.rbegin(); c != kids.rend(); ++c) {
      nodes[*c].depth = nodes[v].depth + 1;
      stack.push_back(*c);
    }
  }
  return tree;
}

}  // namespace vigil
