// Request parameters of vigil's trace API.
//
// Search parameters (all optional):
//   start, end              time range (log_params.h formats); default: the last hour
//   service, name           span service and span name
//   kind, status            span kind (server, client, …), status (ok, error, unset)
//   min_duration, max_duration   span duration ("250ms", "2s")
//   attr=key=value          a span (or resource) attribute; repeatable
//   root_service, root_name      the trace's root span
//   min_trace_duration, max_trace_duration, min_spans, max_spans
//   has_error=true|false    an error span anywhere in the trace
//   involves=service        the service appears anywhere in the trace
//   limit                   traces to return (default 20, at most 1000)
//
// Thread-safety: stateless functions.
#pragma once

#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "http/request.h"
#include "query/traces/trace_search.h"
#include "storage/span_record.h"

namespace vigil {

// 32 hex digits (or 16, zero-extended); refuses malformed and all-zero ids.
absl::StatusOr<TraceId> ParseTraceIdParam(std::string_view text);
// [start, end) from `start` and `end` (end inclusive as given, like the log APIs).
absl::StatusOr<std::pair<int64_t, int64_t>> TimeRangeParams(const HttpRequest& req);
absl::StatusOr<TraceSearchRequest> ParseTraceSearchParams(const HttpRequest& req);

}  // namespace vigil
