// Cases from Prometheus 2.42's aggregators.test.
#include "query/promql/functions/aggregation_kernels.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kBig = 9.988465674311579e+307;

double Avg(const std::vector<double>& v) {
  AvgAccumulator a;
  a.Init(v[0]);
  for (size_t i = 1; i < v.size(); ++i) a.Add(v[i]);
  return a.Result();
}

VarianceAccumulator Var(const std::vector<double>& v) {
  VarianceAccumulator a;
  a.Init(v[0]);
  for (size_t i = 1; i < v.size(); ++i) a.Add(v[i]);
  return a;
}

TEST(AvgAccumulatorTest, FromAggregatorsTest) {
  EXPECT_EQ(10, Avg({8, 10, 12}));
  EXPECT_EQ(kInf, Avg({0, kInf, kInf, 0}));
  EXPECT_EQ(kInf, Avg({kInf, 0, kInf}));
  EXPECT_TRUE(std::isnan(Avg({kInf, kInf, kInf, -kInf})));
  EXPECT_EQ(-kInf, Avg({-kInf, -kInf, 0}));
  EXPECT_EQ(-kInf, Avg({-kInf, 0, -kInf}));
  EXPECT_TRUE(std::isnan(Avg({-kInf, -kInf, -kInf, kInf})));
  EXPECT_TRUE(std::isnan(Avg({-kInf, 0, kInf})));
  EXPECT_EQ(kBig, Avg({kBig, kBig, kBig, kBig}));
  EXPECT_EQ(-kBig, Avg({-kBig, -kBig, -kBig, -kBig}));
  EXPECT_EQ(0, Avg({-kBig, -kBig, kBig, kBig}));
}

TEST(AvgAccumulatorTest, CountAndNaN) {
  AvgAccumulator a;
  a.Init(kNaN);
  a.Add(1);
  EXPECT_TRUE(std::isnan(a.Result()));
  EXPECT_EQ(2, a.count());
  AvgAccumulator b;
  b.Init(4);
  EXPECT_EQ(4, b.Result());
}

TEST(VarianceAccumulatorTest, FromAggregatorsTest) {
  // http_requests at 50m: 100..800 in steps of 100.
  auto all = Var({100, 200, 300, 400, 500, 600, 700, 800});
  EXPECT_NEAR(52500, all.Stdvar(), 1e-9);
  EXPECT_NEAR(229.12878474779, all.Stddev(), 1e-9);
  auto inst = Var({100, 300, 500, 700});  // by (instance)
  EXPECT_NEAR(50000, inst.Stdvar(), 1e-9);
  EXPECT_NEAR(223.60679774998, inst.Stddev(), 1e-9);
  // Float precision: three copies of 0+1.33x10 at 50m give exactly 0.
  auto same = Var({13.3, 13.3, 13.3});
  EXPECT_EQ(0, same.Stdvar());
  EXPECT_EQ(0, same.Stddev());
}

TEST(VarianceAccumulatorTest, Edges) {
  auto one = Var({5});
  EXPECT_EQ(0, one.Stdvar());
  EXPECT_EQ(1, one.count());
  EXPECT_TRUE(std::isnan(Var({1, kNaN}).Stdvar()));
  EXPECT_TRUE(std::isnan(Var({1, kInf}).Stddev()));
}

TEST(MinMaxTest, NaNIsReplaced) {
  // aggregators.test: values 1, 2, NaN, 3, 4 -> max 4, min 1.
  double max = 1, min = 1;
  for (double v : {2.0, kNaN, 3.0, 4.0}) {
    UpdateMax(&max, v);
    UpdateMin(&min, v);
  }
  EXPECT_EQ(4, max);
  EXPECT_EQ(1, min);
  double m = kNaN;
  UpdateMax(&m, 3);
  EXPECT_EQ(3, m);
  UpdateMax(&m, kNaN);  // a NaN input does not displace a number
  EXPECT_EQ(3, m);
  double n = kNaN;
  UpdateMin(&n, kNaN);
  EXPECT_TRUE(std::isnan(n));
}

}  // namespace
}  // namespace vigil::promql
