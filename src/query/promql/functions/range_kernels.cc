#include "query/promql/functions/range_kernels.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "query/promql/functions/kahan.h"

namespace vigil::promql {
namespace {

// Go's fmt "%f" for a float64: like C's, except for the spelling of the specials.
std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];  // the largest double printed with %f needs ~317 characters
  std::snprintf(buf, sizeof(buf), "%f", v);
  return buf;
}

}  // namespace


std::optional<double> InstantRate(std::span<const Sample> s, bool is_rate) {
  if (s.size() < 2) return std::nullopt;
  const Sample& last = s[s.size() - 1];
  const Sample& prev = s[s.size() - 2];
  double result;
  if (is_rate && last.v < prev.v) {
    result = last.v;  // counter reset: the counter restarted from zero
  } else {
    result = last.v - prev.v;
  }
  const int64_t interval_ms = last.t - prev.t;
  if (interval_ms == 0) return std::nullopt;
  if (is_rate) result /= static_cast<double>(interval_ms) / 1000;
  return result;
}

Regression LinearRegression(std::span<const Sample> s, int64_t intercept_time_ms) {
  double n = 0;
  double sum_x = 0, c_x = 0;
  double sum_y = 0, c_y = 0;
  double sum_xy = 0, c_xy = 0;
  double sum_x2 = 0, c_x2 = 0;
  const double init_y = s.empty() ? std::numeric_limits<double>::quiet_NaN() : s[0].v;
  bool const_y = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (const_y && i > 0 && s[i].v != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(s[i].t - intercept_time_ms) / 1e3;
    KahanSumInc(x, &sum_x, &c_x);
    KahanSumInc(s[i].v, &sum_y, &c_y);
    KahanSumInc(x * s[i].v, &sum_xy, &c_xy);
    KahanSumInc(x * x, &sum_x2, &c_x2);
  }
  if (const_y) {
    // A flat line has slope 0 even where the general formula would produce NaN from
    // rounding noise or infinities.
    if (std::isinf(init_y)) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return {nan, nan};
    }
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;

  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  const double intercept = sum_y / n - slope * sum_x / n;
  return {slope, intercept};
}

std::optional<double> Deriv(std::span<const Sample> s) {
  if (s.size() < 2) return std::nullopt;
  return LinearRegression(s, s[0].t).slope;
}

std::optional<double> PredictLinear(std::span<const Sample> s, int64_t eval_ts_ms,
                                    double duration_s) {
  if (s.size() < 2) return std::nullopt;
  const Regression r = LinearRegression(s, eval_ts_ms);
  return r.slope * duration_s + r.intercept;
}

absl::StatusOr<std::optional<double>> HoltWinters(std::span<const Sample> s, double sf, double tf) {
  if (sf <= 0 || sf >= 1) {
    return absl::InvalidArgumentError("invalid smoothing factor. Expected: 0 < sf < 1, got: " +
                                      GoFormatF(sf));
  }
  if (tf <= 0 || tf >= 1) {
    return absl::InvalidArgumentError("invalid trend factor. Expected: 0 < tf < 1, got: " +
                                      GoFormatF(tf));
  }
  if (s.size() < 2) return std::optional<double>();

  // s0: previous smoothed value, s1: current smoothed value, b: trend.
  double s0 = 0;
  double s1 = s[0].v;
  double b = s[1].v - s[0].v;
  for (size_t i = 1; i < s.size(); ++i) {
    const double x = sf * s[i].v;
    // The trend starts as the first difference; afterwards it blends the change of the
    // smoothed value with the previous trend.
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return std::optional<double>(s1);
}

double Resets(std::span<const Sample> s) {
  if (s.size() < 2) return 0;
  int64_t resets = 0;
  double prev = s[0].v;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i].v < prev) ++resets;
    prev = s[i].v;
  }
  return static_cast<double>(resets);
}

double Changes(std::span<const Sample> s) {
  if (s.size() < 2) return 0;
  int64_t changes = 0;
  double prev = s[0].v;
  for (size_t i = 1; i < s.size(); ++i) {
    const double cur = s[i].v;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
    prev = cur;
  }
  return static_cast<double>(changes);
}

}  // namespace vigil::promql
