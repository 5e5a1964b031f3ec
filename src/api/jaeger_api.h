// The parts of Jaeger's query API (jaeger-query's /api/…) that its UI and tools read traces
// through, answered from vigil's trace store:
//   GET /api/traces/:id                       one trace (jaeger_json.h)
//   GET /api/traces?service=&operation=&tags=&minDuration=&maxDuration=&start=&end=&limit=
//   GET /api/services
//   GET /api/services/:service/operations
//   GET /api/operations?service=              [{"name", "spanKind"}] (spanKind left empty)
// Envelope: {"data": …, "total": n, "limit": 0, "offset": 0, "errors": null}; failures put
// {"code", "msg"} in "errors". start/end are Unix microseconds, as Jaeger sends them; `tags` is a
// JSON object of attribute values (or Jaeger's older `key:value` form, repeatable).
//
// Thread-safety: handlers are stateless.
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterJaegerApi(Router& router, ApiContext& ctx);

}  // namespace vigil
