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
#include "http/test_target.h"
#include "ingest/scrape/scrape_manager.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {

class ScrapeFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;

  struct Series {
    Labels labels;
    std::vector<Sample> samples;
  };

  void SetUp() override { ASSERT_TRUE(target_.status().ok()) << target_.status(); }
  void TearDown() override { manager_.reset(); }

  void Serve(std::string body, int status = 200,
             std::string content_type = "text/plain; version=0.0.4") {
    target_.Serve(std::move(body), status, std::move(content_type));
  }
  void SetDelay(int ms) { target_.SetDelay(ms); }
  std::string LastHeader(std::string_view name) const {
    return std::string(target_.last_request().Header(name).value_or(""));
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
    manager_ = std::make_unique<ScrapeManager>(db_.db(), &registry_, Settings(Yaml(extra)));
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

  TempMetricsDb db_;
  TestHttpTarget target_{"/metrics"};
  std::string addr_ = target_.address();
  MetricsRegistry registry_;
  std::unique_ptr<ScrapeManager> manager_;
};

}  // namespace vigil
