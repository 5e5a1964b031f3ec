// The values a LogQL metric expression takes over the steps of a query: a set of series, each
// with a value or nothing at every step, or a scalar (a literal). Instant queries are the
// one-step case.
//
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <vector>

#include "common/labels.h"

namespace vigil::logql {

struct StepGrid {
  int64_t start_ns = 0;
  int64_t end_ns = 0;   // inclusive
  int64_t step_ns = 1;  // > 0
  size_t size() const { return static_cast<size_t>((end_ns - start_ns) / step_ns) + 1; }
  int64_t At(size_t i) const { return start_ns + static_cast<int64_t>(i) * step_ns; }
};

struct StepSeries {
  Labels labels;
  std::vector<double> values;  // one per step
  std::vector<bool> present;   // whether the series has a value at that step
  bool Empty() const;
};

struct StepValue {
  bool is_scalar = false;
  double scalar = 0;
  std::vector<StepSeries> series;
};

}  // namespace vigil::logql
