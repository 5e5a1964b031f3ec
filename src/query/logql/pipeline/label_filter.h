// Label filter stages: `| level="error"`, `| status >= 400`, `| duration > 1.5s`,
// `| size <= 20KB`, combined with `and` / `or` (`,` and a space mean `and` in LogQL; the
// caller builds the tree with And/Or, respecting LogQL's precedence).
//
// Semantics follow Loki:
//   * string matchers (= != =~ !~) compare the label's value, "" when absent; regexes are
//     anchored as in Prometheus. They also see `__error__` and `__error_details__`, which is
//     how `| __error__=""` drops failed lines.
//   * numeric, duration and bytes comparisons parse the label's value with Go's ParseFloat,
//     Go's ParseDuration and go-humanize's ParseBytes. An absent label fails the comparison;
//     a value that does not parse keeps the line and sets `__error__=LabelFilterErr`; a line
//     that already carries an error passes them untouched (only string matchers can drop it).
//   * `or` stops at the first side that passes; `and` at the first that fails.
//
// Thread-safety: immutable after construction; Process may run concurrently on different
// LineStates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"
#include "storage/matcher.h"

namespace vigil::logql::pipeline {

enum class CompareOp { kEq, kNe, kGt, kGe, kLt, kLe };

class LabelFilter {
 public:
  static absl::StatusOr<LabelFilter> String(MatchType type, std::string_view name,
                                            std::string_view value);
  static LabelFilter Numeric(std::string_view name, CompareOp op, double value);
  static LabelFilter Duration(std::string_view name, CompareOp op, int64_t nanoseconds);
  static LabelFilter Bytes(std::string_view name, CompareOp op, uint64_t bytes);
  static LabelFilter And(const LabelFilter& left, const LabelFilter& right);
  static LabelFilter Or(const LabelFilter& left, const LabelFilter& right);

  bool Process(LineState& state) const { return Eval(root_, state); }

 private:
  struct Node {
    enum class Kind : uint8_t { kAnd, kOr, kString, kNumeric, kDuration, kBytes };
    Kind kind = Kind::kString;
    CompareOp op = CompareOp::kEq;
    int left = -1, right = -1;  // children of kAnd / kOr, indexes into nodes_
    std::string name;
    double number = 0;
    int64_t duration = 0;
    uint64_t bytes = 0;
    std::optional<LabelMatcher> matcher;
  };

  static LabelFilter Leaf(Node node);
  static LabelFilter Combine(Node::Kind kind, const LabelFilter& left, const LabelFilter& right);
  bool Eval(int index, LineState& state) const;

  std::vector<Node> nodes_;
  int root_ = 0;
};

}  // namespace vigil::logql::pipeline
