// The φ-quantile of a set of float values, as PromQL 2.42's `quantile` aggregation and
// quantile_over_time compute it.
//
// Contract: Quantile(q, values)
//  * NaN when `values` is empty or q is NaN; -Inf when q < 0; +Inf when q > 1 (checked in
//    that order, before looking at the values);
//  * otherwise sorts *values in place ascending (NaN values sort first, as 2.42's ordering
//    puts them below every number) and interpolates linearly between the two values around
//    rank q * (n - 1): v[lo] * (1 - w) + v[hi] * w.
// The caller owns the buffer and may reuse it across calls to avoid allocation.
//
// Thread-safety: pure function over caller-owned data.
#pragma once

#include <vector>

namespace vigil::promql {

double Quantile(double q, std::vector<double>* values);

// Orders NaN before every number and numbers ascending: the strict weak ordering used for
// Quantile's sort (plain `<` is not one once NaN is involved).
inline bool NaNFirstLess(double a, double b) {
  if (a != a) return b == b;  // a is NaN: less than any number, equal to another NaN
  return a < b;
}

}  // namespace vigil::promql
