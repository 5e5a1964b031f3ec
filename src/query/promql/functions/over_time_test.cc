// Cases from Prometheus 2.42's functions.test (`load 10s`, evaluated at 1m over [1m], so
// every loaded sample is in the window) plus hand-derived edge cases.
#include "query/promql/functions/over_time.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kBig = 9.988465674311579e+307;

std::vector<Sample> Load(std::vector<double> values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back({static_cast<int64_t>(i) * 10000, values[i]});
  }
  return out;
}

// avg_over_time and sum_over_time / count_over_time for each series of functions.test.
TEST(AvgOverTimeTest, FromFunctionsTest) {
  struct Case {
    std::vector<double> values;
    double avg;
    double sum_div_count;
  } cases[] = {
      {{1, 2, 3, 4, 5}, 3, 3},
      {{1, 2, 3, 4, kInf}, kInf, kInf},
      {{1, 2, 3, 4, -kInf}, -kInf, -kInf},
      {{1, 2, 3, kInf, -kInf}, kNaN, kNaN},
      {{kInf, 0, kInf}, kInf, kInf},
      {{kInf, kInf, kInf, -kInf}, kNaN, kNaN},
      {{1, 2, 3, -kInf, -kInf}, -kInf, -kInf},
      {{-kInf, 0, -kInf}, -kInf, -kInf},
      {{-kInf, -kInf, -kInf, kInf}, kNaN, kNaN},
      {{1, 2, -kInf, -kInf, kInf}, kNaN, kNaN},
      {{kBig, kBig}, kBig, kInf},  // the plain sum overflows, the incremental mean does not
      {{-kBig, -kBig, -kBig}, -kBig, -kInf},
      {{-kBig, kBig}, 0, 0},
  };
  for (const Case& c : cases) {
    auto s = Load(c.values);
    const double avg = AvgOverTime(s);
    const double ratio = SumOverTime(s) / CountOverTime(s);
    if (std::isnan(c.avg)) {
      EXPECT_TRUE(std::isnan(avg)) << avg;
    } else {
      EXPECT_EQ(c.avg, avg);
    }
    if (std::isnan(c.sum_div_count)) {
      EXPECT_TRUE(std::isnan(ratio)) << ratio;
    } else {
      EXPECT_EQ(c.sum_div_count, ratio);
    }
  }
}

TEST(SumOverTimeTest, CompensatedSummation) {
  // Naive left-to-right summation loses both 1s next to 1e100.
  EXPECT_EQ(2, SumOverTime(Load({1, 1e100, 1, -1e100})));
  EXPECT_EQ(0.6, SumOverTime(Load({0.1, 0.2, 0.3})));  // naive: 0.6000000000000001
  EXPECT_EQ(kInf, SumOverTime(Load({kInf, 1})));
  EXPECT_TRUE(std::isnan(SumOverTime(Load({1, kNaN}))));
}

TEST(AvgOverTimeTest, FirstValueInfinite) {
  // The compensation term turns NaN on the first Inf; the infinite mean is reported as is.
  EXPECT_EQ(kInf, AvgOverTime(Load({kInf})));
  EXPECT_EQ(-kInf, AvgOverTime(Load({-kInf, 5, 7})));
  EXPECT_TRUE(std::isnan(AvgOverTime(Load({kNaN, 1}))));
  EXPECT_EQ(2.5, AvgOverTime(Load({2.5})));
}

TEST(StddevOverTimeTest, FromFunctionsTest) {
  auto s = Load({0, 8, 8, 2, 3});
  EXPECT_NEAR(10.56, StdvarOverTime(s), 1e-12);
  EXPECT_NEAR(3.249615, StddevOverTime(s), 1e-6);
  // #4927: identical values give exactly 0, not a rounding residue or NaN.
  auto flat = Load({1.5990505637277868, 1.5990505637277868, 1.5990505637277868});
  EXPECT_EQ(0, StdvarOverTime(flat));
  EXPECT_EQ(0, StddevOverTime(flat));
}

TEST(StddevOverTimeTest, Edges) {
  EXPECT_EQ(0, StdvarOverTime(Load({42})));
  EXPECT_TRUE(std::isnan(StdvarOverTime(Load({1, kNaN, 3}))));
  EXPECT_TRUE(std::isnan(StddevOverTime(Load({1, kInf}))));
  // Large offset, small spread: Welford keeps the variance of {1e9+1, 1e9+2, 1e9+3}.
  EXPECT_NEAR(2.0 / 3, StdvarOverTime(Load({1e9 + 1, 1e9 + 2, 1e9 + 3})), 1e-9);
}

TEST(QuantileOverTimeTest, FromFunctionsTest) {
  std::vector<double> scratch;
  auto two = Load({0, 1});
  auto three = Load({0, 1, 2});
  auto uneven = Load({0, 1, 4});
  struct Case {
    double q, two, three, uneven;
  } cases[] = {
      {0, 0, 0, 0}, {0.5, 0.5, 1, 1},          {0.75, 0.75, 1.5, 2.5}, {0.8, 0.8, 1.6, 2.8},
      {1, 1, 2, 4}, {-1, -kInf, -kInf, -kInf}, {2, kInf, kInf, kInf},
  };
  auto near = [](double want, double got) { return want == got || std::fabs(want - got) < 1e-12; };
  for (const Case& c : cases) {
    EXPECT_TRUE(near(c.two, QuantileOverTime(c.q, two, &scratch))) << c.q;
    EXPECT_TRUE(near(c.three, QuantileOverTime(c.q, three, &scratch))) << c.q;
    EXPECT_TRUE(near(c.uneven, QuantileOverTime(c.q, uneven, &scratch))) << c.q;
  }
  EXPECT_TRUE(std::isnan(QuantileOverTime(kNaN, three, &scratch)));
  // The scratch buffer is reused: stale contents never leak into the next call.
  EXPECT_EQ(7, QuantileOverTime(0.5, Load({7}), &scratch));
}

TEST(MinMaxLastOverTimeTest, FromFunctionsTest) {
  struct Case {
    std::vector<double> values;
    double min, max, last;
  } cases[] = {
      {{2, 0, 3}, 0, 3, 3},
      {{2, 0, kNaN}, 0, 2, kNaN},
      {{2, kNaN, 1}, 1, 2, 1},
      {{kNaN, 0, 1}, 0, 1, 1},
      {{kNaN, kNaN, kNaN}, kNaN, kNaN, kNaN},
  };
  auto same = [](double want, double got) {
    return std::isnan(want) ? std::isnan(got) : want == got;
  };
  for (const Case& c : cases) {
    auto s = Load(c.values);
    EXPECT_TRUE(same(c.min, MinOverTime(s))) << MinOverTime(s);
    EXPECT_TRUE(same(c.max, MaxOverTime(s))) << MaxOverTime(s);
    EXPECT_TRUE(same(c.last, LastOverTime(s))) << LastOverTime(s);
  }
}

TEST(OverTimeTest, CountPresentAndEmptyWindows) {
  EXPECT_EQ(3, CountOverTime(Load({kNaN, 1, 2})));
  EXPECT_EQ(1, PresentOverTime(Load({kNaN})));
  std::vector<double> scratch = {1, 2, 3};
  // Never called with an empty window by the engine; defined anyway.
  EXPECT_EQ(0, CountOverTime({}));
  EXPECT_EQ(0, PresentOverTime({}));
  EXPECT_TRUE(std::isnan(SumOverTime({})));
  EXPECT_TRUE(std::isnan(AvgOverTime({})));
  EXPECT_TRUE(std::isnan(MinOverTime({})));
  EXPECT_TRUE(std::isnan(MaxOverTime({})));
  EXPECT_TRUE(std::isnan(LastOverTime({})));
  EXPECT_TRUE(std::isnan(StddevOverTime({})));
  EXPECT_TRUE(std::isnan(StdvarOverTime({})));
  EXPECT_TRUE(std::isnan(QuantileOverTime(0.5, {}, &scratch)));
  EXPECT_TRUE(scratch.empty());
}

}  // namespace
}  // namespace vigil::promql
