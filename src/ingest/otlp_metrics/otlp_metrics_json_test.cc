// OTLP/JSON metrics requests through OtlpMetricsIngester into a real metrics store.
#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/otlp_metrics/otlp_metrics_ingester.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr int64_t kMs = 1714564800000;
constexpr int64_t kNowMs = kMs + 60'000;

MATCHER_P2(At, t, v, "") { return arg.t == t && arg.v == v; }

class OtlpMetricsJsonTest : public ::testing::Test {
 protected:
  absl::StatusOr<OtlpMetricsResult> Send(std::string_view body) {
    return ingester_.IngestJson(body, kNowMs);
  }
  // One resource (job "shop/cart", instance "i-1") and scope "meter" around `metrics`.
  static std::string Wrap(std::string_view metrics, std::string_view extra_resource = "") {
    return StrCat(R"({"resourceMetrics":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"cart"}},
      {"key":"service.namespace","value":{"stringValue":"shop"}},
      {"key":"service.instance.id","value":{"stringValue":"i-1"}})",
                  extra_resource, R"(]},
      "scopeMetrics":[{"scope":{"name":"meter","version":"1.2"},"metrics":[)",
                  metrics, "]}]}]}");
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

TEST_F(OtlpMetricsJsonTest, GaugeCounterAndTargetInfo) {
  auto r = Send(Wrap(R"(
    {"name":"system.memory.utilization","unit":"1","gauge":{"dataPoints":[
      {"attributes":[{"key":"state","value":{"stringValue":"used"}}],
       "timeUnixNano":"1714564800000000000","asDouble":0.5}]}},
    {"name":"http.server.requests","unit":"{request}","description":"Requests.",
     "sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","isMonotonic":true,
            "dataPoints":[{"timeUnixNano":1714564800000000000,"asInt":"42",
                           "attributes":[{"key":"code","value":{"intValue":"200"}}]}]}})",
                     R"(,{"key":"host.name","value":{"stringValue":"h1"}})"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.total, 2u);
  EXPECT_EQ(r->points.rejected, 0u) << r->error_message();
  EXPECT_THAT(db_.Read("system_memory_utilization_ratio"),
              ElementsAre(Pair(Series("system_memory_utilization_ratio", {{"state", "used"}}),
                               ElementsAre(At(kMs, 0.5)))));
  EXPECT_THAT(db_.Read("http_server_requests_total"),
              ElementsAre(Pair(Series("http_server_requests_total", {{"code", "200"}}),
                               ElementsAre(At(kMs, 42)))));
  EXPECT_THAT(db_.Read("target_info"),
              ElementsAre(Pair("target_info{host_name=\"h1\", instance=\"i-1\", job=\"shop/cart\"}",
                               ElementsAre(At(kMs, 1)))));
}

TEST_F(OtlpMetricsJsonTest, HistogramWithExemplarAndSnakeCaseKeys) {
  auto r = Send(Wrap(R"(
    {"name":"http.server.duration","unit":"s","histogram":{"aggregation_temporality":2,
     "data_points":[{"time_unix_nano":"1714564800000000000","count":"6","sum":4.2,
       "bucket_counts":["1",2,"3"],"explicit_bounds":[0.1,0.5],
       "exemplars":[{"timeUnixNano":"1714564799000000000","asDouble":0.3,
                     "traceId":"5B8EFBF00B1C4A2D9E3F101112131415","spanId":"0102030405060708",
                     "filteredAttributes":[{"key":"user.tier","value":{"stringValue":"gold"}}]}]}]}})"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.rejected, 0u) << r->error_message();
  EXPECT_THAT(db_.Read("http_server_duration_seconds_bucket"),
              ElementsAre(Pair(Series("http_server_duration_seconds_bucket", {{"le", "+Inf"}}),
                               ElementsAre(At(kMs, 6))),
                          Pair(Series("http_server_duration_seconds_bucket", {{"le", "0.1"}}),
                               ElementsAre(At(kMs, 1))),
                          Pair(Series("http_server_duration_seconds_bucket", {{"le", "0.5"}}),
                               ElementsAre(At(kMs, 3)))));
  EXPECT_THAT(
      db_.Read("http_server_duration_seconds_sum"),
      ElementsAre(Pair(Series("http_server_duration_seconds_sum"), ElementsAre(At(kMs, 4.2)))));
  auto ex = db_->SelectExemplars(
      {{*LabelMatcher::Make(MatchType::kEqual, "__name__", "http_server_duration_seconds_bucket")}},
      0, kMs + 1000);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].series.Get("le"), "0.5");
  ASSERT_EQ((*ex)[0].exemplars.size(), 1u);
  EXPECT_EQ((*ex)[0].exemplars[0].labels.Get("trace_id"), "5b8efbf00b1c4a2d9e3f101112131415");
  EXPECT_EQ((*ex)[0].exemplars[0].labels.Get("user_tier"), "gold");
}

TEST_F(OtlpMetricsJsonTest, DeltaSumsSummariesAndStaleness) {
  auto delta = [&](std::string_view t, int v) {
    return Send(Wrap(StrCat(R"({"name":"jobs","sum":{"aggregationTemporality":1,"isMonotonic":true,
      "dataPoints":[{"timeUnixNano":")",
                            t, R"(","asInt":)", v, "}]}}")));
  };
  ASSERT_TRUE(delta("1714564800000000000", 5).ok());
  ASSERT_TRUE(delta("1714564801000000000", 2).ok());
  EXPECT_THAT(db_.Read("jobs_total"),
              ElementsAre(Pair(Series("jobs_total"), ElementsAre(At(kMs, 5), At(kMs + 1000, 7)))));

  auto r = Send(Wrap(R"(
    {"name":"rpc.latency","unit":"ms","summary":{"dataPoints":[
      {"timeUnixNano":"1714564800000000000","count":"10","sum":55.5,
       "quantileValues":[{"quantile":0.5,"value":4},{"quantile":0.99,"value":"NaN"}]}]}},
    {"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"1714564800000000000","flags":1}]}})"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.rejected, 0u) << r->error_message();
  auto q = db_.Read("rpc_latency_milliseconds");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_THAT(q[Series("rpc_latency_milliseconds", {{"quantile", "0.5"}})],
              ElementsAre(At(kMs, 4)));
  auto q99 = q[Series("rpc_latency_milliseconds", {{"quantile", "0.99"}})];
  ASSERT_EQ(q99.size(), 1u);
  EXPECT_TRUE(std::isnan(q99[0].v) && !IsStaleNaN(q99[0].v));
  auto g = db_.Read("g");
  ASSERT_EQ(g.size(), 1u);
  ASSERT_EQ(g.begin()->second.size(), 1u);
  EXPECT_TRUE(IsStaleNaN(g.begin()->second[0].v));
}

TEST_F(OtlpMetricsJsonTest, BadPointsAreRefusedOneByOne) {
  auto r = Send(Wrap(R"(
    {"name":"http.server.duration","histogram":{"aggregationTemporality":2,"dataPoints":[
      {"timeUnixNano":"1714564800000000000","count":"1","bucketCounts":["1","0"],"explicitBounds":[1]},
      {"timeUnixNano":"1714564800000000000","count":"1","bucketCounts":["1","0","0","0"],
       "explicitBounds":[1,2],"attributes":[{"key":"k","value":{"stringValue":"v"}}]},
      {"timeUnixNano":"1714564800000000000","count":"x"},
      {"timeUnixNano":"1714564800000000000","count":"1","exemplars":[{"traceId":"xyz"}]},
      "not an object"]}},
    {"name":"eh","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{},{}]}},
    {"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"1714564800000000000","asDouble":1}]}})"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points.total, 8u);
  ASSERT_EQ(r->points.rejected, 6u);
  ASSERT_EQ(r->points.errors.size(), 5u);
  EXPECT_EQ(r->points.errors[0].message,
            "metric \"http.server.duration\": data point 1: bucket_counts has 4 entries for 2 "
            "explicit bounds");
  EXPECT_EQ(r->points.errors[1].message,
            "metric \"http.server.duration\": data point 2: count is not an unsigned integer");
  EXPECT_EQ(r->points.errors[2].message,
            "metric \"http.server.duration\": data point 3: exemplars[0]: invalid trace_id "
            "\"xyz\": not a hex string");
  EXPECT_EQ(r->points.errors[3].message,
            "metric \"http.server.duration\": data point 4: data point must be an object, got "
            "string");
  EXPECT_EQ(r->points.errors[4].message,
            "metric \"eh\": exponential histograms are not supported (2 data points refused)");
  EXPECT_EQ(db_.Read("http_server_duration_count").size(), 1u);
  EXPECT_EQ(db_.Read("g").size(), 1u);
}

TEST_F(OtlpMetricsJsonTest, MalformedRequestsStoreNothing) {
  const std::string good = Wrap(
      R"({"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"1714564800000000000","asDouble":1}]}})");
  auto r = Send(good.substr(0, good.size() - 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("malformed OTLP/JSON metrics request: malformed JSON"));
  r = Send(R"({"resourceMetrics":{"not":"an array"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "malformed OTLP/JSON metrics request: resourceMetrics must be an array, got object");
  r = Send(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":[]}]}]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "malformed OTLP/JSON metrics request: resourceMetrics[0].scopeMetrics[0].metrics[0]: "
            "gauge must be an object, got array");
  r = Send("[]");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(db_.Read("g"), IsEmpty());
  r = Send("{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points.total, 0u);
}

}  // namespace
}  // namespace vigil
