// Prometheus 2.42's PromQL test scripts (`promql/testdata/*.test`), parsed into commands.
//
// The format, as upstream's harness reads it: lines are trimmed and `#` lines are blank; a
// command is `clear`, `load <interval>` followed by series-description lines up to the next
// blank line, or `eval[_fail|_ordered] instant at <duration> <query>` followed by expected
// samples up to the next blank line: `{labels} value` / `name{labels} value` lines, or one
// bare number for a scalar result (which ends the block). Samples of a loaded series sit at
// i * interval from the Unix epoch; omitted values (`_`) leave a gap. The query text is kept
// as written: parsing it is the engine's business.
//
// Errors are InvalidArgument "line N: message" (1-based); the first error ends parsing, as
// upstream fails the whole file.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/sample.h"

namespace vigil::promql::conformance {

struct LoadedSeries {
  Labels labels;
  std::vector<Sample> samples;  // time order; staleness markers are StaleNaN()
};

struct LoadCmd {
  int line = 0;
  int64_t interval_ms = 0;
  std::vector<LoadedSeries> series;  // a series defined twice keeps its last definition
};

struct ClearCmd {
  int line = 0;
};

enum class EvalKind { kNormal, kFail, kOrdered };

struct ExpectedSample {
  Labels labels;
  double value = 0;
  int pos = 0;  // 1-based position among the expectation lines (checked by eval_ordered)
};

struct EvalCmd {
  int line = 0;
  EvalKind kind = EvalKind::kNormal;
  std::string expr;
  int64_t t_ms = 0;
  // Vector expectations; a labels set written twice keeps its last line.
  std::vector<ExpectedSample> samples;
  std::optional<double> scalar;
};

using Command = std::variant<LoadCmd, ClearCmd, EvalCmd>;

struct TestScript {
  std::vector<Command> commands;
  size_t EvalCount() const;
};

absl::StatusOr<TestScript> ParseTestScript(std::string_view text);

// The 1-based numbers of the lines that start an eval command (first word beginning with
// "eval"), found without parsing: a file's cases even when it does not parse.
std::vector<int> EvalLines(std::string_view text);

}  // namespace vigil::promql::conformance
