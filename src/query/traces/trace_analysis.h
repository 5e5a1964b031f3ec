// Analysis of one trace: its extent, services, root, errors, per-span self time, the critical
// path, and the slowest spans. Pure function of the spans (any order, possibly incomplete, of
// one trace: spans are not checked to share a trace id; the first span's id is reported).
//
// Definitions:
// - Times are taken as given, except that an end before its start counts as the start
//   (a zero-length span) and differences saturate instead of overflowing.
// - Duplicate span ids: only the first occurrence counts anywhere (see trace_tree.h); the
//   per-span vectors hold 0 for the duplicates.
// - Root: the earliest genuine root (no parent id) by (start, span id, input index); when the
//   trace has none (only orphans or cycles), the earliest span.
// - Self time: a span's duration minus the union of its children's intervals clipped to the
//   span, so parallel children are not counted twice and children running past the span only
//   count for the part inside it.
// - Critical path (the definition Jaeger's UI uses): start at the root with the latest end
//   (ties: earliest start, then root order) and walk back from its end. At each step, among the
//   current span's children not yet used whose end is at or before the cursor, take the one
//   that ended last (ties: earliest start, then span id); the parent's own time from that
//   child's end to the cursor is on the path; then the same walk inside the child; then the
//   cursor moves to the child's start. With no such child left, the parent's time from its
//   start to the cursor is on the path and the walk returns to the grandparent at the parent's
//   start. Every child interval is first clipped to its parent's (clipped) interval. Segments
//   are reported in chronological order, zero-length ones dropped, adjacent segments of the
//   same span merged; they are contiguous and cover the path root's interval exactly.
// - Cost: O(n log n) time, O(n) memory, no recursion (chains of any depth are fine).
//
// Thread-safety: pure function; the result is a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "query/traces/trace_tree.h"
#include "storage/span_record.h"

namespace vigil {

// end - start; 0 when end is not after start; saturates at the int64 maximum.
inline int64_t SpanDurationNs(int64_t start_ns, int64_t end_ns) {
  if (end_ns <= start_ns) return 0;
  const uint64_t d = static_cast<uint64_t>(end_ns) - static_cast<uint64_t>(start_ns);
  return d > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(d);
}

struct TraceAnalysisOptions {
  size_t top_n = 10;  // length of the slowest-span lists
};

struct ServiceSpanCount {
  std::string service;
  uint32_t span_count = 0;
  uint32_t error_count = 0;
  friend bool operator==(const ServiceSpanCount&, const ServiceSpanCount&) = default;
};

struct CriticalPathSegment {
  uint32_t span = kNoSpan;  // input index
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t duration_ns() const { return SpanDurationNs(start_ns, end_ns); }
  friend bool operator==(const CriticalPathSegment&, const CriticalPathSegment&) = default;
};

struct RankedSpan {
  uint32_t span = kNoSpan;  // input index
  int64_t value_ns = 0;     // its duration or self time, whichever the list ranks by
  double share = 0;         // value_ns / trace duration (0 when the trace has no duration)
};

struct ErrorSpan {
  uint32_t span = kNoSpan;  // input index
  std::string service;
  std::string name;
  std::string status_message;
};

struct TraceAnalysis {
  TraceTree tree;
  TraceId trace_id;         // of the first span
  int64_t start_ns = 0;     // earliest start
  int64_t end_ns = 0;       // latest end
  int64_t duration_ns = 0;  // end_ns - start_ns
  size_t span_count = 0;    // distinct spans (duplicates left out)
  size_t error_count = 0;   // spans with status error
  bool has_error = false;
  std::vector<ServiceSpanCount> services;  // sorted by name

  uint32_t root_span = kNoSpan;  // input index; kNoSpan only for an empty trace
  std::string root_service;
  std::string root_span_name;

  // Per input index.
  std::vector<int64_t> self_time_ns;
  std::vector<int64_t> critical_path_ns;

  uint32_t critical_path_root = kNoSpan;
  std::vector<CriticalPathSegment> critical_path;  // chronological

  // Longest first; ties by start, then input index. At most options.top_n each.
  std::vector<RankedSpan> slowest_by_duration;
  std::vector<RankedSpan> slowest_by_self_time;
  std::vector<ErrorSpan> errors;  // in start order
};

TraceAnalysis AnalyzeTrace(std::span<const Span> spans, const TraceAnalysisOptions& options = {});

}  // namespace vigil
