// The PromQL endpoints of the Prometheus HTTP API: /api/v1/query, /api/v1/query_range (GET
// and POST form) and /api/v1/format_query, with Prometheus' parameters, result shapes and
// error types.
#pragma once

#include "api/api_context.h"
#include "http/router.h"
#include "query/promql/engine/engine.h"

namespace vigil {

void RegisterQueryApi(Router& router, ApiContext& ctx, const promql::Engine& engine);

}  // namespace vigil
