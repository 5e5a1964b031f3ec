// TSDB administration, as Prometheus' admin API offers it (POST or PUT):
//   /api/v1/admin/tsdb/flush          persist the head into a block now
//   /api/v1/admin/tsdb/snapshot       hard-linked copy of all data under <data>/snapshots
//   /api/v1/admin/tsdb/delete_series  match[], start, end
// and for the other stores:
//   /api/v1/admin/logs/flush          cut the log head into segments now
//   /api/v1/admin/traces/flush        cut the trace head into a segment now
#pragma once

#include "api/api_context.h"
#include "http/router.h"

namespace vigil {

void RegisterAdminApi(Router& router, ApiContext& ctx);

}  // namespace vigil
