#include "query/promql/functions/quantile.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::promql {

double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(values->begin(), values->end(), NaNFirstLess);

  const double n = static_cast<double>(values->size());
  // Between two samples the result is their weighted average.
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  const std::vector<double>& v = *values;
  return v[static_cast<size_t>(lower)] * (1 - weight) + v[static_cast<size_t>(upper)] * weight;
}

}  // namespace vigil::promql
