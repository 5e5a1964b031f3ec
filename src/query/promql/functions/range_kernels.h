// Range-vector kernels that look at the shape of a window: rate/increase/delta,
// irate/idelta, deriv, predict_linear, holt_winters, resets and changes; and
// RateShapeCache, which gives rate/increase/delta the same results with each window shape's
// divisions done once.
//
// Contract shared by every kernel here:
//  * `s` holds the float samples of ONE series inside one evaluation window, sorted by
//    time, staleness markers already removed. Prometheus 2.42 selects the closed interval
//    [eval_time - range - offset, eval_time - offset].
//  * Results reproduce Prometheus 2.42's float arithmetic, including the order of
//    operations, so values match its test files bit for bit (the transcendental-free
//    kernels here use only + - * / and compare exactly).
//  * std::nullopt means "this series produces no output sample at this step" (Prometheus
//    drops the element), never an error.
//
// Thread-safety: the functions are pure, with no shared state and no allocation. A
// RateShapeCache is mutable state for one thread (each worker copies its own).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "storage/sample.h"

namespace vigil::promql {

// A time.Duration given in milliseconds, converted to float seconds exactly as Go's
// Duration.Seconds() does (whole seconds plus the nanosecond remainder / 1e9).
inline double DurationSeconds(int64_t ms) {
  // Go: sec := d / Second; nsec := d % Second; return float64(sec) + float64(nsec)/1e9.
  const int64_t sec = ms / 1000;
  const int64_t nsec = (ms % 1000) * 1000000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

// rate (is_counter, is_rate), increase (is_counter) and delta (neither).
// `range_start_ms` = eval time - range - offset, `range_end_ms` = eval time - offset; the
// per-second divisor of rate() is (range_end_ms - range_start_ms) seconds.
// Counter resets (a value lower than its predecessor) add the predecessor back. The result
// is extrapolated towards both range boundaries when the first/last sample lies within
// 1.1x the average sample interval of it, else by half an average interval; for counters
// the start extrapolation never goes below the zero crossing. (In 2.42 the zero-crossing
// cap is applied BEFORE the 1.1x threshold test.) nullopt when fewer than 2 samples.
// `may_have_resets` false promises that no value in `s` is below its predecessor (the
// caller scanned the whole series once), which skips the per-window reset scan; the result
// is the same either way.
std::optional<double> ExtrapolatedRate(std::span<const Sample> s, int64_t range_start_ms,
                                       int64_t range_end_ms, bool is_counter, bool is_rate,
                                       bool may_have_resets = true);

// The factor ExtrapolatedRate multiplies a window's increase by, from the window's distances
// (in seconds) to the range start and end, its sampled interval and its sample count n >= 2.
inline double ExtrapolationFactor(double duration_to_start, double duration_to_end,
                                  double sampled_interval, size_t n, int64_t range_ms,
                                  bool is_rate) {
  const double average_interval = sampled_interval / static_cast<double>(n - 1);
  const double threshold = average_interval * 1.1;
  double extrapolate_to = sampled_interval;
  if (duration_to_start < threshold) {
    extrapolate_to += duration_to_start;
  } else {
    extrapolate_to += average_interval / 2;
  }
  if (duration_to_end < threshold) {
    extrapolate_to += duration_to_end;
  } else {
    extrapolate_to += average_interval / 2;
  }
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= DurationSeconds(range_ms);
  return factor;
}

// The extrapolation step of ExtrapolatedRate, given the window's raw increase `result`
// (resets already added back) and its first and last samples and sample count `n` >= 2.
inline double ExtrapolateIncrease(double result, const Sample& first, const Sample& last,
                                  size_t n, int64_t range_start_ms, int64_t range_end_ms,
                                  bool is_counter, bool is_rate) {
  double duration_to_start = static_cast<double>(first.t - range_start_ms) / 1000;
  const double duration_to_end = static_cast<double>(range_end_ms - last.t) / 1000;
  const double sampled_interval = static_cast<double>(last.t - first.t) / 1000;
  if (is_counter && result > 0 && first.v >= 0) {
    // A counter cannot go below zero: do not extrapolate past the point where the fitted
    // line would cross it.
    const double duration_to_zero = sampled_interval * (first.v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  return result * ExtrapolationFactor(duration_to_start, duration_to_end, sampled_interval, n,
                                      range_end_ms - range_start_ms, is_rate);
}

// The raw increase of a window: last minus first, plus each counter reset's predecessor.
inline double RawIncrease(std::span<const Sample> s, bool is_counter, bool may_have_resets) {
  double result = s.back().v - s.front().v;
  if (is_counter && may_have_resets) {
    double prev = s.front().v;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i].v < prev) result += prev;
      prev = s[i].v;
    }
  }
  return result;
}

inline std::optional<double> ExtrapolatedRate(std::span<const Sample> s, int64_t range_start_ms,
                                              int64_t range_end_ms, bool is_counter, bool is_rate,
                                              bool may_have_resets) {
  if (s.size() < 2) return std::nullopt;
  return ExtrapolateIncrease(RawIncrease(s, is_counter, may_have_resets), s.front(), s.back(),
                             s.size(), range_start_ms, range_end_ms, is_counter, is_rate);
}

// ExtrapolatedRate's divisions depend only on a window's shape: the distances from the
// range start to the first sample and from the last sample to the range end, and the sample
// count. A series scraped at a steady interval, queried with a step that is a multiple of
// it (or in a short cycle of offsets otherwise), shows the same few shapes window after
// window, so this cache computes each shape's factor once and a window costs one
// multiplication. The results are bit-identical to ExtrapolatedRate's: a cached factor is
// the same arithmetic on the same inputs, and a window whose counter zero crossing might
// shorten the start extrapolation takes the uncached path.
//
// One cache serves one (range, is_counter, is_rate) combination, i.e. one function call's
// windows; it is small and lives on the stack or in a worker's scratch state.
class RateShapeCache {
 public:
  RateShapeCache() = default;
  RateShapeCache(int64_t range_ms, bool is_counter, bool is_rate)
      : range_ms_(range_ms), is_counter_(is_counter), is_rate_(is_rate) {}

  // ExtrapolatedRate(s, range_end_ms - range, range_end_ms, is_counter, is_rate, ...).
  std::optional<double> Rate(std::span<const Sample> s, int64_t range_end_ms,
                             bool may_have_resets) {
    if (s.size() < 2) return std::nullopt;
    const int64_t range_start_ms = range_end_ms - range_ms_;
    const Sample& first = s.front();
    const Sample& last = s.back();
    const double result = RawIncrease(s, is_counter_, may_have_resets);
    const int64_t to_start = first.t - range_start_ms;
    const int64_t to_end = range_end_ms - last.t;
    Entry& e = entries_[Slot(to_start, to_end, s.size())];
    if (e.to_start != to_start || e.to_end != to_end || e.n != s.size()) {
      Fill(&e, to_start, to_end, s.size());
    }
    if (!e.usable || (is_counter_ && result > 0 && first.v >= 0 &&
                      !(first.v * e.sampled_interval > result * e.zero_bound))) {
      return ExtrapolateIncrease(result, first, last, s.size(), range_start_ms, range_end_ms,
                                 is_counter_, is_rate_);
    }
    return result * e.factor;
  }

 private:
  struct Entry {
    int64_t to_start = -1;  // no window starts before its range: -1 is never a real key
    int64_t to_end = -1;
    size_t n = 0;
    bool usable = false;  // false: compute every window of this shape in full
    double factor = 0;    // ExtrapolationFactor without a zero-crossing cap
    double sampled_interval = 0;
    // The zero crossing cannot shorten the start extrapolation when first.v / result >
    // duration_to_start / sampled_interval; tested without a division as
    // first.v * sampled_interval > result * zero_bound, where zero_bound is
    // duration_to_start with a relative margin of 1e-9. The margin covers every rounding in
    // that test and in ExtrapolateIncrease's own (each at most 2^-53 relative).
    double zero_bound = 0;
  };
  static constexpr size_t kSlots = 16;

  static size_t Slot(int64_t to_start, int64_t to_end, size_t n) {
    const uint64_t h = static_cast<uint64_t>(to_start) * 0x9E3779B97F4A7C15ull ^
                       static_cast<uint64_t>(to_end) * 0xC2B2AE3D27D4EB4Full ^ n;
    return static_cast<size_t>(h >> 60) & (kSlots - 1);
  }

  void Fill(Entry* e, int64_t to_start, int64_t to_end, size_t n) const {
    e->to_start = to_start;
    e->to_end = to_end;
    e->n = n;
    const double duration_to_start = static_cast<double>(to_start) / 1000;
    const double duration_to_end = static_cast<double>(to_end) / 1000;
    e->sampled_interval = static_cast<double>(range_ms_ - to_start - to_end) / 1000;
    e->factor = ExtrapolationFactor(duration_to_start, duration_to_end, e->sampled_interval, n,
                                    range_ms_, is_rate_);
    e->zero_bound = duration_to_start * (1 + 1e-9);
    e->usable = e->sampled_interval > 0 && std::isfinite(e->factor);
  }

  int64_t range_ms_ = 0;
  bool is_counter_ = false;
  bool is_rate_ = false;
  Entry entries_[kSlots];
};

// irate (is_rate) and idelta: the last two samples only. irate treats a decrease as a
// counter reset (result = last value). nullopt when fewer than 2 samples or when the last
// two share a timestamp (2.42 applies that check to both functions).
std::optional<double> InstantRate(std::span<const Sample> s, bool is_rate);

// Least-squares fit of value over time (seconds relative to `intercept_time_ms`), with
// Kahan-compensated sums. When every value equals the first one the slope is 0 and the
// intercept that value — or both NaN if that value is ±Inf.
struct Regression {
  double slope;
  double intercept;
};
Regression LinearRegression(std::span<const Sample> s, int64_t intercept_time_ms);

// deriv(): slope per second, regression anchored at the first sample's time (keeps the
// x values small). nullopt when fewer than 2 samples.
std::optional<double> Deriv(std::span<const Sample> s);

// predict_linear(v, duration_s): slope * duration_s + intercept, with the regression
// anchored at the EVALUATION time (not eval time - offset, not the @ time).
// nullopt when fewer than 2 samples.
std::optional<double> PredictLinear(std::span<const Sample> s, int64_t eval_ts_ms,
                                    double duration_s);

// holt_winters(v, sf, tf): double exponential smoothing. Factors are validated first, even
// when the window has too few samples, with 2.42's messages:
//   "invalid smoothing factor. Expected: 0 < sf < 1, got: %f"
//   "invalid trend factor. Expected: 0 < tf < 1, got: %f"
// (%f as Go prints it: "0.000000", "+Inf", "-Inf"). A NaN factor passes validation, as in
// 2.42, and yields NaN. nullopt when fewer than 2 samples. The engine only calls this for
// series present in the window, so an empty selection never raises the error.
absl::StatusOr<std::optional<double>> HoltWinters(std::span<const Sample> s, double sf, double tf);

// resets(): number of decreases between consecutive samples. 0 for fewer than 2 samples.
double Resets(std::span<const Sample> s);

// changes(): number of value changes between consecutive samples; NaN followed by NaN is
// not a change, NaN next to a number is. 0 for fewer than 2 samples.
double Changes(std::span<const Sample> s);

}  // namespace vigil::promql
