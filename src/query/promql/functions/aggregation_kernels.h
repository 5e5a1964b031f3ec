// Numeric state for PromQL's aggregation operators, with Prometheus 2.42's arithmetic.
//
// The engine groups samples and feeds each group's values in input order: Init() with the
// first value, Add() with each further one. Unlike the *_over_time functions, 2.42's
// aggregations use NO compensated summation:
//  * sum:    value += v (plain; nothing to provide).
//  * avg:    AvgAccumulator — mean starts at the first value; each further value does
//            mean += v/n - mean/n, except that a ±Inf mean is kept when the new value is a
//            same-signed Inf or finite (NaN or the opposite Inf turn it into NaN).
//  * stddev/stdvar: VarianceAccumulator — Welford: mean starts at the first value and M2 at
//            0; delta = v - mean; mean += delta/n; M2 += delta * (v - mean). Population
//            variance M2/n; stddev its square root.
//  * min/max: UpdateMin/UpdateMax — start from the first value; a NaN current value is
//            replaced by the next one, so NaN only survives when every input is NaN.
//  * quantile: collect the values and call Quantile() (quantile.h).
//
// Thread-safety: plain value types; one accumulator per group, not shared.
#pragma once

#include <cmath>
#include <cstdint>

namespace vigil::promql {

class AvgAccumulator {
 public:
  void Init(double v) {
    mean_ = v;
    count_ = 1;
  }
  void Add(double v) {
    ++count_;
    if (std::isinf(mean_)) {
      // Inf - Inf would make a still-correct infinite mean NaN.
      if (std::isinf(v) && (mean_ > 0) == (v > 0)) return;
      if (!std::isinf(v) && !std::isnan(v)) return;
    }
    // Dividing each term by n first avoids overflow for values near the float64 limit.
    const double n = static_cast<double>(count_);
    mean_ += v / n - mean_ / n;
  }
  double Result() const { return mean_; }
  int64_t count() const { return count_; }

 private:
  double mean_ = 0;
  int64_t count_ = 0;
};

class VarianceAccumulator {
 public:
  void Init(double v) {
    mean_ = v;
    m2_ = 0;
    count_ = 1;
  }
  void Add(double v) {
    ++count_;
    const double delta = v - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (v - mean_);
  }
  double Stdvar() const { return m2_ / static_cast<double>(count_); }
  double Stddev() const { return std::sqrt(m2_ / static_cast<double>(count_)); }
  int64_t count() const { return count_; }

 private:
  double mean_ = 0;
  double m2_ = 0;
  int64_t count_ = 0;
};

inline void UpdateMax(double* current, double v) {
  if (*current < v || std::isnan(*current)) *current = v;
}

inline void UpdateMin(double* current, double v) {
  if (*current > v || std::isnan(*current)) *current = v;
}

}  // namespace vigil::promql
