// PromQL parsing with Prometheus 2.42's grammar, semantics and error messages.
//
// Errors are absl::InvalidArgumentError with Prometheus' text, e.g.
//   `1:7: parse error: unexpected "}" in label matching, expected string`
// where the position is `<line>:<column>` of the offending token, 1-based, the column
// counted in bytes from the start of its line (as Prometheus counts it). Only the first error
// is reported, as Prometheus does.
//
// Input is treated as hostile: parsing is linear, nesting is capped (parentheses, calls, signs
// and right operands at 256 levels; expression trees at 2048 levels; queries at 4 MiB), and
// every node records its byte range in the query.
//
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/promql/syntax/ast.h"

namespace vigil::promql {

// Parses and type checks an expression (Prometheus' parser.ParseExpr). The result's binary
// expressions carry `matching` exactly when both sides are instant vectors.
absl::StatusOr<ExprPtr> ParseExpr(std::string_view input);

// Parses a series selector as the `match[]` parameters use it (Prometheus'
// parser.ParseMetricSelector): `name`, `name{...}` or `{...}`, nothing else. As in
// Prometheus it does not type check: `{}` and `{a=""}` parse, and APIs reject selectors
// without a non-empty matcher themselves ("match[] must contain at least one non-empty
// matcher"). A metric name becomes the first matcher, `__name__="name"`.
absl::StatusOr<std::unique_ptr<VectorSelector>> ParseMetricSelector(std::string_view input);

// Unquotes a PromQL string literal as Prometheus does: "double" or 'single' quoted with Go
// escapes (\n \t \\ \" \' \xNN \NNN \uNNNN \UNNNNNNNN), or a `raw` string. The whole input
// must be one literal; the error is "invalid syntax".
absl::StatusOr<std::string> UnquotePromString(std::string_view literal);

}  // namespace vigil::promql
