// Write-side metrics endpoints: Prometheus remote_write (`POST /api/v1/write`) and text
// exposition / OpenMetrics import (`POST /api/v1/import/prometheus`).
//
// A 2xx answer means every sample was stored durably. A partially refused batch gets 400
// with what was refused and why (senders do not retry 4xx); the valid part is stored. A
// storage failure gets 5xx, which senders retry.
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterMetricsWriteApi(Router& router, ApiContext& ctx);

}  // namespace vigil
