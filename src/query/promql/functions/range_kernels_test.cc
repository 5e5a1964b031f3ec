// Expected values come from Prometheus 2.42's functions.test where a case isolates one
// kernel (the window contents are derived by hand from its `load` lines: the selection is
// the closed interval [t - range - offset, t - offset]), plus hand-derived edge cases.
#include "query/promql/functions/range_kernels.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr int64_t kMin = 60 * 1000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Samples at start_ms, start_ms + step_ms, … with the given values.
std::vector<Sample> Series(int64_t start_ms, int64_t step_ms, std::vector<double> values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back({start_ms + static_cast<int64_t>(i) * step_ms, values[i]});
  }
  return out;
}

// `a+bxn` expanded: a, a+b, …, a+n*b.
std::vector<double> Expand(double a, double b, int n) {
  std::vector<double> v;
  for (int i = 0; i <= n; ++i) v.push_back(a + b * i);
  return v;
}

std::vector<double> Concat(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Samples of `all` (loaded at `step` from 0) inside [t - range, t].
std::vector<Sample> Window(const std::vector<Sample>& all, int64_t t, int64_t range) {
  std::vector<Sample> out;
  for (const Sample& s : all) {
    if (s.t >= t - range && s.t <= t) out.push_back(s);
  }
  return out;
}

void ExpectClose(double want, std::optional<double> got) {
  ASSERT_TRUE(got.has_value());
  EXPECT_NEAR(want, *got, std::fabs(want) * 1e-12 + 1e-15) << "got " << *got;
}

TEST(DurationSecondsTest, MatchesGoDurationSeconds) {
  EXPECT_EQ(300.0, DurationSeconds(5 * kMin));
  EXPECT_EQ(1.5, DurationSeconds(1500));
  EXPECT_EQ(0.001, DurationSeconds(1));
  EXPECT_EQ(-1.5, DurationSeconds(-1500));
}

TEST(ExtrapolatedRateTest, IncreaseCoversWholeRange) {
  auto foo = Series(0, 5 * kMin, Expand(0, 10, 10));
  auto bar = Series(0, 5 * kMin, Concat(Expand(0, 10, 5), Expand(0, 10, 5)));
  // increase(http_requests[50m]) at 50m: 100 and 90 (one reset adds the 50 back).
  EXPECT_EQ(100, ExtrapolatedRate(Window(foo, 50 * kMin, 50 * kMin), 0, 50 * kMin, true, false));
  EXPECT_EQ(90, ExtrapolatedRate(Window(bar, 50 * kMin, 50 * kMin), 0, 50 * kMin, true, false));
  // [100m]: the start lies 50m before the first sample, but a counter that starts at 0 is
  // not extrapolated below zero, so the result is unchanged.
  EXPECT_EQ(100, ExtrapolatedRate(Window(foo, 50 * kMin, 100 * kMin), -50 * kMin, 50 * kMin, true,
                                  false));
  EXPECT_EQ(
      90, ExtrapolatedRate(Window(bar, 50 * kMin, 100 * kMin), -50 * kMin, 50 * kMin, true, false));
}

TEST(ExtrapolatedRateTest, CounterResetIsAssumedToRestartAtZero) {
  auto s = Series(0, 5 * kMin, {0, 1, 2, 3, 2, 3, 4});
  EXPECT_EQ(7, ExtrapolatedRate(s, 0, 30 * kMin, true, false));
}

TEST(ExtrapolatedRateTest, RateFromFunctionsTest) {
  auto middle = Series(0, 5 * kMin, Concat(Expand(0, 10, 4), Expand(0, 10, 5)));
  ExpectClose(0.03,
              ExtrapolatedRate(Window(middle, 50 * kMin, 50 * kMin), 0, 50 * kMin, true, true));
  // testcounter_reset_end 0+10x9 0 10: [45m, 50m] holds 90 then 0 — the reset adds 90 back.
  auto end = Series(0, 5 * kMin, Concat(Expand(0, 10, 9), {0, 10}));
  EXPECT_EQ(0,
            ExtrapolatedRate(Window(end, 50 * kMin, 5 * kMin), 45 * kMin, 50 * kMin, true, true));
  auto window = Series(0, 5 * kMin, Expand(0, 80, 10));
  ExpectClose(0.26666666666666666,
              ExtrapolatedRate(Window(window, 50 * kMin, 50 * kMin), 0, 50 * kMin, true, true));
  // rate(calculate_rate_offset[10m] offset 5m) at 50m: the window is [35m, 45m].
  auto a = Series(0, 5 * kMin, Expand(0, 10, 10));
  auto b = Series(0, 5 * kMin, Expand(0, 20, 10));
  ExpectClose(0.03333333333333333,
              ExtrapolatedRate(Window(a, 45 * kMin, 10 * kMin), 35 * kMin, 45 * kMin, true, true));
  ExpectClose(0.06666666666666667,
              ExtrapolatedRate(Window(b, 45 * kMin, 10 * kMin), 35 * kMin, 45 * kMin, true, true));
}

// testcounter_zero_cutoff: 2.42 caps the start extrapolation at the zero crossing BEFORE
// comparing with 1.1x the average interval — start="4m" gives 0.7 here (later versions 0.6).
TEST(ExtrapolatedRateTest, ZeroCutoffForLeftSideExtrapolation) {
  const double starts[] = {0, 60, 120, 180, 240, 300};
  const double want_10m[] = {0.5, 0.55, 0.6, 0.65, 0.7, 0.6};
  for (int i = 0; i < 6; ++i) {
    auto all = Series(0, 4 * kMin, Expand(starts[i], 240, 10));
    ExpectClose(want_10m[i], ExtrapolatedRate(Window(all, 10 * kMin, 20 * kMin), -10 * kMin,
                                              10 * kMin, true, true));
    ExpectClose(
        0.6, ExtrapolatedRate(Window(all, 50 * kMin, 20 * kMin), 30 * kMin, 50 * kMin, true, true));
  }
}

TEST(ExtrapolatedRateTest, DeltaIsNotACounter) {
  auto foo = Series(0, 5 * kMin, {0, 50, 100, 150, 200});
  auto bar = Series(0, 5 * kMin, {200, 150, 100, 50, 0});
  EXPECT_EQ(200, ExtrapolatedRate(foo, 0, 20 * kMin, false, false));
  EXPECT_EQ(-200, ExtrapolatedRate(bar, 0, 20 * kMin, false, false));
  // A gauge may be extrapolated below zero: no zero-crossing cap.
  auto g = Series(10 * kMin, 10 * kMin, {5, 15});
  // First sample 10m after the start (< 1.1 * 10m): extrapolate fully to 0..20m -> 20.
  EXPECT_EQ(20, ExtrapolatedRate(g, 0, 20 * kMin, false, false));
  // As a counter the start is capped at the zero point, 5m before the first sample.
  EXPECT_EQ(15, ExtrapolatedRate(g, 0, 20 * kMin, true, false));
}

TEST(ExtrapolatedRateTest, FarBoundariesExtrapolateHalfAnInterval) {
  // Samples 1m apart in the middle of a 1h range: half an interval on each side.
  auto s = Series(20 * kMin, kMin, {10, 11, 12});
  // sampled 120s, +30s +30s -> factor 180/120; result 2 * 1.5 = 3.
  EXPECT_EQ(3, ExtrapolatedRate(s, 0, 60 * kMin, false, false));
  ExpectClose(3.0 / 3600, ExtrapolatedRate(s, 0, 60 * kMin, true, true));
}

TEST(ExtrapolatedRateTest, TooFewSamples) {
  EXPECT_FALSE(ExtrapolatedRate({}, 0, 60000, true, true).has_value());
  Sample one[] = {{1000, 5}};
  EXPECT_FALSE(ExtrapolatedRate(one, 0, 60000, true, true).has_value());
}

TEST(ExtrapolatedRateTest, NaNAndNegativeCounterValues) {
  auto nan = Series(0, 1000, {1, kNaN, 3});
  EXPECT_EQ(2, ExtrapolatedRate(nan, 0, 2000, true, false));  // NaN never counts as a reset
  auto withnan_last = Series(0, 1000, {1, 2, kNaN});
  EXPECT_TRUE(std::isnan(*ExtrapolatedRate(withnan_last, 0, 2000, true, false)));
  // A negative first value disables the zero-point cap.
  auto neg = Series(30000, 30000, {-10, 20});
  // dts = 30s < 33s threshold; factor (30 + 30) / 30 = 2.
  EXPECT_EQ(60, ExtrapolatedRate(neg, 0, 60000, true, false));
}

// RateShapeCache must give ExtrapolatedRate's bits on every window, whatever the data:
// steady and jittery scrapes, steps that are and are not multiples of the interval, counters
// near their zero crossing (where the start extrapolation is capped), resets, negative,
// infinite and NaN values, and all three functions.
TEST(RateShapeCacheTest, EveryWindowMatchesExtrapolatedRateBitForBit) {
  std::mt19937_64 rng(2024);
  struct Fn {
    bool counter, rate;
  };
  const Fn fns[] = {{true, true}, {true, false}, {false, false}};
  const double specials[] = {kNaN, kInf, -kInf, 0.0, -0.0, -5.0, 1e308};
  int64_t windows = 0, capped = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t interval = (trial % 4 == 0) ? 10000 : 15000;
    const int64_t jitter = (trial % 3 == 0) ? static_cast<int64_t>(rng() % 200) : 0;
    const int64_t step = std::vector<int64_t>{15000, 14000, 60000, 30000, 7000}[trial % 5];
    const int64_t range = std::vector<int64_t>{5 * kMin, 2 * kMin, 60000, 3 * kMin}[trial % 4];
    // Counters starting at or near zero, so the zero-crossing cap is exercised; and large ones.
    double v = (trial % 2 == 0) ? static_cast<double>(rng() % 3) : 1e6 * (rng() % 1000);
    std::vector<Sample> pts;
    for (int i = 0; i < 200; ++i) {
      const int64_t t =
          1000000 + i * interval + (jitter ? static_cast<int64_t>(rng() % jitter) : 0);
      if (!pts.empty() && t <= pts.back().t) continue;
      const uint64_t r = rng() % 100;
      if (r == 0) {
        v = static_cast<double>(rng() % 5);  // a reset
      } else if (r == 1 && trial % 5 == 4) {
        v = specials[rng() % std::size(specials)];
      } else if (std::isfinite(v)) {
        v += static_cast<double>(rng() % 1000) / ((trial % 7 == 0) ? 7.0 : 1.0);
      } else {
        v = static_cast<double>(rng() % 50);
      }
      pts.push_back({t, v});
    }
    for (const Fn& fn : fns) {
      RateShapeCache cache(range, fn.counter, fn.rate);
      size_t lo = 0, hi = 0;
      for (int64_t ref = pts.front().t; ref <= pts.back().t + range; ref += step) {
        while (hi < pts.size() && pts[hi].t <= ref) ++hi;
        while (lo < hi && pts[lo].t < ref - range) ++lo;
        const std::span<const Sample> w = std::span<const Sample>(pts).subspan(lo, hi - lo);
        const std::optional<double> want =
            ExtrapolatedRate(w, ref - range, ref, fn.counter, fn.rate, true);
        const std::optional<double> got = cache.Rate(w, ref, true);
        ASSERT_EQ(want.has_value(), got.has_value());
        if (!want) continue;
        ++windows;
        if (fn.counter && w.size() >= 2) {
          const double inc = RawIncrease(w, true, true);
          const double dts = static_cast<double>(w.front().t - (ref - range)) / 1000;
          const double si = static_cast<double>(w.back().t - w.front().t) / 1000;
          if (inc > 0 && w.front().v >= 0 && si * (w.front().v / inc) < dts) ++capped;
        }
        ASSERT_EQ(std::bit_cast<uint64_t>(*want), std::bit_cast<uint64_t>(*got))
            << "trial " << trial << " ref " << ref << " n " << w.size() << ": want " << *want
            << " got " << *got;
      }
    }
  }
  // The data reaches the cases the cache must hand back to the full computation.
  EXPECT_GT(windows, 100000);
  EXPECT_GT(capped, 1000);
}

// Counters whose zero crossing falls just before, at or just after the range start: the
// cache's division-free test must send every capped window to the full computation.
TEST(RateShapeCacheTest, WindowsAtTheZeroCrossingBoundaryMatchBitForBit) {
  std::mt19937_64 rng(99);
  const double deltas[] = {-1e-3, -1e-6, -1e-9, -1e-12, -1e-15, 0,
                           1e-15, 1e-12, 1e-10, 1e-9,   2e-9,   1e-6};
  int64_t capped = 0, uncapped = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const int64_t range = 5 * kMin;
    const int64_t end = 10 * kMin + static_cast<int64_t>(rng() % 100000);
    const int64_t to_start = 1 + static_cast<int64_t>(rng() % 20000);
    const int64_t to_end = static_cast<int64_t>(rng() % 20000);
    const int64_t first_t = end - range + to_start;
    const int64_t last_t = end - to_end;
    const double inc = 1 + static_cast<double>(rng() % 100000) / 8;
    const double dts = static_cast<double>(to_start) / 1000;
    const double si = static_cast<double>(last_t - first_t) / 1000;
    for (double d : deltas) {
      const double first_v = inc * (dts / si) * (1 + d);
      const std::vector<Sample> w = {{first_t, first_v}, {last_t, first_v + inc}};
      RateShapeCache cache(range, true, true);
      // Twice: the first call fills the cache entry, the second is served from it.
      for (int pass = 0; pass < 2; ++pass) {
        const std::optional<double> want = ExtrapolatedRate(w, end - range, end, true, true);
        const std::optional<double> got = cache.Rate(w, end, true);
        ASSERT_TRUE(want && got);
        ASSERT_EQ(std::bit_cast<uint64_t>(*want), std::bit_cast<uint64_t>(*got))
            << "delta " << d << " pass " << pass << ": want " << *want << " got " << *got;
      }
      const double rise = (w[1].v - w[0].v);
      (si * (w[0].v / rise) < dts ? capped : uncapped)++;
    }
  }
  EXPECT_GT(capped, 1000);
  EXPECT_GT(uncapped, 1000);
}

TEST(InstantRateTest, FromFunctionsTest) {
  auto foo = Series(0, 5 * kMin, Expand(0, 10, 10));
  auto bar = Series(0, 5 * kMin, Concat(Expand(0, 10, 5), Expand(0, 10, 5)));
  ExpectClose(0.03333333333333333333, InstantRate(Window(foo, 50 * kMin, 50 * kMin), true));
  ExpectClose(0.03333333333333333333, InstantRate(Window(bar, 50 * kMin, 50 * kMin), true));
  ExpectClose(0.03333333333333333333, InstantRate(Window(foo, 30 * kMin, 50 * kMin), true));
  EXPECT_EQ(0, InstantRate(Window(bar, 30 * kMin, 50 * kMin), true));  // reset: last is 0
  EXPECT_EQ(50, InstantRate(Series(0, 5 * kMin, {0, 50, 100, 150}), false));
  EXPECT_EQ(-50, InstantRate(Series(0, 5 * kMin, {0, 50, 100, 50}), false));
}

TEST(InstantRateTest, Edges) {
  EXPECT_FALSE(InstantRate({}, true).has_value());
  Sample one[] = {{0, 1}};
  EXPECT_FALSE(InstantRate(one, false).has_value());
  Sample same_time[] = {{1000, 1}, {1000, 2}};
  EXPECT_FALSE(InstantRate(same_time, true).has_value());
  EXPECT_FALSE(InstantRate(same_time, false).has_value());
  // irate of a reset to 4 over 2s: 4 / 2.
  Sample reset[] = {{0, 10}, {2000, 4}};
  EXPECT_EQ(2, InstantRate(reset, true));
  EXPECT_EQ(-6, InstantRate(reset, false));
}

TEST(RegressionTest, DerivAndPredictLinearFromFunctionsTest) {
  auto middle = Series(0, 5 * kMin, Concat(Expand(0, 10, 4), Expand(0, 10, 5)));
  auto canary = Series(0, 5 * kMin, Expand(0, 80, 10));
  ExpectClose(0.26666666666666666, Deriv(Window(canary, 50 * kMin, 50 * kMin)));
  ExpectClose(0.010606060606060607, Deriv(Window(middle, 50 * kMin, 100 * kMin)));
  ExpectClose(76.81818181818181, PredictLinear(middle, 50 * kMin, 3600));
  // `@ 3000` fixes the window; the regression is still anchored at the evaluation time.
  ExpectClose(51.36363636363637, PredictLinear(middle, 10 * kMin, 3600));
  ExpectClose(89.54545454545455, PredictLinear(middle, 70 * kMin, 3600));
  // A sample lies exactly on the line at the end of the window.
  auto p = PredictLinear(canary, 50 * kMin, 3600);
  ASSERT_TRUE(p.has_value());
  EXPECT_NEAR(0, *p - (800 + *Deriv(canary) * 3600), 1e-9);
}

TEST(RegressionTest, ConstantAndDegenerateInputs) {
  auto flat = Series(0, 1000, {1.5990505637277868, 1.5990505637277868, 1.5990505637277868});
  EXPECT_EQ(0, Deriv(flat));
  EXPECT_EQ(1.5990505637277868, PredictLinear(flat, 2000, 100));
  auto inf = Series(0, 1000, {kInf, kInf});
  EXPECT_TRUE(std::isnan(*Deriv(inf)));
  EXPECT_TRUE(std::isnan(*PredictLinear(inf, 0, 1)));
  EXPECT_FALSE(Deriv({}).has_value());
  Sample one[] = {{0, 1}};
  EXPECT_FALSE(Deriv(one).has_value());
  EXPECT_FALSE(PredictLinear(one, 0, 1).has_value());
  // Large timestamps far from the anchor keep precision thanks to compensated sums.
  const int64_t base = 1700000000000;
  auto steep = Series(base, 15000, Expand(1e6, 3, 40));
  ExpectClose(0.2, Deriv(steep));
  ExpectClose(1e6 + 3 * 40 + 0.2 * 60, PredictLinear(steep, base + 40 * 15000, 60));
}

TEST(HoltWintersTest, LinearTrendsFromFunctionsTest) {
  struct Case {
    std::vector<double> values;
    double want;
  } cases[] = {
      {Concat(Expand(0, 10, 1000), Expand(100, 30, 1000)), 8000},
      {Concat(Expand(0, 20, 1000), Expand(200, 30, 1000)), 16000},
      {Concat(Expand(0, 30, 1000), Expand(300, 80, 1000)), 24000},
      {Expand(0, 40, 2000), 32000},
      {Expand(8000, -10, 1000), 0},
      {Expand(0, -20, 1000), -16000},
      {Concat(Expand(0, -40, 1000), Expand(0, 40, 1000)), -32000},
  };
  for (const Case& c : cases) {
    auto all = Series(0, 10000, c.values);
    auto r = HoltWinters(Window(all, 8000000, kMin), 0.01, 0.1);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->has_value());
    EXPECT_NEAR(c.want, **r, 1e-6 * std::fabs(c.want) + 1e-9);
  }
}

TEST(HoltWintersTest, HandComputed) {
  // s1 = 1, b = 2; i=1: s1 = 0.5*3 + 0.5*(1+2) = 3; i=2: b = 0.5*(3-1) + 0.5*2 = 2,
  // s1 = 0.5*4 + 0.5*(3+2) = 4.5.
  auto r = HoltWinters(Series(0, 1000, {1, 3, 4}), 0.5, 0.5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(4.5, **r);
  auto few = HoltWinters(Series(0, 1000, {1}), 0.5, 0.5);
  ASSERT_TRUE(few.ok());
  EXPECT_FALSE(few->has_value());
}

TEST(HoltWintersTest, InvalidFactorsUseGoFormatting) {
  auto s = Series(0, 1000, {1, 2});
  EXPECT_EQ("invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000",
            HoltWinters(s, 0, 0.5).status().message());
  EXPECT_EQ("invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000",
            HoltWinters(s, 1.5, 0.5).status().message());
  EXPECT_EQ("invalid smoothing factor. Expected: 0 < sf < 1, got: -0.250000",
            HoltWinters({}, -0.25, 0.5).status().message());  // checked before the count
  EXPECT_EQ("invalid trend factor. Expected: 0 < tf < 1, got: 1.000000",
            HoltWinters(s, 0.5, 1).status().message());
  EXPECT_EQ("invalid trend factor. Expected: 0 < tf < 1, got: +Inf",
            HoltWinters(s, 0.5, kInf).status().message());
  EXPECT_EQ("invalid smoothing factor. Expected: 0 < sf < 1, got: -Inf",
            HoltWinters(s, -kInf, 0.5).status().message());
  EXPECT_EQ(absl::StatusCode::kInvalidArgument, HoltWinters(s, 2, 0.5).status().code());
  // NaN passes both range checks in 2.42 and poisons the result.
  auto nan = HoltWinters(s, kNaN, 0.5);
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(**nan));
}

TEST(ResetsChangesTest, FromFunctionsTest) {
  auto foo = Series(0, 5 * kMin, {1, 2, 3, 0, 1, 0, 0, 1, 2, 0});
  auto bar = Series(0, 5 * kMin, {1, 2, 3, 4, 5, 1, 2, 3, 4, 5});
  auto biz = Series(0, 5 * kMin, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  const int64_t t = 50 * kMin;
  const int64_t ranges[] = {5 * kMin, 20 * kMin, 30 * kMin, 50 * kMin};
  const double resets[][3] = {{0, 0, 0}, {1, 0, 0}, {2, 1, 0}, {3, 1, 0}};
  const double changes[][3] = {{0, 0, 0}, {3, 3, 0}, {4, 5, 1}, {8, 9, 1}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(resets[i][0], Resets(Window(foo, t, ranges[i]))) << i;
    EXPECT_EQ(resets[i][1], Resets(Window(bar, t, ranges[i]))) << i;
    EXPECT_EQ(resets[i][2], Resets(Window(biz, t, ranges[i]))) << i;
    EXPECT_EQ(changes[i][0], Changes(Window(foo, t, ranges[i]))) << i;
    EXPECT_EQ(changes[i][1], Changes(Window(bar, t, ranges[i]))) << i;
    EXPECT_EQ(changes[i][2], Changes(Window(biz, t, ranges[i]))) << i;
  }
}

TEST(ResetsChangesTest, NaNHandling) {
  EXPECT_EQ(0, Changes(Series(0, 5 * kMin, {kNaN, kNaN, kNaN})));
  EXPECT_EQ(2, Changes(Series(0, 5 * kMin, {0, kNaN, 0})));
  EXPECT_EQ(0, Resets(Series(0, 5 * kMin, {5, kNaN, 4})));  // comparisons with NaN are false
  EXPECT_EQ(0, Resets({}));
  EXPECT_EQ(0, Changes({}));
  Sample one[] = {{0, 1}};
  EXPECT_EQ(0, Changes(one));
}

}  // namespace
}  // namespace vigil::promql
