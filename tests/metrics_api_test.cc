// The metrics HTTP APIs of a running vigil, spoken to as Prometheus clients speak to them.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "common/time_util.h"
#include "http/url.h"
#include "tests/test_client.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

class MetricsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(vigil_.Start(dir_.path()).ok()) << vigil_.log(); }
  TempDir dir_;
  VigilProcess vigil_;
};

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST_F(MetricsApiTest, HealthReadyBuildInfo) {
  auto healthy = vigil_.Get("/-/healthy");
  ASSERT_TRUE(healthy.ok());
  EXPECT_EQ(healthy->status, 200);
  EXPECT_EQ(vigil_.Get("/-/ready")->status, 200);
  auto build = vigil_.Get("/api/v1/status/buildinfo");
  EXPECT_EQ(build->status, 200);
  EXPECT_TRUE(Contains(build->body, "\"status\":\"success\"")) << build->body;
  EXPECT_TRUE(Contains(build->body, "\"version\":\"")) << build->body;
  EXPECT_EQ(vigil_.Get("/api/v1/nope")->status, 404);
  // A browser gets the landing page; an Elasticsearch client probing `/` gets cluster info.
  HttpHeaders browser;
  browser.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
  auto root = vigil_.Get("/", browser);
  EXPECT_EQ(root->status, 200);
  EXPECT_TRUE(Contains(root->body, "Vigil is running")) << root->body;
  HttpHeaders es;
  es.Set("Accept", "application/vnd.elasticsearch+json; compatible-with=8");
  auto info = vigil_.Get("/", es);
  EXPECT_EQ(info->status, 200);
  EXPECT_TRUE(Contains(info->body, "\"tagline\":\"You Know, for Search\"")) << info->body;
}

TEST_F(MetricsApiTest, RemoteWriteThenReadBackEverything) {
  int64_t now = NowMs() / 1000 * 1000;
  std::vector<WriteSeries> series = {
      {Labels({{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "api"}}),
       {{now - 30000, 10}, {now - 15000, 12.5}, {now}},
       {}},
      {Labels({{"__name__", "http_requests_total"}, {"code", "500"}, {"job", "api"}}), {{now, 1}}, {}},
      {Labels({{"__name__", "up"}, {"job", "api"}}), {{now, 1}}, {}},
  };
  series[0].samples[2].v = 14;
  auto resp = vigil_.Post("/api/v1/write", RemoteWriteBody(series), RemoteWriteHeaders());
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 204) << resp->body;

  auto exported = ExportAll(vigil_, "{job=\"api\"}");
  ASSERT_EQ(exported.size(), 3u);
  const auto& s = exported["http_requests_total{code=\"200\", job=\"api\"}"];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], std::make_pair(now - 30000, 10.0));
  EXPECT_EQ(s[1], std::make_pair(now - 15000, 12.5));
  EXPECT_EQ(s[2], std::make_pair(now, 14.0));

  auto names = vigil_.Get("/api/v1/label/__name__/values");
  EXPECT_EQ(names->body, R"({"status":"success","data":["http_requests_total","up"]})");
  auto labels = vigil_.Get("/api/v1/labels?match[]=up");
  EXPECT_EQ(labels->body, R"({"status":"success","data":["__name__","job"]})");
  auto sr = vigil_.Get("/api/v1/series?match[]=" + UrlEncode("http_requests_total{code=~\"5..\"}"));
  EXPECT_EQ(sr->body,
            R"({"status":"success","data":[{"__name__":"http_requests_total","code":"500","job":"api"}]})");
  // POST form works the same, with repeated match[].
  auto form = vigil_.Post("/api/v1/series", "match[]=up&match[]=" + UrlEncode("{code=\"500\"}"),
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_TRUE(Contains(form->body, "\"up\"") && Contains(form->body, "\"500\"")) << form->body;
  // Time range filters: a window before the data has no series.
  auto old = vigil_.Get(StrCat("/api/v1/series?match[]=up&start=1000&end=2000"));
  EXPECT_EQ(old->body, R"({"status":"success","data":[]})");
}

TEST_F(MetricsApiTest, MetadataApiErrorsAreSpecific) {
  auto r = vigil_.Get("/api/v1/series");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  r = vigil_.Get("/api/v1/series?match[]=" + UrlEncode("up{job="));
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Contains(r->body, "invalid parameter \\\"match[]\\\": 1:8: parse error")) << r->body;
  r = vigil_.Get("/api/v1/labels?start=yesterday");
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Contains(r->body, "invalid parameter \\\"start\\\"")) << r->body;
  r = vigil_.Get("/api/v1/label/bad-name/values");
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Contains(r->body, "invalid label name")) << r->body;
}

TEST_F(MetricsApiTest, TextImportMetadataAndExemplars) {
  int64_t now_s = NowMs() / 1000;
  std::string body = StrCat(
      "# HELP rpc_latency_seconds RPC latency.\n# TYPE rpc_latency_seconds histogram\n",
      "rpc_latency_seconds_bucket{le=\"0.1\"} 5 ", now_s, " # {trace_id=\"4bf92f3577b34da6\"} 0.05 ", now_s, "\n",
      "rpc_latency_seconds_bucket{le=\"+Inf\"} 7 ", now_s, "\n", "# EOF\n");
  auto r = vigil_.Post("/api/v1/import/prometheus", body,
                       {{"Content-Type", "application/openmetrics-text; version=1.0.0"}});
  ASSERT_EQ(r->status, 204) << r->body;
  auto md = vigil_.Get("/api/v1/metadata?metric=rpc_latency_seconds");
  EXPECT_EQ(md->body,
            R"({"status":"success","data":{"rpc_latency_seconds":[{"type":"histogram","help":"RPC latency.","unit":""}]}})");
  auto ex = vigil_.Get(StrCat("/api/v1/query_exemplars?query=rpc_latency_seconds_bucket&start=",
                              now_s - 60, "&end=", now_s + 60));
  EXPECT_TRUE(Contains(ex->body, "\"trace_id\":\"4bf92f3577b34da6\"")) << ex->body;
  EXPECT_TRUE(Contains(ex->body, "\"value\":\"0.05\"")) << ex->body;
  // Text without timestamps takes the `timestamp` parameter.
  r = vigil_.Post("/api/v1/import/prometheus?timestamp=1700000000", "plain_metric 3\n",
                  {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r->status, 400);  // far older than the head accepts after newer data
  EXPECT_TRUE(Contains(r->body, "out_of_bounds")) << r->body;
}

TEST_F(MetricsApiTest, StatusTsdbAndSelfMetrics) {
  int64_t now = NowMs();
  std::vector<WriteSeries> series;
  for (int i = 0; i < 12; ++i) {
    series.push_back({Labels({{"__name__", i < 10 ? "a" : "b"}, {"i", std::to_string(i)}}), {{now, 1}}, {}});
  }
  ASSERT_EQ(vigil_.Post("/api/v1/write", RemoteWriteBody(series), RemoteWriteHeaders())->status, 204);
  auto st = vigil_.Get("/api/v1/status/tsdb");
  EXPECT_TRUE(Contains(st->body, R"("numSeries":12)")) << st->body;
  EXPECT_TRUE(Contains(st->body, R"("seriesCountByMetricName":[{"name":"a","value":10},{"name":"b","value":2}])"))
      << st->body;
  auto m = vigil_.Get("/metrics");
  EXPECT_EQ(m->status, 200);
  EXPECT_TRUE(Contains(m->body, "vigil_samples_ingested_total{protocol=\"remote_write\"} 12")) << m->body;
  EXPECT_TRUE(Contains(m->body, "vigil_tsdb_head_series 12")) << m->body;
  EXPECT_TRUE(Contains(m->body, "vigil_wal_fsync_duration_seconds_bucket")) << m->body;
  EXPECT_TRUE(Contains(m->body, "vigil_http_request_duration_seconds_bucket{handler=\"remote_write\"")) << m->body;
}

TEST_F(MetricsApiTest, AdminFlushSnapshotDelete) {
  int64_t now = NowMs();
  std::vector<WriteSeries> series = {
      {Labels({{"__name__", "keep"}}), {{now - 1000, 1}, {now, 2}}, {}},
      {Labels({{"__name__", "gone"}}), {{now - 1000, 1}, {now, 2}}, {}},
  };
  ASSERT_EQ(vigil_.Post("/api/v1/write", RemoteWriteBody(series), RemoteWriteHeaders())->status, 204);
  EXPECT_EQ(vigil_.Post("/api/v1/admin/tsdb/flush", "")->status, 204);
  auto snap = vigil_.Post("/api/v1/admin/tsdb/snapshot", "");
  EXPECT_EQ(snap->status, 200);
  EXPECT_TRUE(Contains(snap->body, "\"name\":\"")) << snap->body;
  EXPECT_EQ(vigil_.Post("/api/v1/admin/tsdb/delete_series?match[]=gone", "")->status, 204);
  EXPECT_EQ(ExportAll(vigil_, "keep").begin()->second.size(), 2u);
  EXPECT_TRUE(ExportAll(vigil_, "gone").empty());
}

TEST(ServerConfigTest, BadConfigIsRefusedWithFileAndLine) {
  TempDir dir;
  std::string cfg = dir.path() + "/vigil.yml";
  FILE* f = fopen(cfg.c_str(), "w");
  fputs("http:\n  listen: 127.0.0.1:0\nmetrics:\n  retension: 15d\n", f);
  fclose(f);
  auto [code, err] = VigilProcess::RunToExit({"server", "--config", cfg});
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(Contains(err, cfg + ":4: unknown key \"retension\" in metrics")) << err;
}

}  // namespace
}  // namespace vigil::testing
