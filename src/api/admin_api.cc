#include "api/admin_api.h"

#include "api/api_params.h"
#include "api/api_response.h"

namespace vigil {

void RegisterAdminApi(Router& router, ApiContext& ctx) {
  for (const char* method : {"POST", "PUT"}) {
    router.Handle(method, "/api/v1/admin/tsdb/flush",
                  [&ctx](const HttpRequest&, HttpResponse& resp) {
                    MetricsStore* store = ctx.MetricsOr503(resp);
                    if (!store) return;
                    if (absl::Status st = store->Flush(); !st.ok()) return WriteApiError(resp, st);
                    resp.set_status(204);
                  },
                  "admin_flush");
    router.Handle(method, "/api/v1/admin/logs/flush",
                  [&ctx](const HttpRequest&, HttpResponse& resp) {
                    LogsStore* store = ctx.LogsOr503(resp);
                    if (!store) return;
                    if (absl::Status st = store->Flush(); !st.ok()) return WriteApiError(resp, st);
                    resp.set_status(204);
                  },
                  "admin_logs_flush");
    router.Handle(method, "/api/v1/admin/traces/flush",
                  [&ctx](const HttpRequest&, HttpResponse& resp) {
                    TracesStore* store = ctx.TracesOr503(resp);
                    if (!store) return;
                    if (absl::Status st = store->Flush(); !st.ok()) return WriteApiError(resp, st);
                    resp.set_status(204);
                  },
                  "admin_traces_flush");
    router.Handle(method, "/api/v1/admin/tsdb/snapshot",
                  [&ctx](const HttpRequest&, HttpResponse& resp) {
                    MetricsStore* store = ctx.MetricsOr503(resp);
                    if (!store) return;
                    auto name = store->Snapshot();
                    if (!name.ok()) return WriteApiError(resp, name.status());
                    WriteApiData(resp, [&](JsonWriter& w) { w.BeginObject().KV("name", *name).EndObject(); });
                  },
                  "admin_snapshot");
    router.Handle(method, "/api/v1/admin/tsdb/delete_series",
                  [&ctx](const HttpRequest& req, HttpResponse& resp) {
                    MetricsStore* store = ctx.MetricsOr503(resp);
                    if (!store) return;
                    auto match = MatchParams(req, true);
                    if (!match.ok()) return WriteApiError(resp, match.status());
                    auto start = TimeParam(req, "start", kApiMinTime);
                    if (!start.ok()) return WriteApiError(resp, start.status());
                    auto end = TimeParam(req, "end", kApiMaxTime);
                    if (!end.ok()) return WriteApiError(resp, end.status());
                    if (absl::Status st = store->DeleteSeries(*match, *start, *end); !st.ok()) {
                      return WriteApiError(resp, st);
                    }
                    resp.set_status(204);
                  },
                  "admin_delete_series");
  }
}

}  // namespace vigil
