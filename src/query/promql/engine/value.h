// The values PromQL evaluation produces: scalars, strings, instant vectors and matrices.
//
// Thread-safety: plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/labels.h"
#include "query/promql/syntax/ast.h"
#include "storage/sample.h"

namespace vigil::promql {

// One element of an instant vector: a series' labels and its value at the evaluation time.
struct VectorSample {
  Labels labels;
  double v = 0;
  int64_t t = 0;  // milliseconds
};
using Vector = std::vector<VectorSample>;

// One series of a range vector or of a range query's result: its points in time order.
struct Series {
  Labels labels;
  std::vector<Sample> points;
};
using Matrix = std::vector<Series>;

// The result of a query: exactly one of the value kinds, by `type`.
struct QueryResult {
  ValueType type = ValueType::kNone;
  int64_t t = 0;        // scalar/string: evaluation time
  double scalar = 0;
  std::string string;
  Vector vector;
  Matrix matrix;
  std::vector<std::string> warnings;
};

}  // namespace vigil::promql
