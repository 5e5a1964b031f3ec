// The *_over_time family: per-series aggregation of the float samples in one window.
//
// Contract: `s` is one series' window, sorted by time, staleness markers removed. The
// engine never calls these with an empty window (2.42 skips series without samples at a
// step); for robustness an empty window yields NaN (count: 0, present: 0) rather than
// undefined behaviour. Arithmetic mirrors Prometheus 2.42 operation for operation:
//  * sum_over_time: Kahan–Neumaier compensated sum; the compensation is dropped when the
//    sum is infinite.
//  * avg_over_time: incremental mean (mean += v/n - mean/n, which cannot overflow for
//    finite inputs) fed through compensated summation; once the mean is ±Inf, a same-sign
//    Inf or any finite value leaves it unchanged, while NaN or the opposite Inf makes it NaN.
//  * stddev/stdvar_over_time: Welford's update with both the mean and the M2 term
//    Kahan-compensated; population variance (divide by n).
//  * min/max_over_time: a NaN current extreme is replaced by the next sample, so NaN only
//    survives when every sample is NaN.
//  * quantile_over_time: Quantile() over the window's values (see quantile.h).
//
// Thread-safety: pure functions; only QuantileOverTime writes, into the caller's scratch.
#pragma once

#include <span>
#include <vector>

#include "storage/sample.h"

namespace vigil::promql {

double SumOverTime(std::span<const Sample> s);
double AvgOverTime(std::span<const Sample> s);
double CountOverTime(std::span<const Sample> s);
double MinOverTime(std::span<const Sample> s);
double MaxOverTime(std::span<const Sample> s);
double StddevOverTime(std::span<const Sample> s);
double StdvarOverTime(std::span<const Sample> s);
// The value of the newest sample (NaN included).
double LastOverTime(std::span<const Sample> s);
// 1 for a non-empty window. (absent_over_time is resolved by the engine from which series
// produced output; it has no per-series kernel.)
double PresentOverTime(std::span<const Sample> s);
// Copies the values into *scratch (cleared first, capacity reused) and takes the q-quantile.
double QuantileOverTime(double q, std::span<const Sample> s, std::vector<double>* scratch);

}  // namespace vigil::promql
