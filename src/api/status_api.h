// Health, readiness, build information, TSDB statistics and vigil's own /metrics.
//   /-/healthy   200 while the process serves HTTP
//   /-/ready     200 once every store has replayed its WAL, 503 before
//   /api/v1/status/buildinfo, /api/v1/status/tsdb, /api/v1/status/runtimeinfo
//   /metrics     Prometheus text format
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterStatusApi(Router& router, ApiContext& ctx);

}  // namespace vigil
