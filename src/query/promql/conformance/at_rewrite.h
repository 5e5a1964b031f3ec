// The `@` variants of a test-script eval, as Prometheus 2.42's harness builds them: every
// selector and subquery gets `@ <eval time>` and the query is evaluated again at other
// times, where it must give the same answer.
//
// Rules (upstream's atModifierTestCases): a vector selector, the selector of a range
// selector, or a subquery without a fixed `@` timestamp gets one (`@ start()`/`@ end()` are
// replaced); nothing below a subquery that has (or just got) a timestamp is touched. When the
// expression, outside such subqueries, calls a function whose result depends on the
// evaluation time even for fixed inputs (time, timestamp, predict_linear, the date
// functions), no variants are made.
//
// Thread-safety: pure functions; InjectAtModifier mutates only the tree it is given.
#pragma once

#include <cstdint>
#include <vector>

#include "query/promql/syntax/ast.h"

namespace vigil::promql::conformance {

// Sets the timestamps; returns false (the tree is then partly rewritten and unusable) when
// the expression must not get `@` variants.
bool InjectAtModifier(Expr& root, int64_t t_ms);

// The evaluation times of the variants for an eval at `t_ms`: {-10t, 0, t/5, t, 10t}, or
// {-1000, 0, 1000} when t is 0.
std::vector<int64_t> AtVariantTimes(int64_t t_ms);

}  // namespace vigil::promql::conformance
