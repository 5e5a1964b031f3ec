#include "query/promql/functions/over_time.h"

#include <cmath>
#include <limits>

#include "query/promql/functions/kahan.h"
#include "query/promql/functions/quantile.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Welford's online variance with compensated mean and M2, as 2.42 computes it. Returns the
// population variance (M2 / n).
double Variance(std::span<const Sample> s) {
  double count = 0;
  double mean = 0, c_mean = 0;
  double aux = 0, c_aux = 0;
  for (const Sample& p : s) {
    count++;
    const double delta = p.v - (mean + c_mean);
    KahanSumInc(delta / count, &mean, &c_mean);
    KahanSumInc(delta * (p.v - (mean + c_mean)), &aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

}  // namespace

double SumOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  double sum = 0, c = 0;
  for (const Sample& p : s) KahanSumInc(p.v, &sum, &c);
  // With an infinite sum the compensation is NaN (Inf - Inf); the sum alone is the answer.
  if (std::isinf(sum)) return sum;
  return sum + c;
}

double AvgOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  double mean = 0, count = 0, c = 0;
  for (const Sample& p : s) {
    count++;
    if (std::isinf(mean)) {
      // Inf - Inf would turn the mean into NaN although it is still correct: keep it when
      // the new value is an Inf of the same sign or any finite number.
      if (std::isinf(p.v) && (mean > 0) == (p.v > 0)) continue;
      if (!std::isinf(p.v) && !std::isnan(p.v)) continue;
    }
    // Dividing both terms by count first keeps the update finite for huge inputs.
    KahanSumInc(p.v / count - mean / count, &mean, &c);
  }
  if (std::isinf(mean)) return mean;
  return mean + c;
}

double CountOverTime(std::span<const Sample> s) { return static_cast<double>(s.size()); }

double MinOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  double min = s[0].v;
  for (const Sample& p : s) {
    if (p.v < min || std::isnan(min)) min = p.v;
  }
  return min;
}

double MaxOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  double max = s[0].v;
  for (const Sample& p : s) {
    if (p.v > max || std::isnan(max)) max = p.v;
  }
  return max;
}

double StddevOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  return std::sqrt(Variance(s));
}

double StdvarOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  return Variance(s);
}

double LastOverTime(std::span<const Sample> s) {
  if (s.empty()) return kNaN;
  return s.back().v;
}

double PresentOverTime(std::span<const Sample> s) { return s.empty() ? 0 : 1; }

double QuantileOverTime(double q, std::span<const Sample> s, std::vector<double>* scratch) {
  scratch->clear();
  scratch->reserve(s.size());
  for (const Sample& p : s) scratch->push_back(p.v);
  return Quantile(q, scratch);
}

}  // namespace vigil::promql
