#include "ingest/spanmetrics/span_metrics.h"

#include "common/strings.h"
#include "gtest/gtest.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {
namespace {

SpanBatch Spans() {
  SpanBatch b;
  uint32_t checkout = b.AddResource("checkout", {});
  auto add = [&](std::string_view name, SpanKind kind, SpanStatus status, int64_t ms,
                 uint64_t trace) {
    SpanBatch::Entry& e = b.AddSpan(checkout);
    e.trace_id = TraceId{1, trace};
    e.span_id = trace * 10;
    e.name = name;
    e.kind = kind;
    e.status = status;
    e.start_ns = 1'700'000'000'000'000'000;
    e.end_ns = e.start_ns + ms * 1'000'000;
  };
  add("GET /cart", SpanKind::kServer, SpanStatus::kUnset, 3, 1);     // bucket 0.004
  add("GET /cart", SpanKind::kServer, SpanStatus::kUnset, 300, 2);   // bucket 0.4
  add("GET /cart", SpanKind::kServer, SpanStatus::kError, 1500, 3);  // bucket 2
  add("SELECT", SpanKind::kClient, SpanStatus::kUnset, 1, 4);        // skipped below
  return b;
}

TEST(SpanMetricsTest, CallsAndLatencyWithExemplars) {
  TempMetricsDb db;
  SpanMetrics m(SpanMetricsOptions{});
  SpanBatch b = Spans();
  std::vector<uint32_t> skip = {3};
  m.Add(b, skip);
  EXPECT_EQ(m.series(), 2u);
  ASSERT_TRUE(m.Flush(db.db(), 1'000'000).ok());

  auto calls = db.Read("traces_spanmetrics_calls_total");
  const std::string ok =
      "traces_spanmetrics_calls_total{service=\"checkout\", "
      "span_kind=\"SPAN_KIND_SERVER\", span_name=\"GET /cart\", status_code=\"STATUS_CODE_UNSET\"}";
  ASSERT_EQ(calls.size(), 2u);
  ASSERT_EQ(calls[ok].size(), 1u);
  EXPECT_EQ(calls[ok][0].v, 2);
  EXPECT_EQ(calls[ok][0].t, 1'000'000);

  auto buckets = db.Read("traces_spanmetrics_latency_bucket");
  auto bucket = [&](std::string_view le) {
    std::string key = StrCat(
        "traces_spanmetrics_latency_bucket{le=\"", le,
        "\", service=\"checkout\", span_kind=\"SPAN_KIND_SERVER\", span_name=\"GET /cart\", "
        "status_code=\"STATUS_CODE_UNSET\"}");
    return buckets[key].empty() ? -1.0 : buckets[key][0].v;
  };
  EXPECT_EQ(bucket("0.002"), 0);
  EXPECT_EQ(bucket("0.004"), 1);
  EXPECT_EQ(bucket("0.2"), 1);
  EXPECT_EQ(bucket("0.4"), 2);  // cumulative
  EXPECT_EQ(bucket("+Inf"), 2);
  auto sums = db.Read("traces_spanmetrics_latency_sum");
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_DOUBLE_EQ(sums.begin()->second[0].v, 1.5);  // STATUS_CODE_ERROR sorts first
  double total = 0;
  for (auto& [k, v] : sums) total += v[0].v;
  EXPECT_DOUBLE_EQ(total, 0.003 + 0.3 + 1.5);

  auto ex = db->Exemplars().SelectExemplars(
      {{*LabelMatcher::Make(MatchType::kEqual, kMetricName, "traces_spanmetrics_latency_bucket"),
        *LabelMatcher::Make(MatchType::kEqual, "le", "0.4")}},
      0, 2'000'000'000'000);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 1u);
  ASSERT_EQ((*ex)[0].exemplars.size(), 1u);
  EXPECT_EQ((*ex)[0].exemplars[0].labels.Get("trace_id"), (TraceId{1, 2}).Hex());
  EXPECT_DOUBLE_EQ((*ex)[0].exemplars[0].value, 0.3);
}

TEST(SpanMetricsTest, CountersAccumulateAcrossFlushesAndTheSeriesLimitHolds) {
  TempMetricsDb db;
  SpanMetricsOptions o;
  o.max_series = 1;
  SpanMetrics m(o);
  SpanBatch b = Spans();
  m.Add(b);
  EXPECT_EQ(m.series(), 1u);
  EXPECT_EQ(m.dropped_spans(), 2u);  // the error and the client span make new series
  ASSERT_TRUE(m.Flush(db.db(), 1'000).ok());
  m.Add(b);
  ASSERT_TRUE(m.Flush(db.db(), 2'000).ok());
  auto calls = db.Read("traces_spanmetrics_calls_total");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls.begin()->second.size(), 2u);
  EXPECT_EQ(calls.begin()->second[0].v, 2);
  EXPECT_EQ(calls.begin()->second[1].v, 4);
}

}  // namespace
}  // namespace vigil
