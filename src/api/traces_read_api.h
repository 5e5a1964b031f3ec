// vigil's trace read API:
//   GET /api/v1/traces/:id              a trace with its analysis (trace_json.h); 404 if unknown
//   GET /api/v1/traces/search           trace search (query/traces/trace_search.h)
//   GET /api/v1/traces/service_graph    edges between services over a time range
//   GET /api/v1/traces/services         service names seen in the range
//   GET /api/v1/traces/span_names       span names of ?service= in the range
// Times (`start`, `end`) as the log APIs take them (log_params.h), by default the last hour;
// durations like `250ms`, `2s`.
//
// Thread-safety: handlers are stateless; they read the store through ApiContext.
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterTracesReadApi(Router& router, ApiContext& ctx);

}  // namespace vigil
