// Range aggregations over the samples a log pipeline extracted: count_over_time, rate,
// bytes_over_time, sum/avg/min/max/…_over_time, quantile_over_time, rate_counter,
// absent_over_time. At each step t the window is (t - offset - range, t - offset] (left-open,
// as Loki's range vectors are); a series has no value at a step whose window holds no
// sample. The sample's value is 1 for counting ops, the line's size for bytes ops, and the
// unwrapped value otherwise (the collector decides).
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <vector>

#include "query/logql/engine/step_matrix.h"
#include "query/logql/syntax/ast.h"

namespace vigil::logql {

struct TimedValue {
  int64_t ts_ns;
  double value;
};

// The step values of one series; `samples` sorted by time.
void AggregateRange(const RangeAggregationExpr& expr, const StepGrid& grid,
                    std::span<const TimedValue> samples, StepSeries* out,
                    std::vector<double>* scratch);

// absent_over_time: one series (labels from the selector's equality matchers) with 1 at the
// steps where no series had a sample.
StepSeries AbsentSeries(const RangeAggregationExpr& expr, const StepGrid& grid,
                        const std::vector<StepSeries>& present);

}  // namespace vigil::logql
