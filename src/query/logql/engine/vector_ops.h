// The step-wise operators of LogQL metric queries, with PromQL's semantics (which Loki
// reuses): vector aggregations (sum, avg, min, max, count, stddev, stdvar, topk, bottomk,
// sort, sort_desc) with by/without, binary operators between series and scalars with vector
// matching (on/ignoring, group_left/group_right, bool, and/or/unless), and label_replace.
//
// Errors (a many-to-many match, duplicate series after an operation) are Aborted statuses
// with Prometheus' wording.
//
// Thread-safety: pure functions.
#pragma once

#include "absl/status/statusor.h"
#include "query/logql/engine/step_matrix.h"
#include "query/logql/syntax/ast.h"

namespace vigil::logql {

absl::StatusOr<StepValue> AggregateVector(const VectorAggregationExpr& e, StepValue in,
                                          size_t steps);
absl::StatusOr<StepValue> ApplyBinary(const BinaryExpr& e, StepValue lhs, StepValue rhs,
                                      size_t steps);
absl::StatusOr<StepValue> ApplyLabelReplace(const LabelReplaceExpr& e, StepValue in);

// The labels a grouping keeps of `labels` (by: only those; without: all but those).
Labels GroupLabels(const Labels& labels, const Grouping& g);

}  // namespace vigil::logql
