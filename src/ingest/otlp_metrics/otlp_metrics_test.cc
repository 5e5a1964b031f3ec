// End to end: OTLP metrics protobuf requests through OtlpMetricsIngester into a real metrics
// store, read back through its querier.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/otlp_metrics/otlp_metrics_ingester.h"
#include "ingest/otlp_metrics/otlp_metrics_test_util.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {
namespace {

using namespace otlp_test;  // NOLINT: test builders
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr uint64_t kT = 1714564800000000000;  // 2024-05-01T12:00:00Z, ns
constexpr int64_t kMs = 1714564800000;
constexpr uint64_t kSec = 1'000'000'000;
constexpr int64_t kNowMs = kMs + 60'000;

MATCHER_P2(At, t, v, "") { return arg.t == t && arg.v == v; }

const std::string kTraceId("\x5b\x8e\xfb\xf0\x0b\x1c\x4a\x2d\x9e\x3f\x10\x11\x12\x13\x14\x15", 16);
const std::string kSpanId("\x01\x02\x03\x04\x05\x06\x07\x08", 8);

class OtlpMetricsTest : public ::testing::Test {
 protected:
  absl::StatusOr<OtlpMetricsResult> Send(const std::string& body) {
    return ingester_.IngestProto(body, kNowMs);
  }
  // One resource (service "cart" in namespace "shop", instance "i-1") and scope.
  absl::StatusOr<OtlpMetricsResult> SendMetrics(const std::vector<std::string>& metrics,
                                                const Attrs& extra_resource = {}) {
    Attrs res = {KV("service.name", "cart"), KV("service.namespace", "shop"),
                 KV("service.instance.id", "i-1")};
    res.insert(res.end(), extra_resource.begin(), extra_resource.end());
    return Send(Request({Resource(res, {Scope("meter", "1.2", metrics)})}));
  }
  std::map<std::string, std::vector<Sample>> Read(std::string_view metric) {
    return db_.Read(metric);
  }
  // The series `name` of the standard resource and scope, with `extra` labels.
  static std::string Series(std::string_view name, std::vector<Label> extra = {}) {
    extra.push_back({"__name__", std::string(name)});
    extra.push_back({"instance", "i-1"});
    extra.push_back({"job", "shop/cart"});
    extra.push_back({"otel_scope_name", "meter"});
    extra.push_back({"otel_scope_version", "1.2"});
    return Labels::FromUnsorted(std::move(extra)).ToString();
  }

  MetricsRegistry registry_;
  TempMetricsDb db_{&registry_};
  OtlpMetricsIngester ingester_{db_.db(), &registry_};
};

TEST_F(OtlpMetricsTest, GaugeWithJobInstanceScopeAndSanitizedLabels) {
  auto r = SendMetrics({Metric("system.memory.utilization", "1", kGauge,
                               Data({NumberPoint({KV("state", "used"), KV("9.x", "a")}, kT, 0.5)}),
                               "Memory in use.")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.total, 1u);
  EXPECT_EQ(r->rejected_data_points(), 0);
  EXPECT_EQ(r->error_message(), "");
  EXPECT_EQ(r->ResponseProto(), "");
  EXPECT_EQ(r->ResponseJson(), "{}");
  EXPECT_THAT(Read("system_memory_utilization_ratio"),
              ElementsAre(Pair(
                  Series("system_memory_utilization_ratio", {{"key_9_x", "a"}, {"state", "used"}}),
                  ElementsAre(At(kMs, 0.5)))));
  auto md = db_->Metadata("system_memory_utilization_ratio", 0);
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].second, (MetricMetadata{MetricType::kGauge, "Memory in use.", "ratio"}));
  EXPECT_NE(registry_.RenderText().find("vigil_samples_ingested_total{protocol=\"otlp\"} 1"),
            std::string::npos);
}

TEST_F(OtlpMetricsTest, CumulativeCounterGetsUnitAndTotal) {
  auto r = SendMetrics({
      Metric("process.cpu.time", "s", kSum,
             Data({NumberPoint({}, kT, 1.5), NumberPoint({}, kT + 10 * kSec, 2.5)},
                  /*temporality=*/2, /*monotonic=*/true)),
      Metric("http.server.requests", "{request}", kSum,
             Data({NumberPoint({KV("http.method", "GET")}, kT, 7, /*as_int=*/true)}, 2, true)),
      // Already suffixed: nothing is doubled.
      Metric("queue_bytes_total", "By", kSum, Data({NumberPoint({}, kT, 3)}, 2, true)),
      // Non-monotonic cumulative sums are gauges.
      Metric("queue.depth", "{item}", kSum, Data({NumberPoint({}, kT, -4)}, 2, false)),
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.rejected, 0u) << r->error_message();
  EXPECT_THAT(Read("process_cpu_time_seconds_total"),
              ElementsAre(Pair(Series("process_cpu_time_seconds_total"),
                               ElementsAre(At(kMs, 1.5), At(kMs + 10'000, 2.5)))));
  EXPECT_THAT(Read("http_server_requests_total"),
              ElementsAre(Pair(Series("http_server_requests_total", {{"http_method", "GET"}}),
                               ElementsAre(At(kMs, 7)))));
  EXPECT_EQ(Read("queue_bytes_total").size(), 1u);
  EXPECT_THAT(Read("queue_depth"),
              ElementsAre(Pair(Series("queue_depth"), ElementsAre(At(kMs, -4)))));
  auto md = db_->Metadata("process_cpu_time_seconds_total", 0);
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].second.type, MetricType::kCounter);
  EXPECT_EQ(md[0].second.unit, "seconds");
}

TEST_F(OtlpMetricsTest, DeltaCounterBecomesCumulativeAcrossRequests) {
  auto delta = [&](uint64_t t, double v) {
    return SendMetrics(
        {Metric("jobs.done", "", kSum, Data({NumberPoint({}, t, v)}, /*delta=*/1, true))});
  };
  ASSERT_TRUE(delta(kT, 5).ok());
  auto r = delta(kT + 10 * kSec, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.rejected, 0u);
  EXPECT_THAT(
      Read("jobs_done_total"),
      ElementsAre(Pair(Series("jobs_done_total"), ElementsAre(At(kMs, 5), At(kMs + 10'000, 8)))));
  EXPECT_EQ(ingester_.delta_series(), 1u);

  // A delta older than the last one cannot be added again.
  r = delta(kT + 5 * kSec, 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->points.rejected, 1u);
  EXPECT_EQ(r->points.errors[0].message,
            StrCat("metric \"jobs.done\": data point 0: delta point at ", kMs + 5'000,
                   " ms is older than the last one of its series (", kMs + 10'000, " ms)"));
  // Non-monotonic delta sums cannot be made cumulative.
  r = SendMetrics({Metric("temp.change", "", kSum, Data({NumberPoint({}, kT, 1)}, 1, false))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error_message(),
            "1 of 1 data points refused: metric \"temp.change\": delta temporality on a "
            "non-monotonic sum is not supported (only monotonic delta sums can be made "
            "cumulative) (1 data point refused)");
}

TEST_F(OtlpMetricsTest, DeltaTotalsAreNotAdvancedByAFailedRequest) {
  std::string ok = Request({Resource(
      {KV("service.name", "a")},
      {Scope("", "", {Metric("d", "", kSum, Data({NumberPoint({}, kT, 2)}, 1, true))})})});
  ASSERT_TRUE(Send(ok).ok());
  // The same delta series, then a truncated resource: nothing is stored, totals unchanged.
  std::string bad = Request({Resource(
      {KV("service.name", "a")},
      {Scope("", "", {Metric("d", "", kSum, Data({NumberPoint({}, kT + kSec, 100)}, 1, true))})})});
  bad += "\x0a\x20";  // a resource_metrics field whose length runs past the end
  EXPECT_FALSE(Send(bad).ok());
  std::string next = Request({Resource(
      {KV("service.name", "a")},
      {Scope("", "",
             {Metric("d", "", kSum, Data({NumberPoint({}, kT + 2 * kSec, 1)}, 1, true))})})});
  ASSERT_TRUE(Send(next).ok());
  EXPECT_THAT(Read("d_total"),
              ElementsAre(Pair("d_total{job=\"a\"}", ElementsAre(At(kMs, 2), At(kMs + 2000, 3)))));
}

TEST_F(OtlpMetricsTest, HistogramBucketsSumCountAndExemplarOnItsBucket) {
  HistogramSpec h;
  h.attrs = {KV("http.route", "/cart")};
  h.time_ns = kT;
  h.count = 6;
  h.sum = 4.2;
  h.buckets = {1, 2, 3};
  h.bounds = {0.1, 0.5};
  h.exemplars = {{0.3, kT - kSec, kTraceId, kSpanId, {KV("user.tier", "gold")}}};
  auto r =
      SendMetrics({Metric("http.server.duration", "s", kHistogram, Data({HistogramPoint(h)}, 2))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.rejected, 0u) << r->error_message();
  const Label route = {"http_route", "/cart"};
  EXPECT_THAT(
      Read("http_server_duration_seconds_bucket"),
      ElementsAre(Pair(Series("http_server_duration_seconds_bucket", {route, {"le", "+Inf"}}),
                       ElementsAre(At(kMs, 6))),
                  Pair(Series("http_server_duration_seconds_bucket", {route, {"le", "0.1"}}),
                       ElementsAre(At(kMs, 1))),
                  Pair(Series("http_server_duration_seconds_bucket", {route, {"le", "0.5"}}),
                       ElementsAre(At(kMs, 3)))));
  EXPECT_THAT(Read("http_server_duration_seconds_sum"),
              ElementsAre(Pair(Series("http_server_duration_seconds_sum", {route}),
                               ElementsAre(At(kMs, 4.2)))));
  EXPECT_THAT(Read("http_server_duration_seconds_count"),
              ElementsAre(Pair(Series("http_server_duration_seconds_count", {route}),
                               ElementsAre(At(kMs, 6)))));

  auto ex = db_->SelectExemplars(
      {{*LabelMatcher::Make(MatchType::kEqual, "__name__", "http_server_duration_seconds_bucket")}},
      0, kMs + 1000);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].series.Get("le"), "0.5");
  ASSERT_EQ((*ex)[0].exemplars.size(), 1u);
  const Exemplar& e = (*ex)[0].exemplars[0];
  EXPECT_EQ(e.labels.ToString(),
            "{span_id=\"0102030405060708\", trace_id=\"5b8efbf00b1c4a2d9e3f101112131415\", "
            "user_tier=\"gold\"}");
  EXPECT_EQ(e.value, 0.3);
  EXPECT_EQ(e.t, kMs - 1000);
}

TEST_F(OtlpMetricsTest, DeltaHistogramAndUnpackedBuckets) {
  HistogramSpec h;
  h.time_ns = kT;
  h.count = 3;
  h.buckets = {1, 2};
  h.bounds = {10};
  h.unpacked = true;
  ASSERT_TRUE(SendMetrics({Metric("lat", "ms", kHistogram, Data({HistogramPoint(h)}, 1))}).ok());
  h.time_ns = kT + kSec;
  h.count = 1;
  h.buckets = {1, 0};
  auto r = SendMetrics({Metric("lat", "ms", kHistogram, Data({HistogramPoint(h)}, 1))});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Read("lat_milliseconds_bucket"),
              ElementsAre(Pair(Series("lat_milliseconds_bucket", {{"le", "+Inf"}}),
                               ElementsAre(At(kMs, 3), At(kMs + 1000, 4))),
                          Pair(Series("lat_milliseconds_bucket", {{"le", "10"}}),
                               ElementsAre(At(kMs, 1), At(kMs + 1000, 2)))));
  EXPECT_THAT(Read("lat_milliseconds_sum"), IsEmpty());  // no sum sent
}

TEST_F(OtlpMetricsTest, SummaryQuantiles) {
  auto r = SendMetrics({Metric("rpc.latency", "ms", kSummary,
                               Data({SummaryPoint({}, kT, 10, 55.5, {{0.5, 4}, {0.99, 9.5}})}))});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Read("rpc_latency_milliseconds"),
              ElementsAre(Pair(Series("rpc_latency_milliseconds", {{"quantile", "0.5"}}),
                               ElementsAre(At(kMs, 4))),
                          Pair(Series("rpc_latency_milliseconds", {{"quantile", "0.99"}}),
                               ElementsAre(At(kMs, 9.5)))));
  EXPECT_THAT(
      Read("rpc_latency_milliseconds_sum"),
      ElementsAre(Pair(Series("rpc_latency_milliseconds_sum"), ElementsAre(At(kMs, 55.5)))));
  EXPECT_THAT(
      Read("rpc_latency_milliseconds_count"),
      ElementsAre(Pair(Series("rpc_latency_milliseconds_count"), ElementsAre(At(kMs, 10)))));
}

TEST_F(OtlpMetricsTest, TargetInfoCarriesTheOtherResourceAttributes) {
  auto r = SendMetrics(
      {Metric("g", "", kGauge, Data({NumberPoint({}, kT, 1), NumberPoint({}, kT + 30 * kSec, 2)}))},
      {KV("host.name", "h1"), KVInt("process.pid", 42)});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Read("target_info"),
              ElementsAre(Pair("target_info{host_name=\"h1\", instance=\"i-1\", job=\"shop/cart\", "
                               "process_pid=\"42\"}",
                               ElementsAre(At(kMs + 30'000, 1)))));
  // Resource attributes other than job and instance stay off the points.
  EXPECT_THAT(Read("g"),
              ElementsAre(Pair(Series("g"), ElementsAre(At(kMs, 1), At(kMs + 30'000, 2)))));
}

TEST_F(OtlpMetricsTest, ServiceNameAloneIsTheJobAndPointsWithoutTimeGetTheReceiveTime) {
  auto r = Send(Request(
      {Resource({KV("service.name", "api")},
                {Scope("", "", {Metric("up", "", kGauge, Data({NumberPoint({}, 0, 1)}))})})}));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Read("up"), ElementsAre(Pair("up{job=\"api\"}", ElementsAre(At(kNowMs, 1)))));
  EXPECT_THAT(Read("target_info"), IsEmpty());
}

TEST_F(OtlpMetricsTest, NoRecordedValueWritesStaleMarkers) {
  HistogramSpec h;
  h.time_ns = kT + kSec;
  h.flags = 1;
  h.buckets = {0, 0};
  h.bounds = {1};
  auto r =
      SendMetrics({Metric("g", "", kGauge,
                          Data({NumberPoint({}, kT, 3), NumberPoint({}, kT + kSec, 0, false, 1)})),
                   Metric("h", "", kHistogram, Data({HistogramPoint(h)}, 2))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.rejected, 0u) << r->error_message();
  auto g = Read("g");
  ASSERT_EQ(g.size(), 1u);
  const auto& samples = g.begin()->second;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].v, 3);
  EXPECT_EQ(samples[1].t, kMs + 1000);
  EXPECT_TRUE(IsStaleNaN(samples[1].v));
  for (const auto& [series, s] : Read("h_bucket")) {
    ASSERT_EQ(s.size(), 1u) << series;
    EXPECT_TRUE(IsStaleNaN(s[0].v)) << series;
  }
  EXPECT_EQ(Read("h_bucket").size(), 2u);
}

TEST_F(OtlpMetricsTest, ExponentialHistogramsAreRefused) {
  auto r = SendMetrics({Metric("eh", "", kExponentialHistogram,
                               Data({NumberPoint({}, kT, 0), NumberPoint({}, kT, 0)}, 2)),
                        Metric("ok", "", kGauge, Data({NumberPoint({}, kT, 1)}))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.total, 3u);
  EXPECT_EQ(r->points.rejected, 2u);
  EXPECT_EQ(r->rejected_data_points(), 2);
  EXPECT_EQ(r->error_message(),
            "2 of 3 data points refused: metric \"eh\": exponential histograms are not supported "
            "(2 data points refused)");
  EXPECT_EQ(Read("ok").size(), 1u);
  EXPECT_NE(r->ResponseJson().find("\"rejectedDataPoints\":\"2\""), std::string::npos)
      << r->ResponseJson();
}

TEST_F(OtlpMetricsTest, ABadPointIsRefusedAndTheRestKept) {
  HistogramSpec good, bad;
  good.time_ns = bad.time_ns = kT;
  good.count = 2;
  good.buckets = {1, 1, 0};
  good.bounds = {1, 2};
  bad = good;
  bad.attrs = {KV("k", "bad")};
  bad.buckets = {1, 1, 0, 0};
  HistogramSpec unordered = good;
  unordered.attrs = {KV("k", "unordered")};
  unordered.bounds = {2, 1};
  auto r = SendMetrics(
      {Metric("http.server.duration", "", kHistogram,
              Data({HistogramPoint(good), HistogramPoint(bad), HistogramPoint(unordered)}, 2)),
       Metric("g", "", kGauge, Data({NumberPoint({}, kT, 1), "\x09\x01"}))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.total, 5u);
  ASSERT_EQ(r->points.rejected, 3u);
  EXPECT_EQ(r->points.errors[0].message,
            "metric \"http.server.duration\": data point 1: bucket_counts has 4 entries for 2 "
            "explicit bounds");
  EXPECT_EQ(r->points.errors[1].message,
            "metric \"http.server.duration\": data point 2: explicit_bounds are not increasing at "
            "index 1 (2 then 1)");
  EXPECT_THAT(r->points.errors[2].message,
              HasSubstr("metric \"g\": data point 1: malformed data point"));
  EXPECT_EQ(Read("http_server_duration_count").size(), 1u);
  EXPECT_EQ(Read("g").size(), 1u);
}

TEST_F(OtlpMetricsTest, MalformedRequestsStoreNothing) {
  std::string body = Request(
      {Resource({KV("service.name", "x")},
                {Scope("", "", {Metric("g", "", kGauge, Data({NumberPoint({}, kT, 1)}))})})});
  auto r = Send(body.substr(0, body.size() - 3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("malformed OTLP metrics request: "));
  EXPECT_THAT(Read("g"), IsEmpty());
  // A wrong wire type above the points fails the request too.
  r = Send(Msg([](auto& w) { w.VarintField(1, 7); }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "malformed OTLP metrics request: resource_metrics has wire type varint, expected "
            "length-delimited");
  // An empty request is fine.
  r = Send("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.total, 0u);
}

TEST_F(OtlpMetricsTest, StoreRejectionsAreReported) {
  auto gauge = [&](uint64_t t) {
    return SendMetrics({Metric("g", "", kGauge, Data({NumberPoint({}, t, 1)}))});
  };
  ASSERT_TRUE(gauge(kT + 10 * kSec).ok());
  auto r = gauge(kT);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.rejected, 0u);
  EXPECT_EQ(r->samples.rejected[size_t(RejectReason::kOutOfOrder)], 1u);
  EXPECT_EQ(r->rejected_data_points(), 1);
  EXPECT_THAT(r->error_message(), HasSubstr("1 samples rejected (out_of_order: 1)"));
}

TEST_F(OtlpMetricsTest, EmptyNameAndBadResourceRefuseTheirPoints) {
  auto r = Send(Request({
      Resource({KV("service.name", "a")},
               {Scope("", "", {Metric("", "", kGauge, Data({NumberPoint({}, kT, 1)}))})}),
      Resource({KV("service.name", std::string("\xff", 1))},
               {Scope("", "", {Metric("x", "", kGauge, Data({NumberPoint({}, kT, 1)}))})}),
  }));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.rejected, 2u);
  EXPECT_EQ(r->points.errors[0].message,
            "resource_metrics[0].scope_metrics[0].metrics[0]: empty metric name (1 data point "
            "refused)");
  EXPECT_EQ(r->points.errors[1].message,
            "resource_metrics[1]: resource: attribute \"service.name\": invalid UTF-8 (1 data "
            "point refused)");
}

}  // namespace
}  // namespace vigil
