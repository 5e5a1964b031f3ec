// The aggregations whose state per (group, step) is a few numbers (sum, avg, min, max,
// count, group, stddev, stdvar), computed series by series: each input point lands in its
// group's cell for its step. One pass over the points, no per-step scan of absent series,
// and series can be fed as they are produced (a range function's output goes straight in,
// never materialised). Cells fill in series order, the order a per-step evaluation adds
// them in, so floating-point results are the same.
//
// Thread-safety: one per aggregation, used by one thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/functions/aggregation_kernels.h"

namespace vigil::promql {

// The labels of the aggregation group a series belongs to (`extra` is also kept under
// `by`, for count_values' value label).
Labels AggregationGroupLabels(const Labels& l, const AggregateExpr& e, std::string_view extra);

bool IsCellAggregation(AggregateOp op);

class CellAggregator {
 public:
  CellAggregator(const AggregateExpr& e, const Evaluator& ev) : e_(e), ev_(ev) {}
  // `pts` lie on the evaluator's steps.
  void Add(const Labels& series_labels, std::span<const Sample> pts);
  // The groups in order of first appearance.
  StepValue Finish();

 private:
  struct Group {
    Labels labels;
    std::vector<uint32_t> count;  // per step; 0: no input at that step
    std::vector<double> value;
    std::vector<AvgAccumulator> avg;
    std::vector<VarianceAccumulator> var;
  };
  Group& GroupOf(const Labels& series_labels);

  const AggregateExpr& e_;
  const Evaluator& ev_;
  std::vector<Group> groups_;
  absl::flat_hash_map<std::string, size_t> ids_;
};

}  // namespace vigil::promql
