// Trace-level summaries (what a trace search lists) built from the light span rows a
// TracesStore::ScanSpans hands out, plus a filter over them.
//
// TraceSummarizer takes batches of rows in any order; a trace may continue in a later batch
// (the store keeps a trace's rows adjacent within a batch only), so rows are grouped by trace
// id in a hash map. Views in the rows are only read during Add; what is kept is copied.
//
// Definitions (the same as AnalyzeTrace's, see trace_analysis.h):
// - start_ns: earliest start; duration_ns: latest end minus earliest start (an end before its
//   start counts as the start; differences saturate).
// - Root: the earliest row without a parent id by (start, span id); with none, the earliest
//   row. The choice does not depend on how rows are split into batches.
// - span_count and error_count count rows: a span stored twice counts twice (detecting that
//   would mean remembering every span id).
// - services: the distinct service names of the trace's rows, sorted.
//
// Memory: one entry per trace plus its distinct service ids (kept deduplicated as they grow);
// service names are interned once across all traces.
//
// Thread-safety: TraceSummarizer is used by one thread at a time; TraceFilter is a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/string_arena.h"
#include "common/string_view_hash.h"
#include "storage/span_record.h"
#include "storage/traces_store.h"

namespace vigil {

struct TraceSummary {
  TraceId trace_id;
  std::string root_service;
  std::string root_span_name;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  uint64_t span_count = 0;
  uint64_t error_count = 0;
  std::vector<std::string> services;  // sorted, distinct

  bool has_error() const { return error_count > 0; }
  friend bool operator==(const TraceSummary&, const TraceSummary&) = default;
};

class TraceSummarizer {
 public:
  void Add(std::span<const SpanRow> rows);
  // The summaries, newest first (start time descending, then trace id ascending). Leaves the
  // summarizer empty.
  std::vector<TraceSummary> Finish();

  size_t trace_count() const { return traces_.size(); }

 private:
  struct Accum {
    TraceId trace_id;
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    uint64_t span_count = 0;
    uint64_t error_count = 0;
    // The best root so far (a row without parent beats any row with one; then earliest).
    bool root_is_genuine = false;
    int64_t root_start_ns = 0;
    SpanId root_span_id = 0;
    uint32_t root_service = 0;  // into service_names_
    std::string root_span_name;
    std::vector<uint32_t> services;  // into service_names_; deduplicated when it doubles
    size_t services_unique = 0;      // size after the last deduplication
  };

  uint32_t InternService(std::string_view name);
  void AddRow(Accum& t, const SpanRow& row);

  absl::flat_hash_map<TraceId, uint32_t> trace_index_;  // into traces_
  std::vector<Accum> traces_;
  StringArena names_arena_;
  StringViewMap<uint32_t> service_index_;  // views into names_arena_
  std::vector<std::string_view> service_names_;
};

// Conditions on a trace summary; unset members match everything.
struct TraceFilter {
  std::string root_service;
  std::string root_span_name;
  int64_t min_duration_ns = 0;
  int64_t max_duration_ns = std::numeric_limits<int64_t>::max();
  uint64_t min_span_count = 0;
  uint64_t max_span_count = std::numeric_limits<uint64_t>::max();
  std::optional<bool> has_error;
  std::string service;  // must be among the trace's services

  bool Matches(const TraceSummary& t) const;
};

}  // namespace vigil
