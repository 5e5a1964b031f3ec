#include "query/promql/engine/engine.h"

#include <cmath>

#include "gtest/gtest.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil::promql {
namespace {

constexpr int64_t kMin = 60 * 1000;

class EngineTest : public ::testing::Test {
 protected:
  // One sample per minute from t=0 for `n` minutes: value(i).
  void Load(const Labels& l, int n, double (*value)(int)) {
    auto app = db_->Appender();
    std::vector<LabelView> views(l.begin(), l.end());
    auto ref = app->GetOrCreate(views);
    ASSERT_TRUE(ref.ok()) << ref.status();
    std::vector<Sample> s;
    for (int i = 0; i < n; ++i) s.push_back({i * kMin, value(i)});
    app->Append(*ref, s);
    ASSERT_TRUE(app->Commit().ok());
  }
  void SetUp() override {
    Load({{"__name__", "req"}, {"job", "a"}, {"code", "200"}}, 60, [](int i) { return 10.0 * i; });
    Load({{"__name__", "req"}, {"job", "a"}, {"code", "500"}}, 60, [](int i) { return 1.0 * i; });
    Load({{"__name__", "req"}, {"job", "b"}, {"code", "200"}}, 60, [](int i) { return 5.0 * i; });
    Load({{"__name__", "limit"}, {"job", "a"}}, 60, [](int) { return 100.0; });
  }
  absl::StatusOr<QueryResult> Instant(std::string_view q, int64_t t) {
    return engine_.InstantQuery(db_.db(), q, t);
  }
  TempMetricsDb db_;
  Engine engine_;
};

TEST_F(EngineTest, SelectorPicksNewestSampleWithinLookback) {
  auto r = Instant("req{code=\"200\"}", 10 * kMin + 30000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->type, ValueType::kVector);
  ASSERT_EQ(r->vector.size(), 2u);
  EXPECT_EQ(r->vector[0].labels.Get("job"), "a");
  EXPECT_DOUBLE_EQ(r->vector[0].v, 100);
  EXPECT_EQ(r->vector[0].t, 10 * kMin + 30000);
  // Past the last sample by more than 5 minutes: nothing.
  r = Instant("req", 65 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->vector.empty());
}

TEST_F(EngineTest, AggregationAndRate) {
  auto r = Instant("sum by (job) (rate(req[5m]))", 30 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->vector.size(), 2u);
  double a = 0, b = 0;
  for (const auto& s : r->vector) (s.labels.Get("job") == "a" ? a : b) = s.v;
  EXPECT_NEAR(a, 11.0 / 60, 1e-12);
  EXPECT_NEAR(b, 5.0 / 60, 1e-12);
}

TEST_F(EngineTest, RangeQueryIsSortedAndStepAligned) {
  auto r = engine_.RangeQuery(db_.db(), "req * 2", 10 * kMin, 20 * kMin, 5 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 3u);
  for (size_t i = 1; i < r->matrix.size(); ++i) {
    EXPECT_TRUE(r->matrix[i - 1].labels < r->matrix[i].labels);
  }
  for (const auto& s : r->matrix) {
    EXPECT_TRUE(s.labels.MetricName().empty()) << "arithmetic drops the metric name";
    ASSERT_EQ(s.points.size(), 3u);
    EXPECT_EQ(s.points[1].t, 15 * kMin);
  }
}

TEST_F(EngineTest, VectorMatchingGroupLeft) {
  auto r = Instant("req / on(job) group_left limit", 10 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->vector.size(), 2u);  // only job="a" has a limit
  for (const auto& s : r->vector) EXPECT_EQ(s.labels.Get("job"), "a");
}

TEST_F(EngineTest, ManyToManyIsAnExecutionError) {
  auto r = Instant("req + on(job) limit", 10 * kMin);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(std::string(r.status().message()).find("many-to-one matching must be explicit"),
            std::string::npos)
      << r.status();
}

TEST_F(EngineTest, SampleLimit) {
  Engine small(EngineOptions{.max_samples = 10});
  auto r = small.RangeQuery(db_.db(), "req", 0, 59 * kMin, kMin);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(EngineTest, Timeout) {
  // Thousands of steps over a few hundred series take far longer than a millisecond on any
  // machine, so the deadline always passes mid-query.
  for (int i = 0; i < 300; ++i) {
    Labels l({{"__name__", "many"}, {"i", std::to_string(i)}});
    Load(l, 60, [](int j) { return 1.0 * j; });
  }
  auto r = engine_.RangeQuery(db_.db(), "sum(count_over_time(many[1h])) + sum(many)", 0,
                              60 * kMin, 500, QueryOptions{.timeout_ms = 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), "query timed out in expression evaluation");
}

TEST_F(EngineTest, AtModifierIsStepInvariant) {
  auto r = engine_.RangeQuery(db_.db(), "req{code=\"500\"} @ 600", 0, 30 * kMin, 10 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->matrix.size(), 1u);
  ASSERT_EQ(r->matrix[0].points.size(), 4u);
  for (const auto& p : r->matrix[0].points) EXPECT_DOUBLE_EQ(p.v, 10);
}

TEST_F(EngineTest, SubqueryOverRate) {
  auto r = Instant("max_over_time(rate(req{job=\"b\"}[5m])[10m:1m])", 30 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_NEAR(r->vector[0].v, 5.0 / 60, 1e-12);
}

TEST_F(EngineTest, ScalarAndStringResults) {
  auto r = Instant("1 + 2 * 3", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kScalar);
  EXPECT_DOUBLE_EQ(r->scalar, 7);
  r = Instant("\"hello\"", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kString);
  EXPECT_EQ(r->string, "hello");
  auto range = engine_.RangeQuery(db_.db(), "req[5m]", 0, kMin, kMin);
  EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, ParseErrorsAreInvalidArgument) {
  auto r = Instant("sum(", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("parse error"), std::string::npos);
}

TEST_F(EngineTest, RangeMatrixAtInstant) {
  auto r = Instant("limit[3m]", 10 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_EQ(r->matrix[0].points.size(), 4u);  // 7m, 8m, 9m, 10m: both ends included
}

}  // namespace
}  // namespace vigil::promql
