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
#include "re2/re2.h"

namespace vigil::promql {

// args: vector, dst, replacement, src, regex.
absl::StatusOr<StepValue> LabelReplace(Evaluator& ev, std::vector<StepValue> args);
// args: vector, dst, separator, src...
absl::StatusOr<StepValue> LabelJoin(Evaluator& ev, std::vector<StepValue> args);

// Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}` and `$$` in `tmpl`, filled from the
// submatches of `re` in a match (`groups[0]` the whole match). A name is the longest run
// of letters, digits and underscores, so `$1x` refers to a group named "1x" (empty when
// there is none); a malformed reference is copied as text.
std::string ExpandTemplate(const RE2& re, std::string_view tmpl,
                           const std::vector<std::string_view>& groups);

}  // namespace vigil::promql
