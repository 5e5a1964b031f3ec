// Checking a query's result against an eval command's expectation, as Prometheus 2.42's
// harness does: values within a relative error of 1e-6 (NaN equals NaN), series matched by
// their full label set, positions checked only for eval_ordered, and a range query's point at
// the evaluation time standing in for the instant result.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "query/promql/conformance/test_script.h"
#include "query/promql/engine/value.h"

namespace vigil::promql::conformance {

// Upstream's almostEqual: equal, both NaN, or a relative difference below 1e-6; when either
// side is zero or the difference is below the smallest normal double, the difference must be
// below 1e-6 times that smallest normal (so 0 vs 1e-300 differs).
bool AlmostEqual(double a, double b);

// An instant query's result. FailedPrecondition with the reason on a mismatch.
absl::Status CheckInstantResult(const EvalCmd& cmd, const QueryResult& result);

// The range-query variant: `range` (a matrix) is reduced to each series' point at `t_ms` and
// checked as a vector, or as a scalar when the instant variant's result was one.
absl::Status CheckRangeResult(const EvalCmd& cmd, ValueType instant_type, const QueryResult& range,
                              int64_t t_ms);

// Result and expectation in the script's notation, one sample per line (for failure reports).
std::string FormatResult(const QueryResult& r);
std::string FormatExpected(const EvalCmd& cmd);
std::string FormatValue(double v);

}  // namespace vigil::promql::conformance
