// The queries of the PromQL differential test, built from templates over the dataset's
// metrics: selectors with every matcher type, range functions, *_over_time, aggregations,
// binary operators with vector matching, histogram_quantile, label functions, math and date
// functions, subqueries, offset and @, plus queries that must fail. Each runs as instant
// queries at several times and as range queries over several ranges and steps.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/promql_differential/dataset.h"

namespace vigil::testing::promql_diff {

struct DiffQuery {
  std::string expr;
  // The result order is defined (sort/sort_desc): instant results are compared in order.
  bool ordered = false;
};

std::vector<DiffQuery> GenerateQueries(const Dataset& d);

struct RangeSpec {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 0;
};

// Instant evaluation times: the end of the data, an off-grid time in the middle, just after
// the start, and shortly after the end (inside the lookback).
std::vector<int64_t> InstantTimes(const Dataset& d);
// The last hour at 15 s, the whole span at 1 m, and 5 m steps reaching past both ends.
std::vector<RangeSpec> RangeSpecs(const Dataset& d);

}  // namespace vigil::testing::promql_diff
