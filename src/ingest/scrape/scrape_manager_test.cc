#include "ingest/scrape/scrape_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "common/time_util.h"
#include "ingest/scrape/scrape_test_fixture.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

class ScrapeManagerTest : public ScrapeFixture {};

TEST_F(ScrapeManagerTest, ScrapesSamplesWithTargetLabelsAndReportSeries) {
  Serve(
      "# HELP http_requests_total Requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{code=\"200\"} 10\n"
      "temperature 21.5\n");
  Make();
  ScrapeOutcome o = Scrape(kT0);
  EXPECT_TRUE(o.up) << o.error;
  EXPECT_EQ(o.samples_scraped, 2u);
  EXPECT_EQ(o.samples_post_relabel, 2u);
  EXPECT_EQ(o.series_added, 2u);

  auto reqs = Select("http_requests_total");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].labels.ToString(),
            StrCat("http_requests_total{code=\"200\", env=\"test\", instance=\"", addr_,
                   "\", job=\"app\"}"));
  ASSERT_EQ(reqs[0].samples.size(), 1u);
  EXPECT_EQ(reqs[0].samples[0].t, kT0);
  EXPECT_EQ(reqs[0].samples[0].v, 10);

  auto up = Select("up");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].labels.ToString(),
            StrCat("up{env=\"test\", instance=\"", addr_, "\", job=\"app\"}"));
  ASSERT_EQ(up[0].samples.size(), 1u);
  EXPECT_EQ(up[0].samples[0].v, 1);
  EXPECT_EQ(Samples("scrape_samples_scraped")[0].v, 2);
  EXPECT_EQ(Samples("scrape_samples_post_metric_relabeling")[0].v, 2);
  EXPECT_EQ(Samples("scrape_series_added")[0].v, 2);
  ASSERT_EQ(Samples("scrape_duration_seconds").size(), 1u);
  EXPECT_GE(Samples("scrape_duration_seconds")[0].v, 0);
  EXPECT_LT(Samples("scrape_duration_seconds")[0].v, 5);

  auto md = db_->Metadata("http_requests_total", 0);
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].second.type, MetricType::kCounter);
  EXPECT_EQ(md[0].second.help, "Requests.");

  EXPECT_THAT(LastHeader("Accept"), HasSubstr("application/openmetrics-text;version=1.0.0"));
  EXPECT_THAT(LastHeader("Accept"), HasSubstr("text/plain;version=0.0.4;q=0.5"));
  EXPECT_EQ(LastHeader("X-Prometheus-Scrape-Timeout-Seconds"), "0.5");

  TargetsSnapshot snap = manager_->Targets();
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active[0].status.health, TargetHealth::kUp);
  EXPECT_EQ(snap.active[0].status.last_scrape_ms, kT0);
  EXPECT_EQ(snap.active[0].scrape_url, StrCat("http://", addr_, "/metrics"));
}

TEST_F(ScrapeManagerTest, VanishedSeriesGetStaleMarkers) {
  Serve("a 1\nb 2\n");
  Make();
  ASSERT_TRUE(Scrape(kT0).up);
  Serve("a 3\n");
  ScrapeOutcome o = Scrape(kT0 + 1000);
  ASSERT_TRUE(o.up);
  EXPECT_EQ(o.series_added, 0u);
  EXPECT_EQ(o.stale_markers, 1u);
  auto a = Samples("a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].v, 3);
  auto b = Samples("b");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].v, 2);
  EXPECT_EQ(b[1].t, kT0 + 1000);
  EXPECT_TRUE(IsStaleNaN(b[1].v));
  // Marked once only: a third scrape without b writes nothing more for it.
  Scrape(kT0 + 2000);
  EXPECT_EQ(Samples("b").size(), 2u);
  // b comes back as a new series.
  Serve("a 4\nb 5\n");
  o = Scrape(kT0 + 3000);
  EXPECT_EQ(o.series_added, 1u);
  EXPECT_EQ(Samples("b").back().v, 5);
}

TEST_F(ScrapeManagerTest, FailedScrapeMarksEverythingStaleAndWritesUpZero) {
  Serve("a 1\nb 2\n");
  Make();
  ASSERT_TRUE(Scrape(kT0).up);
  Serve("oops", 500);
  ScrapeOutcome o = Scrape(kT0 + 1000);
  EXPECT_FALSE(o.up);
  EXPECT_EQ(o.error, "server returned HTTP status 500 Internal Server Error");
  EXPECT_EQ(o.stale_markers, 2u);
  for (std::string_view m : {"a", "b"}) {
    auto s = Samples(m);
    ASSERT_EQ(s.size(), 2u) << m;
    EXPECT_TRUE(IsStaleNaN(s[1].v)) << m;
    EXPECT_EQ(s[1].t, kT0 + 1000);
  }
  auto up = Samples("up");
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[1].v, 0);
  EXPECT_EQ(up[1].t, kT0 + 1000);
  TargetsSnapshot snap = manager_->Targets();
  EXPECT_EQ(snap.active[0].status.health, TargetHealth::kDown);
  EXPECT_EQ(snap.active[0].status.last_error, o.error);
  // A second failure has nothing left to mark.
  o = Scrape(kT0 + 2000);
  EXPECT_EQ(o.stale_markers, 0u);
  // Recovery: all series are new again.
  Serve("a 1\nb 2\n");
  o = Scrape(kT0 + 3000);
  EXPECT_TRUE(o.up);
  EXPECT_EQ(o.series_added, 2u);
  EXPECT_EQ(Samples("a").back().v, 1);
  EXPECT_EQ(registry_
                .GetCounter("vigil_scrape_scrapes_total", "",
                            Labels({{"job", "app"}, {"result", "failure"}}))
                .Value(),
            2u);
}

TEST_F(ScrapeManagerTest, UnreachableTargetIsDown) {
  Make();
  target_.Stop();
  ScrapeOutcome o = Scrape(kT0);
  EXPECT_FALSE(o.up);
  EXPECT_FALSE(o.error.empty());
  EXPECT_EQ(Samples("up").at(0).v, 0);
}

TEST_F(ScrapeManagerTest, TimeoutFailsTheScrape) {
  Serve("a 1\n");
  SetDelay(300);
  manager_ = std::make_unique<ScrapeManager>(db_.db(), nullptr, Settings(Yaml("", "1s", "100ms")));
  const int64_t start = MonotonicNs();
  ScrapeOutcome o = Scrape(kT0);
  EXPECT_LT((MonotonicNs() - start) / 1'000'000, 250);
  EXPECT_FALSE(o.up);
  EXPECT_THAT(o.error, HasSubstr("timeout"));
  EXPECT_TRUE(Samples("a").empty());
}

TEST_F(ScrapeManagerTest, ParseErrorFailsTheScrape) {
  Serve("a 1\nb{ 2\nc 3\n");
  Make();
  ScrapeOutcome o = Scrape(kT0);
  EXPECT_FALSE(o.up);
  EXPECT_THAT(o.error, HasSubstr("line 2:"));
  EXPECT_TRUE(Samples("a").empty());
  EXPECT_EQ(Samples("up").at(0).v, 0);
}

TEST_F(ScrapeManagerTest, HonorLabelsFalseRenamesConflicts) {
  Serve("m{job=\"exporter\",instance=\"x\",exported_job=\"taken\"} 1\n");
  Make();
  ASSERT_TRUE(Scrape(kT0).up);
  auto m = Select("m");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].labels.Get("job"), "app");
  EXPECT_EQ(m[0].labels.Get("instance"), addr_);
  EXPECT_EQ(m[0].labels.Get("exported_instance"), "x");
  EXPECT_EQ(m[0].labels.Get("exported_job"), "taken");
  EXPECT_EQ(m[0].labels.Get("exported_exported_job"), "exporter");
}

TEST_F(ScrapeManagerTest, HonorLabelsTrueKeepsScrapedValues) {
  Serve("m{job=\"exporter\"} 1\n");
  Make("    honor_labels: true\n");
  ASSERT_TRUE(Scrape(kT0).up);
  auto m = Select("m");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].labels.Get("job"), "exporter");
  EXPECT_EQ(m[0].labels.Get("instance"), addr_);  // not exposed: the target's
  EXPECT_FALSE(m[0].labels.Has("exported_job"));
  // Report series always carry the target's labels.
  EXPECT_EQ(Select("up").at(0).labels.Get("job"), "app");
}

TEST_F(ScrapeManagerTest, MetricRelabelingDropsAndRewrites) {
  Serve("keep_me{path=\"/a\"} 1\ngo_gc_seconds 2\ngo_threads 3\n");
  Make(
      "    metric_relabel_configs:\n"
      "      - source_labels: [__name__]\n"
      "        regex: go_.*\n"
      "        action: drop\n"
      "      - source_labels: [path]\n"
      "        target_label: route\n"
      "      - action: labeldrop\n"
      "        regex: path\n");
  ScrapeOutcome o = Scrape(kT0);
  ASSERT_TRUE(o.up) << o.error;
  EXPECT_EQ(o.samples_scraped, 3u);
  EXPECT_EQ(o.samples_post_relabel, 1u);
  EXPECT_TRUE(Select("go_threads").empty());
  auto k = Select("keep_me");
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].labels.Get("route"), "/a");
  EXPECT_FALSE(k[0].labels.Has("path"));
  EXPECT_EQ(Samples("scrape_samples_post_metric_relabeling")[0].v, 1);
  EXPECT_EQ(Samples("scrape_samples_scraped")[0].v, 3);
}

TEST_F(ScrapeManagerTest, SampleLimitFailsTheWholeScrape) {
  Serve("a 1\nb 2\n");
  Make("    sample_limit: 2\n");
  ASSERT_TRUE(Scrape(kT0).up);
  Serve("a 1\nb 2\nc 3\n");
  ScrapeOutcome o = Scrape(kT0 + 1000);
  EXPECT_FALSE(o.up);
  EXPECT_EQ(o.error, "sample limit exceeded");
  EXPECT_EQ(o.samples_scraped, 3u);
  EXPECT_TRUE(Samples("c").empty());
  EXPECT_TRUE(IsStaleNaN(Samples("a").back().v));
  EXPECT_TRUE(IsStaleNaN(Samples("b").back().v));
  EXPECT_EQ(Samples("up").back().v, 0);
  EXPECT_EQ(
      registry_.GetCounter("vigil_scrape_sample_limit_exceeded_total", "", Labels({{"job", "app"}}))
          .Value(),
      1u);
}

TEST_F(ScrapeManagerTest, LabelLimitsFailTheScrape) {
  Serve("a{x=\"1\",y=\"2\"} 1\n");
  Make("    label_limit: 3\n");
  ScrapeOutcome o = Scrape(kT0);
  EXPECT_FALSE(o.up);
  EXPECT_THAT(o.error, HasSubstr("label_limit exceeded (metric: a, number of labels: 6"));
  Serve("a{x=\"" + std::string(40, 'v') + "\"} 1\n");
  manager_ = std::make_unique<ScrapeManager>(db_.db(), nullptr,
                                             Settings(Yaml("    label_value_length_limit: 32\n")));
  o = Scrape(kT0 + 1000);
  EXPECT_FALSE(o.up);
  EXPECT_THAT(o.error, HasSubstr("label_value_length_limit exceeded"));
}

TEST_F(ScrapeManagerTest, ExplicitTimestampsAreHonoredAndNeverMarkedStale) {
  Serve("with_ts 1 1600000000000\nwithout_ts 2\n");
  Make();
  ASSERT_TRUE(Scrape(kT0).up);
  EXPECT_EQ(Samples("with_ts").at(0).t, 1600000000000);
  Serve("other 1\n");
  ASSERT_TRUE(Scrape(kT0 + 1000).up);
  EXPECT_EQ(Samples("with_ts").size(), 1u);
  EXPECT_TRUE(IsStaleNaN(Samples("without_ts").back().v));
}

TEST_F(ScrapeManagerTest, HonorTimestampsFalseUsesScrapeTime) {
  Serve("with_ts 1 1600000000000\n");
  Make("    honor_timestamps: false\n");
  ASSERT_TRUE(Scrape(kT0).up);
  EXPECT_EQ(Samples("with_ts").at(0).t, kT0);
}

TEST_F(ScrapeManagerTest, OpenMetricsWithExemplars) {
  Serve(
      "# TYPE latency histogram\n"
      "latency_bucket{le=\"0.5\"} 3 # {trace_id=\"abc\"} 0.4 1700000000.5\n"
      "latency_bucket{le=\"+Inf\"} 4\n"
      "latency_sum 1.5\n"
      "latency_count 4\n"
      "# EOF\n",
      200, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  Make();
  ASSERT_TRUE(Scrape(kT0).up);
  EXPECT_EQ(Select("latency_bucket").size(), 2u);
  auto ex =
      db_->SelectExemplars({{*LabelMatcher::Make(MatchType::kEqual, "le", "0.5")}}, 0, INT64_MAX);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].exemplars.at(0).labels.Get("trace_id"), "abc");
  EXPECT_EQ((*ex)[0].series.Get("job"), "app");
}

TEST_F(ScrapeManagerTest, ParamsReachTheTarget) {
  Serve("a 1\n");
  Make("    params: {module: [http_2xx], target: ['x y']}\n");
  ASSERT_TRUE(Scrape(kT0).up);
  EXPECT_EQ(target_.last_request().raw_query(), "module=http_2xx&target=x%20y");
}

TEST_F(ScrapeManagerTest, ReloadRetiresRemovedTargetsWithStaleMarkers) {
  Serve("a 1\n");
  Make();
  ASSERT_TRUE(Scrape(kT0).up);
  // Same target, new job settings: the target keeps its state.
  manager_->Reload(Settings(Yaml("    honor_labels: true\n")));
  ASSERT_EQ(manager_->Targets().active.size(), 1u);
  EXPECT_EQ(manager_->Targets().active[0].status.health, TargetHealth::kUp);
  EXPECT_EQ(Scrape(kT0 + 1000).series_added, 0u);
  // The job disappears: its series and report series are marked stale now.
  const int64_t before = NowMs();
  manager_->Reload(Settings("scrape_configs: []\n"));
  EXPECT_TRUE(manager_->Targets().active.empty());
  auto a = Samples("a");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(IsStaleNaN(a.back().v));
  EXPECT_GE(a.back().t, before);
  EXPECT_TRUE(IsStaleNaN(Samples("up").back().v));
  EXPECT_TRUE(IsStaleNaN(Samples("scrape_series_added").back().v));
  EXPECT_FALSE(manager_->ScrapeOnce("app", addr_, kT0 + 5000).ok());
}

TEST_F(ScrapeManagerTest, DroppedTargetsAreListed) {
  Make(
      "    relabel_configs:\n"
      "      - source_labels: [env]\n"
      "        regex: test\n"
      "        action: drop\n");
  TargetsSnapshot s = manager_->Targets();
  EXPECT_TRUE(s.active.empty());
  ASSERT_EQ(s.dropped.size(), 1u);
  EXPECT_EQ(s.dropped[0].scrape_pool, "app");
  EXPECT_EQ(s.dropped[0].discovered_labels.Get("__address__"), addr_);
}

TEST_F(ScrapeManagerTest, StartScrapesOnTheInterval) {
  Serve("a 1\n");
  manager_ = std::make_unique<ScrapeManager>(db_.db(), &registry_, Settings(Yaml("", "100ms", "80ms")));
  manager_->Start();
  const int64_t deadline = NowMs() + 5000;
  while (Samples("up").size() < 3 && NowMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  manager_->Stop();
  auto up = Samples("up");
  ASSERT_GE(up.size(), 3u);
  for (const Sample& s : up) EXPECT_EQ(s.v, 1);
  // Scrapes keep their phase: consecutive ones are about one interval apart.
  EXPECT_GE(up[2].t - up[1].t, 80);
  // Stop writes no staleness markers (as Prometheus on shutdown).
  EXPECT_FALSE(IsStaleNaN(Samples("a").back().v));
  const size_t n = up.size();
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(Samples("up").size(), n);
}

TEST_F(ScrapeManagerTest, UnknownTargetIsNotFound) {
  Make();
  auto r = manager_->ScrapeOnce("app", "nope:1", kT0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil
