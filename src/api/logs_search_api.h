// vigil's structured log search for the UI:
//   GET|POST /api/v1/logs/search     matching records, newest first, cursor pages
//   GET|POST /api/v1/logs/aggregate  top values of a field, distinct count, counts per bucket
// Parameters: start, end (default: the last hour), selector (`{service_name="checkout"}`),
// filter (repeated: `error_code=PAYMENT_DECLINED`, `duration_ms>200`), q (free text, smart
// case), order (desc|asc), limit (default 100, at most 5000), cursor; for aggregate: by (a
// field, `level`, `body` or `_pattern`), top (default 10), step (bucket width).
//
// Thread-safety: handlers are reentrant.
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterLogsSearchApi(Router& router, ApiContext& ctx);

}  // namespace vigil
