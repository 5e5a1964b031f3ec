// LogQL parsing with Grafana Loki's grammar (2.9 / 3.x), semantics and error messages.
//
// Errors are absl::InvalidArgumentError with Loki's text:
//   `parse error at line 1, col 12: syntax error: unexpected IDENTIFIER, expecting STRING`
// for syntax and lexical errors (line and column 1-based, the column counted in characters,
// pointing at the offending token), and
//   `parse error : invalid aggregation count_over_time with unwrap`
// for semantic ones (Loki gives those no position). Only the first error is reported.
//
// Input is treated as hostile: queries of 128 KiB or more are refused (Loki's limit),
// recursion is capped (256 levels of parentheses/aggregations/right operands) and so is the
// depth of expression and label-filter trees (1024), so no input can exhaust the stack of the
// parser, printer, evaluator or destructors.
//
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/logql/syntax/ast.h"

namespace vigil::logql {

// Parses and validates a log or metric query (Loki's syntax.ParseExpr): every log selector
// needs a matcher that does not match the empty string.
absl::StatusOr<ExprPtr> ParseLogQL(std::string_view input);

// Parses a query that must be a log query (for the tail and series endpoints); a metric
// query is refused with "only log selector is supported".
absl::StatusOr<std::unique_ptr<LogSelectorExpr>> ParseLogSelector(std::string_view input);

}  // namespace vigil::logql
