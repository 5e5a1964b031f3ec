// Compensated (Kahan–Neumaier) summation, the building block PromQL 2.42 uses for
// sum_over_time, avg_over_time, stddev/stdvar_over_time and the linear regression behind
// deriv/predict_linear. Kept in one place so every kernel rounds identically.
//
// Contract: KahanSumInc adds `inc` to the running `*sum`, accumulating the lost low-order
// bits in `*c`; the caller reports `*sum + *c` at the end (or `*sum` alone when it is
// infinite, because the compensation is then NaN). The order of operations is part of the
// contract: changing it changes results in the last bits.
//
// Thread-safety: pure functions.
#pragma once

#include <cmath>

namespace vigil::promql {

inline void KahanSumInc(double inc, double* sum, double* c) {
  const double t = *sum + inc;
  // Neumaier's variant: subtract whichever operand is larger in magnitude first, so the
  // compensation also works when the increment dwarfs the running sum.
  if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

}  // namespace vigil::promql
