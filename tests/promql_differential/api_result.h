// Responses of the Prometheus query API (/api/v1/query, /api/v1/query_range), decoded into
// one shape for comparison, and the comparison itself.
//
// Two results agree when both failed with the same errorType, or both succeeded with the
// same resultType, the same set of series (full label sets), the same timestamps and values
// within a relative 1e-9 or an absolute 1e-12 (NaN equals NaN, infinities equal by sign).
// Vector order matters only for queries whose order is defined (sort, sort_desc): then the
// values must come in the same order (series with equal values may swap). Matrices are
// compared as sets of series.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"

namespace vigil::testing::promql_diff {

struct ApiSeries {
  Labels labels;
  std::vector<std::pair<int64_t, double>> points;  // milliseconds, value
};

struct ApiResult {
  bool success = false;
  std::string error_type;  // when !success
  std::string error;
  std::string result_type;  // "vector", "matrix", "scalar", "string"
  // vector: one point per series; matrix: the series; scalar: one series without labels.
  std::vector<ApiSeries> series;
  std::string string_value;  // for "string"
  int64_t string_t = 0;
};

// Decodes a response body. An error for a body that is not the API's JSON.
absl::StatusOr<ApiResult> ParseApiResponse(std::string_view body);

// "" when `got` agrees with `want`, else a description of the first differences.
std::string DiffResults(const ApiResult& want, const ApiResult& got, bool ordered);

bool ValuesClose(double a, double b);

// The result in a compact text form (truncated after `max_series` series).
std::string Summarize(const ApiResult& r, size_t max_series = 6);

}  // namespace vigil::testing::promql_diff
