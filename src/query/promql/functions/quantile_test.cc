#include "query/promql/functions/quantile.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double Q(double q, std::vector<double> v) { return Quantile(q, &v); }

// aggregators.test: quantile without(point)(0.8, data).
TEST(QuantileTest, FromAggregatorsTest) {
  EXPECT_NEAR(0.8, Q(0.8, {0, 1}), 1e-15);
  EXPECT_NEAR(1.6, Q(0.8, {0, 1, 2}), 1e-15);
  EXPECT_NEAR(2.8, Q(0.8, {0, 1, 4}), 1e-15);
  EXPECT_TRUE(std::isnan(Q(kNaN, {0, 1})));
}

TEST(QuantileTest, InterpolatesBetweenNeighbours) {
  EXPECT_EQ(2.5, Q(0.5, {4, 1, 3, 2}));  // rank 1.5 between 2 and 3
  EXPECT_EQ(1, Q(0, {4, 1, 3, 2}));
  EXPECT_EQ(4, Q(1, {4, 1, 3, 2}));
  EXPECT_EQ(7, Q(0.3, {7}));
  EXPECT_EQ(-1, Q(0.5, {-3, 1}));
}

TEST(QuantileTest, OutOfRangeAndEmpty) {
  EXPECT_EQ(-kInf, Q(-0.1, {1, 2}));
  EXPECT_EQ(kInf, Q(1.01, {1, 2}));
  EXPECT_TRUE(std::isnan(Q(0.5, {})));
  EXPECT_TRUE(std::isnan(Q(-1, {})));  // empty wins over q < 0
  EXPECT_EQ(-kInf, Q(-kInf, {1}));
}

TEST(QuantileTest, SortsInPlaceWithNaNFirst) {
  std::vector<double> v = {3, kNaN, 1, 2};
  EXPECT_TRUE(std::isnan(Quantile(0, &v)));
  ASSERT_EQ(4u, v.size());
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(1, v[1]);
  EXPECT_EQ(2, v[2]);
  EXPECT_EQ(3, v[3]);
  EXPECT_EQ(3, Quantile(1, &v));
  std::vector<double> all_nan = {kNaN, kNaN};
  EXPECT_TRUE(std::isnan(Quantile(0.5, &all_nan)));
  // Infinities interpolate like Go: Inf * 0 is NaN, even at the ends.
  EXPECT_EQ(kInf, Q(0.5, {1, kInf}));
  EXPECT_TRUE(std::isnan(Q(0, {1, kInf})));
  EXPECT_TRUE(std::isnan(Q(1, {1, kInf})));
}

TEST(QuantileTest, NaNFirstLessIsAStrictWeakOrder) {
  EXPECT_TRUE(NaNFirstLess(kNaN, -kInf));
  EXPECT_FALSE(NaNFirstLess(-kInf, kNaN));
  EXPECT_FALSE(NaNFirstLess(kNaN, kNaN));
  EXPECT_TRUE(NaNFirstLess(1, 2));
  EXPECT_FALSE(NaNFirstLess(2, 2));
}

}  // namespace
}  // namespace vigil::promql
