// Test fixture shared by the scrape tests: an embedded MetricsDb in a temporary folder, a
// local HTTP server whose /metrics body, status, content type and delay tests change, and
// helpers to build settings and read stored series back.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "http/http_server.h"
#include "ingest/scrape/scrape_manager.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/db/metrics_db.h"

namespace vigil {

class ScrapeFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;

  struct Series {
    Labels labels;
    std::vector<Sample> samples;
  };

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("scrape_test_" + block::NewBlockId());
    MetricsDbOptions o;
    o.dir = dir_.string();
    o.maintenance_interval_ms = 0;
    o.wal_sync = false;
    o.head.max_future_ms = 0;
    auto db = MetricsDb::Open(o, nullptr);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);

    HttpServerOptions so;
    so.worker_threads = 4;
    so.shutdown_timeout = std::chrono::seconds(2);
    server_ = std::make_unique<HttpServer>(so);
    server_->Handle(
        "GET", "/metrics",
        [this](const HttpRequest& req, HttpResponse& resp) {
          int delay;
          {
            std::lock_guard<std::mutex> l(mu_);
            ++requests_;
            accept_ = std::string(req.Header("Accept").value_or(""));
            timeout_header_ =
                std::string(req.Header("X-Prometheus-Scrape-Timeout-Seconds").value_or(""));
            query_ = req.raw_query();
            resp.set_status(status_);
            resp.set_body(body_);
            resp.set_content_type(content_type_);
            delay = delay_ms_;
          }
          if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        },
        "metrics");
    ASSERT_TRUE(server_->Start().ok());
    addr_ = StrCat("127.0.0.1:", server_->port());
  }

  void TearDown() override {
    manager_.reset();
    server_->Stop();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Serve(std::string body, int status = 200,
             std::string content_type = "text/plain; version=0.0.4") {
    std::lock_guard<std::mutex> l(mu_);
    body_ = std::move(body);
    status_ = status;
    content_type_ = std::move(content_type);
  }
  void SetDelay(int ms) {
    std::lock_guard<std::mutex> l(mu_);
    delay_ms_ = ms;
  }

  // A config with one job "app" scraping the test server; `extra` adds job-level lines
  // (indented by four spaces).
  std::string Yaml(const std::string& extra = "", const std::string& interval = "1s",
                   const std::string& timeout = "500ms") const {
    return StrCat("scrape_configs:\n  - job_name: app\n    scrape_interval: ", interval,
                  "\n    scrape_timeout: ", timeout, "\n    static_configs:\n      - targets: ['",
                  addr_, "']\n        labels: {env: test}\n", extra);
  }
  ScrapeSettings Settings(const std::string& yaml) {
    auto s = ParseScrapeSection(YAML::Load(yaml), YamlReader("test.yml"));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : ScrapeSettings{};
  }
  void Make(const std::string& extra = "") {
    manager_ = std::make_unique<ScrapeManager>(*db_, &registry_, Settings(Yaml(extra)));
  }
  ScrapeOutcome Scrape(int64_t t) {
    auto r = manager_->ScrapeOnce("app", addr_, t);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ScrapeOutcome{};
  }

  std::vector<Series> Select(std::string_view metric) {
    auto q = db_->Querier(INT64_MIN, INT64_MAX);
    auto set = q->Select({*LabelMatcher::Make(MatchType::kEqual, "__name__", metric)},
                         {INT64_MIN, INT64_MAX, false});
    std::vector<Series> out;
    while (set->Next()) {
      out.push_back({set->labels(), {set->samples().begin(), set->samples().end()}});
    }
    return out;
  }
  // Samples of the one series named `metric` (none when it does not exist).
  std::vector<Sample> Samples(std::string_view metric) {
    auto s = Select(metric);
    EXPECT_LE(s.size(), 1u) << metric;
    return s.empty() ? std::vector<Sample>{} : s[0].samples;
  }

  std::filesystem::path dir_;
  std::unique_ptr<MetricsDb> db_;
  std::unique_ptr<HttpServer> server_;
  MetricsRegistry registry_;
  std::unique_ptr<ScrapeManager> manager_;
  std::string addr_;

  std::mutex mu_;
  std::string body_;
  int status_ = 200;
  std::string content_type_ = "text/plain; version=0.0.4";
  int delay_ms_ = 0;
  int requests_ = 0;
  std::string accept_;
  std::string timeout_header_;
  std::string query_;
};

}  // namespace vigil
