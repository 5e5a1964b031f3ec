#include "api/status_api.h"

#include <unistd.h>

#include "api/api_response.h"
#include "api/es_compat_api.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "common/build_info.h"

namespace vigil {
namespace {

void WriteCounts(JsonWriter& w, std::string_view key, const std::vector<StoreStats::Count>& counts) {
  w.Key(key).BeginArray();
  for (const auto& c : counts) w.BeginObject().KV("name", c.name).Key("value").Uint(c.value).EndObject();
  w.EndArray();
}

}  // namespace

// The page "/" shows until the web UI is served: what this server answers.
constexpr std::string_view kLandingPage = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>Vigil</title>
<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;line-height:1.5}
code{background:#f3f3f3;padding:0 .3em}</style></head><body>
<h1>Vigil</h1>
<p>Vigil is running. Its web UI is not part of this build yet; these APIs are:</p>
<ul>
<li>Ingest: <code>POST /api/v1/write</code> (Prometheus remote_write),
<code>POST /api/v1/import/prometheus</code> (text / OpenMetrics), scraping and probes from the configuration file</li>
<li>Read: <a href="/api/v1/labels">/api/v1/labels</a>, <code>/api/v1/series?match[]=…</code>,
<code>/api/v1/label/&lt;name&gt;/values</code>, <a href="/api/v1/metadata">/api/v1/metadata</a>,
<code>/api/v1/query_exemplars</code>, <code>/api/v1/export?match[]=…</code></li>
<li>Status: <a href="/api/v1/targets">/api/v1/targets</a>, <a href="/api/v1/status/tsdb">/api/v1/status/tsdb</a>,
<a href="/api/v1/status/buildinfo">/api/v1/status/buildinfo</a>, <a href="/metrics">/metrics</a>,
<a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a></li>
</ul></body></html>
)";

void RegisterStatusApi(Router& router, ApiContext& ctx) {
  const int64_t start_ms = NowMs();
  router.Handle("GET", "/",
                [](const HttpRequest& req, HttpResponse& resp) {
                  // Elasticsearch clients probe `GET /` before their first _bulk request.
                  if (IsEsClient(req)) return WriteEsRootInfo(resp);
                  resp.set_status(200);
                  resp.set_content_type("text/html; charset=utf-8");
                  resp.set_body(std::string(kLandingPage));
                },
                "root");
  router.Handle("GET", "/-/healthy",
                [](const HttpRequest&, HttpResponse& resp) { resp.SetText(200, "Vigil is Healthy.\n"); },
                "healthy");
  router.Handle("GET", "/-/ready",
                [&ctx](const HttpRequest&, HttpResponse& resp) {
                  if (ctx.metrics.load() == nullptr || ctx.logs.load() == nullptr) {
                    resp.SetText(503, "Service Unavailable\n");
                  } else {
                    resp.SetText(200, "Vigil is Ready.\n");
                  }
                },
                "ready");
  router.Handle("GET", "/api/v1/status/buildinfo",
                [](const HttpRequest&, HttpResponse& resp) {
                  WriteApiData(resp, [](JsonWriter& w) {
                    w.BeginObject()
                        .KV("version", kVigilVersion)
                        .KV("revision", kVigilRevision)
                        .KV("branch", kVigilBranch)
                        .KV("buildUser", "")
                        .KV("buildDate", kVigilBuildDate)
                        .KV("goVersion", "")
                        .KV("compiler", kVigilCompiler)
                        .EndObject();
                  });
                },
                "buildinfo");
  router.Handle("GET", "/api/v1/status/runtimeinfo",
                [&ctx, start_ms](const HttpRequest&, HttpResponse& resp) {
                  WriteApiData(resp, [&](JsonWriter& w) {
                    std::string start;
                    w.BeginObject();
                    w.KV("startTime", absl::FormatTime(absl::RFC3339_full, absl::FromUnixMillis(start_ms),
                                                       absl::UTCTimeZone()));
                    char cwd[4096];
                    w.KV("CWD", getcwd(cwd, sizeof(cwd)) ? cwd : "");
                    w.KV("storageRetention", "");
                    w.KV("dataDir", ctx.data_dir);
                    w.EndObject();
                  });
                },
                "runtimeinfo");
  router.Handle("GET", "/api/v1/status/tsdb",
                [&ctx](const HttpRequest&, HttpResponse& resp) {
                  MetricsStore* store = ctx.MetricsOr503(resp);
                  if (!store) return;
                  StoreStats st = store->Stats();
                  WriteApiData(resp, [&](JsonWriter& w) {
                    w.BeginObject().Key("headStats").BeginObject();
                    w.Key("numSeries").Uint(st.head_series);
                    w.Key("chunkCount").Uint(st.head_chunks);
                    w.Key("minTime").Int(st.head_series ? st.min_time : 0);
                    w.Key("maxTime").Int(st.head_series ? st.max_time : 0);
                    w.EndObject();
                    WriteCounts(w, "seriesCountByMetricName", st.series_by_metric);
                    WriteCounts(w, "labelValueCountByLabelName", st.label_value_count_by_name);
                    WriteCounts(w, "memoryInBytesByLabelName", st.memory_by_label_name);
                    WriteCounts(w, "seriesCountByLabelValuePair", st.series_by_label_pair);
                    w.EndObject();
                  });
                },
                "tsdb_status");
  router.Handle("GET", "/metrics",
                [&ctx](const HttpRequest&, HttpResponse& resp) {
                  resp.set_status(200);
                  resp.set_content_type("text/plain; version=0.0.4; charset=utf-8");
                  resp.set_body(ctx.registry ? ctx.registry->RenderText() : "");
                },
                "metrics");
}

}  // namespace vigil
