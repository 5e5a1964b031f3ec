// The series description notation of Prometheus' test scripts and rule unit tests:
// `metric{label="value"} 0+10x10 _ 5 stale -Inf 1-1x3 _x2`.
//
// Values expand as in Prometheus 2.42: `a+bxN` / `a-bxN` are N+1 values starting at a (each
// the previous plus/minus b, accumulated the way upstream adds), `axN` is N+1 copies of a,
// `_` is one omitted value and `_xN` N omitted values, `stale` is the staleness marker, and
// numbers accept Inf/NaN in any case with an optional sign. Labels in the set are `name="v"`
// pairs with Go-style quoting (double, single or back quotes); only `=` is allowed.
//
// Input is treated as hostile: errors name the column, and expansion is bounded by
// `max_values` so a line like `0+1x99999999999` cannot exhaust memory.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"

namespace vigil::promql::conformance {

inline constexpr size_t kMaxSeriesValues = 1'000'000;

struct SequenceValue {
  double value = 0;
  bool omitted = false;  // `_`: no sample at this step
};

struct SeriesDesc {
  Labels labels;  // sorted; includes __name__ when a metric name was written
  std::vector<SequenceValue> values;
};

// Parses one line (already trimmed). Errors are InvalidArgument "col N: message" with a
// 1-based byte column.
absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line,
                                           size_t max_values = kMaxSeriesValues);

// Go's strconv.ParseInt(s, 0, 64) followed, when that fails, by strconv.ParseFloat(s, 64):
// how Prometheus reads numbers in series values and test expectations ("010" is octal 8,
// "0x1f" is 31, "1e3", ".5", "Inf", "-nan"). False when neither accepts the whole string.
bool ParseGoNumber(std::string_view s, double* out);

}  // namespace vigil::promql::conformance
