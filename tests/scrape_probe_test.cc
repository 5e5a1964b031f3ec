// Scraping and health probes end to end: vigil started with a configuration that scrapes a
// target and probes a health endpoint served by this test.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/strings.h"
#include "http/http_server.h"
#include "http/url.h"
#include "tests/test_client.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// Polls until `pred` holds or 20 s pass.
template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 200; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(ScrapeProbeTest, ScrapesTargetsProbesHealthAndMarksStaleSeries) {
  std::atomic<bool> second_series{true};
  HttpServer target(HttpServerOptions{});
  target.Handle("GET", "/metrics",
                [&](const HttpRequest&, HttpResponse& resp) {
                  std::string body =
                      "# TYPE app_requests_total counter\napp_requests_total{route=\"/a\"} 5\n";
                  if (second_series) body += "app_requests_total{route=\"/b\"} 7\n";
                  resp.SetText(200, body);
                },
                "metrics");
  target.Handle("GET", "/health",
                [](const HttpRequest&, HttpResponse& resp) {
                  resp.SetJson(200, R"({"status":"degraded","checks":{"database":true,"redis":false}})");
                },
                "health");
  ASSERT_TRUE(target.Start().ok());
  std::string addr = StrCat("127.0.0.1:", target.port());

  TempDir dir;
  std::string cfg = dir.path() + "/vigil.yml";
  std::ofstream(cfg) << "global:\n  scrape_interval: 200ms\n  scrape_timeout: 150ms\n"
                     << "scrape_configs:\n  - job_name: app\n    static_configs:\n"
                     << "      - targets: ['" << addr << "']\n        labels: {team: payments}\n"
                     << "probes:\n  - name: app-health\n    url: http://" << addr << "/health\n"
                     << "    interval: 200ms\n    timeout: 150ms\n";
  VigilProcess vigil;
  ASSERT_TRUE(vigil.Start(dir.path() + "/data", {"--config", cfg}).ok()) << vigil.log();

  ASSERT_TRUE(Eventually([&] { return ExportAll(vigil, "app_requests_total").size() == 2; }))
      << vigil.log();
  auto series = ExportAll(vigil, "app_requests_total");
  std::string key = StrCat("app_requests_total{instance=\"", addr, "\", job=\"app\", route=\"/a\", team=\"payments\"}");
  ASSERT_TRUE(series.count(key)) << series.begin()->first;
  EXPECT_EQ(series[key].back().second, 5);
  auto up = ExportAll(vigil, "up");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up.begin()->second.back().second, 1);
  EXPECT_FALSE(ExportAll(vigil, "scrape_duration_seconds").empty());

  // Probe series for the JSON health body.
  ASSERT_TRUE(Eventually([&] { return !ExportAll(vigil, "probe_health_status").empty(); }));
  EXPECT_EQ(ExportAll(vigil, "probe_health_status").begin()->second.back().second, 0.5);
  EXPECT_EQ(ExportAll(vigil, "probe_success").begin()->second.back().second, 1);
  auto checks = ExportAll(vigil, "probe_check_up");
  ASSERT_EQ(checks.size(), 2u);
  for (const auto& [name, samples] : checks) {
    EXPECT_EQ(samples.back().second, Contains(name, "database") ? 1 : 0) << name;
  }

  // A series that disappears from the target gets a staleness marker.
  second_series = false;
  auto b_route = [&] {
    auto r = vigil.Get("/api/v1/export?match[]=" + UrlEncode("app_requests_total{route=\"/b\"}"));
    return r.ok() && Contains(r->body, "\"NaN\"");
  };
  EXPECT_TRUE(Eventually(b_route)) << vigil.Get("/api/v1/export?match[]=app_requests_total")->body;

  auto targets = vigil.Get("/api/v1/targets");
  EXPECT_EQ(targets->status, 200);
  EXPECT_TRUE(Contains(targets->body, "\"health\":\"up\"")) << targets->body;
  target.Stop();
}

TEST(ScrapeProbeTest, BadScrapeConfigIsRefusedWithLine) {
  TempDir dir;
  std::string cfg = dir.path() + "/vigil.yml";
  std::ofstream(cfg) << "scrape_configs:\n  - job_name: a\n    scrape_intervl: 10s\n";
  auto [code, err] = VigilProcess::RunToExit({"server", "--config", cfg});
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(Contains(err, cfg + ":3:")) << err;
}

}  // namespace
}  // namespace vigil::testing
