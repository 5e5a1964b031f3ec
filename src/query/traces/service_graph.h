// The service dependency graph derived from span rows (TracesStore::ScanSpans batches).
//
// Contract:
// - An edge client → server is counted for every span whose parent span (same trace) belongs
//   to a different service: client = the parent's service, server = the span's. Per edge:
//   calls, errors (the CHILD span's status is error), and p50/p95/p99 of the child spans'
//   durations.
// - Parents may arrive in any later batch: every span seen is remembered as
//   (trace id, span id) → service; a child whose parent has not been seen yet waits in a
//   pending list resolved at Finish. Children whose parent never shows up form no edge and
//   are counted in unresolved_parents().
// - A (trace id, span id) seen again is ignored (the store may hold a span twice).
// - Nodes (one per service seen): spans, calls = spans of kind server plus root spans (no
//   parent id), errors among those calls, and the p95 of their durations.
// - Quantiles are EXACT: every duration is kept (8 bytes per call) and the quantile is the
//   nearest rank, the smallest value with at least q of all values at or below it. Memory is
//   therefore linear in the spans scanned (plus ~24 bytes per span for the parent lookup); the
//   caller bounds it through the scan's time range.
// - Durations: end - start, 0 when end is not after start, saturating.
// - Finish returns edges sorted by (client, server) and, on request, nodes sorted by name, and
//   leaves the builder empty.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/string_arena.h"
#include "common/string_view_hash.h"
#include "storage/span_record.h"
#include "storage/traces_store.h"

namespace vigil {

struct ServiceEdge {
  std::string client;
  std::string server;
  uint64_t calls = 0;
  uint64_t errors = 0;
  int64_t p50_ns = 0;
  int64_t p95_ns = 0;
  int64_t p99_ns = 0;
  friend bool operator==(const ServiceEdge&, const ServiceEdge&) = default;
};

struct ServiceNode {
  std::string service;
  uint64_t spans = 0;
  uint64_t calls = 0;   // server spans and root spans
  uint64_t errors = 0;  // among calls
  int64_t p95_ns = 0;   // of calls
  friend bool operator==(const ServiceNode&, const ServiceNode&) = default;
};

// The nearest-rank quantile of `values` (reordered in place); 0 when empty. q in [0, 1].
int64_t NearestRankQuantile(std::vector<int64_t>* values, double q);

class ServiceGraphBuilder {
 public:
  void Add(std::span<const SpanRow> rows);
  // Edges sorted by (client, server); nodes (when asked for) sorted by service name.
  std::vector<ServiceEdge> Finish(std::vector<ServiceNode>* nodes = nullptr);

  size_t pending() const { return pending_.size(); }
  // After Finish: children whose parent never showed up.
  size_t unresolved_parents() const { return unresolved_parents_; }

 private:
  struct SpanKey {
    TraceId trace_id;
    SpanId span_id = 0;
    friend bool operator==(const SpanKey&, const SpanKey&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const SpanKey& k) {
      return H::combine(std::move(h), k.trace_id, k.span_id);
    }
  };
  struct Pending {
    SpanKey parent;
    uint32_t service = 0;
    bool error = false;
    int64_t duration_ns = 0;
  };
  struct EdgeStats {
    uint64_t errors = 0;
    std::vector<int64_t> durations;
  };
  struct NodeStats {
    uint64_t spans = 0;
    uint64_t errors = 0;
    std::vector<int64_t> call_durations;
  };

  uint32_t InternService(std::string_view name);
  void AddEdge(uint32_t client, uint32_t server, bool error, int64_t duration_ns);

  StringArena names_arena_;
  StringViewMap<uint32_t> service_index_;  // views into names_arena_
  std::vector<std::string_view> service_names_;
  std::vector<NodeStats> nodes_;  // by service id
  absl::flat_hash_map<SpanKey, uint32_t> span_service_;
  absl::flat_hash_map<uint64_t, EdgeStats> edges_;  // key: client << 32 | server
  std::vector<Pending> pending_;
  size_t unresolved_parents_ = 0;
};

}  // namespace vigil
