// label_replace() and label_join(): rewrite each series' labels once (values untouched).
// Argument errors (a bad regular expression, an invalid label name) fail the query, as in
// Prometheus, whether or not any series is present.
//
// Thread-safety: pure functions of their inputs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/promql/engine/evaluator.h"

namespace vigil::promql {

// args: vector, dst, replacement, src, regex.
absl::StatusOr<StepValue> LabelReplace(Evaluator& ev, std::vector<StepValue> args);
// args: vector, dst, separator, src...
absl::StatusOr<StepValue> LabelJoin(Evaluator& ev, std::vector<StepValue> args);

}  // namespace vigil::promql
