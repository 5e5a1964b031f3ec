#include "query/promql/conformance/result_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil::promql::conformance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

EvalCmd Expect(std::vector<std::pair<Labels, double>> samples, EvalKind kind = EvalKind::kNormal) {
  EvalCmd c;
  c.kind = kind;
  int pos = 1;
  for (auto& [l, v] : samples) c.samples.push_back({l, v, pos++});
  return c;
}

QueryResult VectorOf(std::vector<std::pair<Labels, double>> samples) {
  QueryResult r;
  r.type = ValueType::kVector;
  for (auto& [l, v] : samples) r.vector.push_back({l, v, 0});
  return r;
}

QueryResult ScalarOf(double v) {
  QueryResult r;
  r.type = ValueType::kScalar;
  r.scalar = v;
  return r;
}

std::string Why(const absl::Status& s) { return s.ok() ? "ok" : std::string(s.message()); }

const Labels kA({{"__name__", "m"}, {"i", "a"}});
const Labels kB({{"__name__", "m"}, {"i", "b"}});

TEST(AlmostEqualTest, MatchesUpstream) {
  EXPECT_TRUE(AlmostEqual(1, 1));
  EXPECT_TRUE(AlmostEqual(kNaN, kNaN));
  EXPECT_FALSE(AlmostEqual(kNaN, 1));
  EXPECT_TRUE(AlmostEqual(kInf, kInf));
  EXPECT_FALSE(AlmostEqual(kInf, -kInf));
  EXPECT_FALSE(AlmostEqual(kInf, 1e308));
  EXPECT_TRUE(AlmostEqual(0.0, -0.0));
  EXPECT_TRUE(AlmostEqual(1, 1 + 1e-7));
  EXPECT_TRUE(AlmostEqual(1e6, 1e6 + 1));  // relative 5e-7
  EXPECT_FALSE(AlmostEqual(1, 1.00001));
  EXPECT_FALSE(AlmostEqual(-1, 1));
  // Against zero the tolerance is absolute and tiny.
  EXPECT_FALSE(AlmostEqual(0, 1e-300));
  EXPECT_TRUE(AlmostEqual(0, 1e-323));
  EXPECT_FALSE(AlmostEqual(1e-310, 2e-310));
}

TEST(CheckInstantResultTest, Vectors) {
  EvalCmd cmd = Expect({{kA, 1}, {kB, 2}});
  EXPECT_EQ(Why(CheckInstantResult(cmd, VectorOf({{kB, 2}, {kA, 1.0000001}}))), "ok");
  EXPECT_EQ(Why(CheckInstantResult(cmd, VectorOf({{kA, 1}, {kB, 3}}))),
            "expected 2 for m{i=\"b\"} but got 3");
  EXPECT_EQ(Why(CheckInstantResult(cmd, VectorOf({{kA, 1}}))),
            "expected metric m{i=\"b\"} with 2 not found");
  EXPECT_EQ(Why(CheckInstantResult(cmd, VectorOf({{kA, 1}, {kB, 2}, {Labels({{"i", "c"}}), 0}}))),
            "unexpected metric {i=\"c\"} in result");
  // The metric name is part of the identity.
  EXPECT_EQ(Why(CheckInstantResult(Expect({{Labels({{"i", "a"}}), 1}}), VectorOf({{kA, 1}}))),
            "unexpected metric m{i=\"a\"} in result");
  EXPECT_EQ(Why(CheckInstantResult(Expect({}), VectorOf({}))), "ok");
  EXPECT_EQ(Why(CheckInstantResult(Expect({{kA, kNaN}}), VectorOf({{kA, kNaN}}))), "ok");
}

TEST(CheckInstantResultTest, OrderOnlyForEvalOrdered) {
  auto got = VectorOf({{kB, 2}, {kA, 1}});
  EXPECT_EQ(Why(CheckInstantResult(Expect({{kA, 1}, {kB, 2}}), got)), "ok");
  EXPECT_EQ(Why(CheckInstantResult(Expect({{kA, 1}, {kB, 2}}, EvalKind::kOrdered), got)),
            "expected metric m{i=\"b\"} with 2 at position 2 but was at 1");
  EXPECT_EQ(Why(CheckInstantResult(Expect({{kB, 2}, {kA, 1}}, EvalKind::kOrdered), got)), "ok");
}

TEST(CheckInstantResultTest, ScalarsAndTypes) {
  EvalCmd scalar;
  scalar.scalar = 2;
  EXPECT_EQ(Why(CheckInstantResult(scalar, ScalarOf(2))), "ok");
  EXPECT_EQ(Why(CheckInstantResult(scalar, ScalarOf(3))), "expected scalar 2 but got 3");
  EXPECT_EQ(Why(CheckInstantResult(scalar, VectorOf({}))), "expected scalar 2 but got a vector");
  EXPECT_EQ(Why(CheckInstantResult(Expect({}), ScalarOf(1))), "got scalar 1 but expected a vector");
  scalar.scalar = kInf;
  EXPECT_EQ(Why(CheckInstantResult(scalar, ScalarOf(kInf))), "ok");
  QueryResult m;
  m.type = ValueType::kMatrix;
  EXPECT_EQ(Why(CheckInstantResult(Expect({}), m)), "received range result on instant evaluation");
  QueryResult s;
  s.type = ValueType::kString;
  EXPECT_EQ(Why(CheckInstantResult(Expect({}), s)), "unexpected result type string");
}

TEST(CheckRangeResultTest, UsesThePointAtTheEvalTime) {
  QueryResult r;
  r.type = ValueType::kMatrix;
  r.matrix.push_back({kA, {{0, 5}, {60000, 1}, {120000, 7}}});
  r.matrix.push_back({kB, {{0, 9}}});  // no point at t: not in the reduced vector
  EXPECT_EQ(Why(CheckRangeResult(Expect({{kA, 1}}), ValueType::kVector, r, 60000)), "ok");
  EXPECT_EQ(Why(CheckRangeResult(Expect({{kA, 1}, {kB, 9}}), ValueType::kVector, r, 60000)),
            "expected metric m{i=\"b\"} with 9 not found");
  // Order is never checked in range mode.
  EXPECT_EQ(
      Why(CheckRangeResult(Expect({{kA, 1}}, EvalKind::kOrdered), ValueType::kVector, r, 60000)),
      "ok");

  QueryResult sc;
  sc.type = ValueType::kMatrix;
  sc.matrix.push_back({Labels(), {{0, 1}, {60000, 2}, {120000, 3}}});
  EvalCmd scalar;
  scalar.scalar = 2;
  EXPECT_EQ(Why(CheckRangeResult(scalar, ValueType::kScalar, sc, 60000)), "ok");
  EXPECT_EQ(Why(CheckRangeResult(scalar, ValueType::kScalar, sc, 120000)),
            "expected scalar 2 but got 3");
  EXPECT_EQ(Why(CheckRangeResult(scalar, ValueType::kScalar, sc, 30000)),
            "range query has no point at 30000 ms");
  EXPECT_EQ(Why(CheckRangeResult(scalar, ValueType::kScalar, ScalarOf(2), 0)),
            "range query returned a scalar, not a matrix");
}

TEST(FormatTest, ResultsAndExpectations) {
  EXPECT_EQ(FormatResult(VectorOf({{kA, 1.5}, {kB, -kInf}})), "m{i=\"a\"} 1.5\nm{i=\"b\"} -Inf");
  EXPECT_EQ(FormatResult(VectorOf({})), "empty vector");
  EXPECT_EQ(FormatResult(ScalarOf(kNaN)), "scalar NaN");
  EXPECT_EQ(FormatExpected(Expect({{kA, 2}})), "m{i=\"a\"} 2");
  EXPECT_EQ(FormatExpected(Expect({})), "empty result");
  EXPECT_EQ(FormatExpected(Expect({}, EvalKind::kFail)), "an error");
  EXPECT_EQ(FormatValue(StaleNaN()), "stale");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
}

}  // namespace
}  // namespace vigil::promql::conformance
