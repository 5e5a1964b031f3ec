#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/strings.h"
#include "common/time_util.h"
#include "http/test_target.h"
#include "ingest/probe/health_body.h"
#include "ingest/probe/probe_config.h"
#include "ingest/probe/probe_manager.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<std::vector<ProbeConfig>> Parse(const std::string& yaml) {
  return ParseProbes(YAML::Load(yaml), YamlReader("vigil.yml"));
}

std::string Error(const std::string& yaml) {
  auto p = Parse(yaml);
  EXPECT_FALSE(p.ok()) << yaml;
  return p.ok() ? "" : std::string(p.status().message());
}

TEST(ProbeConfigTest, Defaults) {
  auto p = Parse("probes:\n  - name: api\n    url: http://api:8080/health\n");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 1u);
  const ProbeConfig& c = (*p)[0];
  EXPECT_EQ(c.name, "api");
  EXPECT_EQ(c.interval_ms, 30'000);
  EXPECT_EQ(c.timeout_ms, 5'000);
  EXPECT_EQ(c.method, "GET");
  EXPECT_TRUE(c.StatusAccepted(200));
  EXPECT_TRUE(c.StatusAccepted(299));
  EXPECT_FALSE(c.StatusAccepted(301));
  EXPECT_FALSE(c.StatusAccepted(503));
  EXPECT_TRUE(Parse("{}")->empty());
}

TEST(ProbeConfigTest, AllFields) {
  auto p = Parse(
      "probes:\n"
      "  - name: api\n"
      "    url: http://api:8080/health\n"
      "    interval: 10s\n"
      "    timeout: 2s\n"
      "    method: HEAD\n"
      "    expect_status: [2xx, 503]\n"
      "    labels: {team: payments}\n"
      "  - name: fast\n"
      "    url: http://x/\n"
      "    interval: 1s\n"
      "    expect_status: 204\n");
  ASSERT_TRUE(p.ok()) << p.status();
  const ProbeConfig& c = (*p)[0];
  EXPECT_EQ(c.interval_ms, 10'000);
  EXPECT_EQ(c.timeout_ms, 2'000);
  EXPECT_EQ(c.method, "HEAD");
  EXPECT_TRUE(c.StatusAccepted(503));
  EXPECT_FALSE(c.StatusAccepted(500));
  EXPECT_EQ(c.labels.Get("team"), "payments");
  EXPECT_EQ((*p)[1].timeout_ms, 1'000);  // capped at the interval
  EXPECT_TRUE((*p)[1].StatusAccepted(204));
  EXPECT_FALSE((*p)[1].StatusAccepted(200));
}

TEST(ProbeConfigTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(Error("probes:\n  - url: http://x/\n"), "vigil.yml:2: probe name is empty");
  EXPECT_EQ(Error("probes:\n  - name: a\n    url: http://x/\n  - name: a\n    url: http://y/\n"),
            "vigil.yml:4: found multiple probes named \"a\"");
  EXPECT_THAT(Error("probes:\n  - name: a\n    url: https://x/\n"),
              HasSubstr("vigil.yml:3: probe \"a\": https is not supported"));
  EXPECT_THAT(Error("probes:\n  - name: a\n    url: ftp://x/\n"),
              HasSubstr("vigil.yml:3: probe \"a\": invalid url"));
  EXPECT_EQ(Error("probes:\n  - name: a\n    url: http://x/\n    retries: 3\n"),
            "vigil.yml:4: unknown key \"retries\" in probe");
  EXPECT_THAT(Error("probes:\n  - name: a\n    url: http://x/\n    expect_status: 2yy\n"),
              HasSubstr("vigil.yml:4: expect_status must be an HTTP status code"));
  EXPECT_EQ(Error("probes:\n  - name: a\n    url: http://x/\n    interval: 5s\n    timeout: 6s\n"),
            "vigil.yml:5: timeout greater than interval for probe \"a\"");
  EXPECT_EQ(Error("probes:\n  - name: a\n    url: http://x/\n    labels: {instance: x}\n"),
            "vigil.yml:4: label \"instance\" is set by the probe itself");
  EXPECT_THAT(Error("probes:\n  - name: a\n    url: http://x/\n    method: DELETE\n"),
              HasSubstr("vigil.yml:4: method must be GET, HEAD or POST"));
  EXPECT_EQ(Error("probes:\n  - name: a\n"), "vigil.yml:2: probe \"a\" has no url");
  EXPECT_THAT(Error("probes: {a: 1}\n"), HasSubstr("probes must be a list"));
}

TEST(HealthBodyTest, Words) {
  EXPECT_EQ(HealthWordValue("healthy"), 1.0);
  EXPECT_EQ(HealthWordValue("UP"), 1.0);
  EXPECT_EQ(HealthWordValue("Pass"), 1.0);
  EXPECT_EQ(HealthWordValue("degraded"), 0.5);
  EXPECT_EQ(HealthWordValue("warn"), 0.5);
  EXPECT_EQ(HealthWordValue("unhealthy"), 0.0);
  EXPECT_EQ(HealthWordValue("error"), 0.0);
  EXPECT_EQ(HealthWordValue("maybe"), std::nullopt);
}

TEST(HealthBodyTest, Shapes) {
  HealthBodyParser p;
  auto r = p.Parse(R"({"status":"degraded","checks":{"database":true,"redis":false}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 0.5);
  ASSERT_EQ(r->checks.size(), 2u);
  EXPECT_EQ(r->checks[0], (std::pair<std::string, bool>{"database", true}));
  EXPECT_EQ(r->checks[1], (std::pair<std::string, bool>{"redis", false}));

  r = p.Parse(R"({"status":"UP","components":{"db":{"status":"UP"},"disk":{"status":"DOWN"}}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 1.0);
  ASSERT_EQ(r->checks.size(), 2u);
  EXPECT_TRUE(r->checks[0].second);
  EXPECT_FALSE(r->checks[1].second);

  r = p.Parse(R"({"status":"pass","checks":{"db:time":[{"status":"pass"},{"status":"warn"}],
                 "cache":"ok","queue":{"healthy":true},"odd":{"x":1},"n":1,"deep":{"status":{"a":1}}}})");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->checks.size(), 4u);
  EXPECT_EQ(r->checks[0], (std::pair<std::string, bool>{"db:time", false}));  // worst is warn
  EXPECT_EQ(r->checks[1], (std::pair<std::string, bool>{"cache", true}));
  EXPECT_EQ(r->checks[2], (std::pair<std::string, bool>{"queue", true}));
  EXPECT_EQ(r->checks[3], (std::pair<std::string, bool>{"n", true}));

  r = p.Parse(R"({"status":"whatever"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->status.has_value());
  EXPECT_TRUE(r->checks.empty());
}

TEST(HealthBodyTest, HostileOrNonJsonBodies) {
  HealthBodyParser p;
  EXPECT_FALSE(p.Parse("OK").has_value());
  EXPECT_FALSE(p.Parse("").has_value());
  EXPECT_FALSE(p.Parse("[1,2]").has_value());
  EXPECT_FALSE(p.Parse("{\"status\":\"ok\"").has_value());
  EXPECT_FALSE(p.Parse("{\"status\":\"\xff\"}").has_value());  // invalid UTF-8
  EXPECT_FALSE(p.Parse(std::string(kMaxHealthBodyBytes + 1, ' ')).has_value());
  std::string deep(5000, '[');
  EXPECT_FALSE(p.Parse(deep).has_value());
  std::string many = "{\"checks\":{";
  for (int i = 0; i < 500; ++i) StrAppend(&many, i ? "," : "", "\"c", i, "\":true");
  StrAppend(&many, ",\"", std::string(200, 'x'), "\":true}}");
  auto r = p.Parse(many);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->checks.size(), kMaxHealthChecks);
  // The parser is reusable after bad input.
  EXPECT_TRUE(p.Parse("{\"status\":\"ok\"}")->status.has_value());
}

class ProbeManagerTest : public ::testing::Test {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;

  void SetUp() override { ASSERT_TRUE(target_.status().ok()) << target_.status(); }
  void TearDown() override { manager_.reset(); }

  void Serve(std::string body, int status = 200) {
    target_.Serve(std::move(body), status, "application/json");
  }
  void Make(const std::string& extra = "", const std::string& timeout = "300ms") {
    auto p = Parse(StrCat("probes:\n  - name: checkout\n    url: ", url_,
                          "\n    interval: 1s\n    timeout: ", timeout,
                          "\n    labels: {team: pay}\n", extra));
    ASSERT_TRUE(p.ok()) << p.status();
    manager_ = std::make_unique<ProbeManager>(db_.db(), &registry_, *std::move(p));
  }
  ProbeOutcome Run(int64_t t) {
    auto r = manager_->RunOnce("checkout", t);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProbeOutcome{};
  }
  struct Series {
    Labels labels;
    std::vector<Sample> samples;
  };
  std::vector<Series> Select(std::string_view metric) {
    auto q = db_->Querier(INT64_MIN, INT64_MAX);
    auto set = q->Select({*LabelMatcher::Make(MatchType::kEqual, "__name__", metric)},
                         {INT64_MIN, INT64_MAX, false});
    std::vector<Series> out;
    while (set->Next())
      out.push_back({set->labels(), {set->samples().begin(), set->samples().end()}});
    return out;
  }
  std::vector<Sample> Samples(std::string_view metric) {
    auto s = Select(metric);
    EXPECT_LE(s.size(), 1u);
    return s.empty() ? std::vector<Sample>{} : s[0].samples;
  }
  // Samples of probe_check_up{check=`check`}.
  std::vector<Sample> Check(std::string_view check) {
    for (auto& s : Select("probe_check_up")) {
      if (s.labels.Get("check") == check) return s.samples;
    }
    return {};
  }

  TempMetricsDb db_;
  TestHttpTarget target_{"/health"};
  std::string url_ = StrCat("http://", target_.address(), "/health");
  MetricsRegistry registry_;
  std::unique_ptr<ProbeManager> manager_;
};

TEST_F(ProbeManagerTest, HealthyBodyWritesAllSeries) {
  Serve(R"({"status":"healthy","checks":{"database":true,"redis":{"status":"up"}}})");
  Make();
  ProbeOutcome o = Run(kT0);
  EXPECT_TRUE(o.success) << o.error;
  EXPECT_EQ(o.status_code, 200);
  auto success = Select("probe_success");
  ASSERT_EQ(success.size(), 1u);
  EXPECT_EQ(success[0].labels.ToString(),
            StrCat("probe_success{instance=\"", url_, "\", probe=\"checkout\", team=\"pay\"}"));
  EXPECT_EQ(success[0].samples.at(0).v, 1);
  EXPECT_EQ(success[0].samples.at(0).t, kT0);
  EXPECT_EQ(Samples("probe_http_status_code").at(0).v, 200);
  EXPECT_GE(Samples("probe_duration_seconds").at(0).v, 0);
  EXPECT_EQ(Samples("probe_health_status").at(0).v, 1);
  EXPECT_EQ(Check("database").at(0).v, 1);
  EXPECT_EQ(Check("redis").at(0).v, 1);
  EXPECT_EQ(manager_->Statuses().at(0).last_run_ms, kT0);
}

TEST_F(ProbeManagerTest, DegradedAndUnhealthy) {
  Serve(R"({"status":"degraded","checks":{"database":true,"redis":false}})");
  Make();
  EXPECT_TRUE(Run(kT0).success);
  EXPECT_EQ(Samples("probe_health_status").back().v, 0.5);
  EXPECT_EQ(Check("redis").back().v, 0);
  // Unhealthy services often answer 503 with their report: read it anyway.
  Serve(R"({"status":"unhealthy","checks":{"database":false,"redis":false}})", 503);
  ProbeOutcome o = Run(kT0 + 1000);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.error, "unexpected HTTP status 503");
  EXPECT_EQ(Samples("probe_success").back().v, 0);
  EXPECT_EQ(Samples("probe_http_status_code").back().v, 503);
  EXPECT_EQ(Samples("probe_health_status").back().v, 0);
  EXPECT_EQ(Check("database").back().v, 0);
  EXPECT_EQ(registry_
                .GetCounter("vigil_probe_runs_total", "",
                            Labels({{"probe", "checkout"}, {"result", "failure"}}))
                .Value(),
            1u);
}

TEST_F(ProbeManagerTest, ServerErrorWithoutJson) {
  Serve("internal error", 500);
  Make();
  ProbeOutcome o = Run(kT0);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.status_code, 500);
  EXPECT_EQ(Samples("probe_success").at(0).v, 0);
  EXPECT_TRUE(Select("probe_health_status").empty());
  EXPECT_TRUE(Select("probe_check_up").empty());
}

TEST_F(ProbeManagerTest, ExpectedStatusCanIncludeErrors) {
  Serve("{}", 503);
  Make("    expect_status: [2xx, 503]\n");
  EXPECT_TRUE(Run(kT0).success);
}

TEST_F(ProbeManagerTest, TimeoutFailsWithStatusCodeZero) {
  Serve(R"({"status":"ok"})");
  {
    target_.SetDelay(300);
  }
  Make("", "100ms");
  const int64_t start = MonotonicNs();
  ProbeOutcome o = Run(kT0);
  EXPECT_LT((MonotonicNs() - start) / 1'000'000, 250);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.status_code, 0);
  EXPECT_THAT(o.error, HasSubstr("timeout"));
  EXPECT_EQ(Samples("probe_http_status_code").at(0).v, 0);
  EXPECT_EQ(Samples("probe_success").at(0).v, 0);
  EXPECT_LT(Samples("probe_duration_seconds").at(0).v, 0.25);
}

TEST_F(ProbeManagerTest, ConnectionRefused) {
  Make();
  target_.Stop();
  ProbeOutcome o = Run(kT0);
  EXPECT_FALSE(o.success);
  EXPECT_FALSE(o.error.empty());
  EXPECT_EQ(Samples("probe_success").at(0).v, 0);
}

TEST_F(ProbeManagerTest, VanishedChecksAndHealthGetStaleMarkers) {
  Serve(R"({"status":"ok","checks":{"database":true,"redis":true}})");
  Make();
  Run(kT0);
  Serve(R"({"status":"ok","checks":{"database":true}})");
  ProbeOutcome o = Run(kT0 + 1000);
  EXPECT_EQ(o.stale_markers, 1u);
  auto redis = Check("redis");
  ASSERT_EQ(redis.size(), 2u);
  EXPECT_TRUE(IsStaleNaN(redis[1].v));
  EXPECT_EQ(redis[1].t, kT0 + 1000);
  EXPECT_EQ(Check("database").back().v, 1);
  // The body stops being JSON: the health series and remaining checks go stale too.
  Serve("OK");
  o = Run(kT0 + 2000);
  EXPECT_TRUE(o.success);
  EXPECT_EQ(o.stale_markers, 2u);
  EXPECT_TRUE(IsStaleNaN(Samples("probe_health_status").back().v));
  EXPECT_TRUE(IsStaleNaN(Check("database").back().v));
  EXPECT_EQ(Samples("probe_success").back().v, 1);
}

TEST_F(ProbeManagerTest, UnknownProbeIsNotFound) {
  Make();
  EXPECT_EQ(manager_->RunOnce("nope", kT0).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ProbeManagerTest, StartRunsOnTheInterval) {
  Serve(R"({"status":"ok"})");
  auto p = Parse(StrCat("probes:\n  - name: fast\n    url: ", url_,
                        "\n    interval: 100ms\n    timeout: 80ms\n"));
  ASSERT_TRUE(p.ok());
  manager_ = std::make_unique<ProbeManager>(db_.db(), nullptr, *std::move(p));
  manager_->Start();
  const int64_t deadline = NowMs() + 5000;
  while (Samples("probe_success").size() < 3 && NowMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  manager_->Stop();
  EXPECT_GE(Samples("probe_success").size(), 3u);
}

}  // namespace
}  // namespace vigil
