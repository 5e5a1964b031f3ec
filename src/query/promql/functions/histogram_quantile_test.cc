// Bucket sets are those of Prometheus 2.42's histograms.test, evaluated by hand at the
// test's evaluation time (e.g. `0+5x10` holds 50 at 50m).
#include "query/promql/functions/histogram_quantile.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double HQ(double q, std::vector<Bucket> b) { return BucketQuantile(q, &b); }

// testhistogram at 50m, deliberately listed out of order.
const std::vector<Bucket> kPositive = {{1, 110}, {0.1, 50}, {kInf, 120}, {0.2, 70}};
const std::vector<Bucket> kNegative = {{-0.2, 10}, {-0.1, 20}, {0.3, 20}, {kInf, 30}};

TEST(BucketQuantileTest, FromHistogramsTest) {
  EXPECT_EQ(-kInf, HQ(-0.1, kPositive));
  EXPECT_EQ(kInf, HQ(1.01, kNegative));
  EXPECT_TRUE(std::isnan(HQ(kNaN, kPositive)));
  EXPECT_EQ(0, HQ(0, kPositive));     // lowest bucket, positive bound: starts at 0
  EXPECT_EQ(-0.2, HQ(0, kNegative));  // lowest bucket, bound <= 0: the bound itself
  EXPECT_EQ(1, HQ(1, kPositive));     // +Inf bucket: second-highest bound
  EXPECT_EQ(0.3, HQ(1, kNegative));
  EXPECT_NEAR(0.048, HQ(0.2, kPositive), 1e-15);
  EXPECT_EQ(-0.2, HQ(0.2, kNegative));
  EXPECT_NEAR(0.15, HQ(0.5, kPositive), 1e-15);
  EXPECT_NEAR(-0.15, HQ(0.5, kNegative), 1e-15);
  EXPECT_NEAR(0.72, HQ(0.8, kPositive), 1e-15);
  EXPECT_EQ(0.3, HQ(0.8, kNegative));
}

TEST(BucketQuantileTest, MiddleOfBuckets) {
  const std::vector<Bucket> h = {{0, 0}, {2, 1}, {4, 2}, {6, 3}, {kInf, 3}};
  EXPECT_NEAR(1, HQ(1. / 6., h), 1e-15);
  EXPECT_NEAR(3, HQ(0.5, h), 1e-15);
  EXPECT_NEAR(5, HQ(5. / 6., h), 1e-15);
}

TEST(BucketQuantileTest, AggregatedRates) {
  // sum(rate(request_duration_seconds_bucket[5m])) by (le): (1+2+3+4)/300 … per second.
  const std::vector<Bucket> h = {{0.1, 10.0 / 300}, {0.2, 19.0 / 300}, {kInf, 25.0 / 300}};
  EXPECT_NEAR(0.075, HQ(0.3, h), 1e-12);
  EXPECT_NEAR(0.1277777777777778, HQ(0.5, h), 1e-12);
}

TEST(BucketQuantileTest, NonMonotonicCountsAreRaised) {
  const std::vector<Bucket> h = {{0.1, 20}, {1, 10}, {10, 50}, {100, 40}, {1000, 90}, {kInf, 80}};
  EXPECT_NEAR(0.0045, HQ(0.01, h), 1e-15);
  EXPECT_NEAR(8.5, HQ(0.5, h), 1e-12);
  EXPECT_NEAR(979.75, HQ(0.99, h), 1e-9);
}

TEST(BucketQuantileTest, EqualBoundsAreMerged) {
  // le="0.2", "2e-1", "2.0e-1" parse to one bound; their counts add up.
  const std::vector<Bucket> ins1 = {{0.1, 1}, {0.2, 1}, {0.2, 1}, {0.2, 1}, {kInf, 4}};
  EXPECT_NEAR(0.15, HQ(0.5, ins1), 1e-15);
  EXPECT_NEAR(0.2, HQ(0.75, ins1), 1e-15);
  EXPECT_EQ(0.2, HQ(1, ins1));
  // "+inf" and "+Inf" merge into a single bucket: fewer than two buckets -> NaN.
  const std::vector<Bucket> ins2 = {{kInf, 0}, {kInf, 0}};
  EXPECT_TRUE(std::isnan(HQ(0.5, ins2)));
  // Output buffer really is coalesced.
  std::vector<Bucket> b = ins1;
  BucketQuantile(0.5, &b);
  ASSERT_EQ(3u, b.size());
  EXPECT_EQ(3, b[1].count);
}

TEST(BucketQuantileTest, DegenerateInputs) {
  EXPECT_TRUE(std::isnan(HQ(0.2, {{0.1, 0}, {0.2, 0}, {kInf, 0}})));  // no observations
  EXPECT_TRUE(std::isnan(HQ(0.5, {{0.1, 1}, {0.2, 2}})));             // no +Inf bucket
  EXPECT_TRUE(std::isnan(HQ(0.5, {{kInf, 5}})));                      // only +Inf
  EXPECT_TRUE(std::isnan(HQ(0.5, {})));
  EXPECT_EQ(-kInf, HQ(-1, {}));  // q is checked before the buckets
  // Negative counts (e.g. a rate over a broken counter) do not crash and stay defined.
  // Counts become -5, -1, 4; rank 2 is reached by no finite bucket.
  EXPECT_EQ(2, HQ(0.5, {{1, -5}, {2, -1}, {kInf, 4}}));
  // rank 0 skips the negative lowest bucket: 1 + (2 - 1) * (0 + 2) / (2 + 2).
  EXPECT_EQ(1.5, HQ(0, {{1, -2}, {2, 2}, {kInf, 4}}));
  // NaN counts and NaN bounds: no crash, a value or NaN comes back.
  HQ(0.5, {{1, kNaN}, {2, 3}, {kInf, 4}});
  HQ(0.5, {{kNaN, 1}, {2, 3}, {kInf, 4}});
}

TEST(BucketQuantileTest, QuantileInHighestFiniteBucketInterpolates) {
  // rank 9.5 of 10 lies in (2, 4]: 2 + 2 * (9.5 - 5) / 5.
  EXPECT_NEAR(3.8, HQ(0.95, {{2, 5}, {4, 10}, {kInf, 10}}), 1e-15);
  // rank beyond every finite bucket: the highest finite bound.
  EXPECT_EQ(4, HQ(0.95, {{2, 5}, {4, 8}, {kInf, 10}}));
}

TEST(ParseBucketBoundTest, AcceptsGoFloatSyntax) {
  struct Case {
    const char* in;
    double want;
  } cases[] = {
      {"0.1", 0.1},           {".2", 0.2},          {"1e0", 1},          {"2e-1", 0.2},
      {"2.0e-1", 0.2},        {"-.2", -0.2},        {"+5", 5},           {"5.", 5},
      {"+Inf", kInf},         {"+inf", kInf},       {"inf", kInf},       {"-Inf", -kInf},
      {"Infinity", kInf},     {"-INFINITY", -kInf}, {"0x1p-2", 0.25},    {"0X1.8P1", 3},
      {"1_000", 1000},        {"0x_1p0", 1},        {"1.5e1_0", 1.5e10}, {"1e-400", 0},
      {"4.9e-324", 4.9e-324}, {"1E3", 1000},        {"007", 7},
  };
  for (const Case& c : cases) {
    double v = -12345;
    ASSERT_TRUE(ParseBucketBound(c.in, &v)) << c.in;
    EXPECT_EQ(c.want, v) << c.in;
  }
  double v = 0;
  ASSERT_TRUE(ParseBucketBound("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(ParseBucketBound("nan", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(ParseBucketBound("-1e-400", &v));
  EXPECT_TRUE(v == 0 && std::signbit(v));
}

TEST(ParseBucketBoundTest, RejectsEverythingElse) {
  const char* bad[] = {
      "",          " 1",     "1 ",  "abc",  "-NaN", "+nan", "nan(1)", "infin",
      "infinityy", "1e",     "1e+", "e5",   ".",    "-",    "+",      "1..2",
      "1.2.3",     "0x1",    "0x",  "0xp1", "1_",   "_1",   "1__0",   "1._5",
      "1e400",     "-1e400", "1,5", "0x1p", "1e5x", "١",    "0b101",  "1e_5",
  };
  for (const char* in : bad) {
    double v = 42;
    EXPECT_FALSE(ParseBucketBound(in, &v)) << in;
  }
}

}  // namespace
}  // namespace vigil::promql
