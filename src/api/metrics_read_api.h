// Read-side metrics endpoints of the Prometheus HTTP API that need no query engine:
// /api/v1/series, /api/v1/labels, /api/v1/label/:name/values, /api/v1/metadata,
// /api/v1/query_exemplars, and /api/v1/export (every raw sample as JSON lines, in the shape
// VictoriaMetrics exports).
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterMetricsReadApi(Router& router, ApiContext& ctx);

}  // namespace vigil
