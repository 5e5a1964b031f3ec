// Trace search: which traces have a span matching span-level conditions (service, span name,
// attributes, duration, status, kind) and, as whole traces, match trace-level conditions
// (root service and span name, end-to-end duration, span count, an error anywhere, a service
// involved) — newest first, as summaries.
//
// Plan: with span conditions, a scan with them finds the candidate traces; without trace
// conditions, over the last sixteenth of the range first and the rest only when that holds
// fewer than `limit` traces. Trace-level conditions need whole traces, so they summarize
// every candidate from a scan of light rows over the time range (widened by
// `trace_slack_ns`, since a trace's spans may start before or after the matching one);
// without trace conditions only the newest `limit` candidates are summarized, each read by id
// (light rows only).
//
// Thread-safety: stateless; concurrent searches share only the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "query/traces/trace_summary.h"
#include "storage/traces_store.h"

namespace vigil {

struct TraceSearchRequest {
  int64_t start_ns = 0;  // spans starting in [start_ns, end_ns)
  int64_t end_ns = 0;
  SpanFilter spans;
  TraceFilter traces;
  size_t limit = 20;
  int64_t trace_slack_ns = 3600LL * 1'000'000'000;
  const std::atomic<bool>* cutoff = nullptr;
};

struct TraceSearchResult {
  std::vector<TraceSummary> traces;  // newest first, at most `limit`
  // Per trace (same order): how many of its spans matched the span conditions in the part of
  // the range searched (0 when there were none).
  std::vector<uint64_t> matched_spans;
};

absl::StatusOr<TraceSearchResult> SearchTraces(TracesStore& store, const TraceSearchRequest& req);

// True when the filter has no condition.
bool IsEmpty(const TraceFilter& f);

}  // namespace vigil
