// The `drop` and `keep` stages:
//   | drop level, method="GET", path=~"/health.*"   removes the named labels (those with a
//                                                   matcher only when their value matches)
//   | keep level, status=~"5.."                     removes every label not selected
// `__error__` and `__error_details__` can be dropped (clearing the error) but `keep` never
// removes them, as in Loki. Matchers compare against "" for an absent label.
//
// Thread-safety: immutable after construction; Process may run concurrently on different
// LineStates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"
#include "storage/matcher.h"

namespace vigil::logql::pipeline {

struct LabelSelector {
  std::string name;
  std::optional<LabelMatcher> matcher;  // absent: the label whatever its value

  static LabelSelector Named(std::string_view name);
  static absl::StatusOr<LabelSelector> Matching(MatchType type, std::string_view name,
                                                std::string_view value);
};

class DropLabels {
 public:
  explicit DropLabels(std::vector<LabelSelector> selectors) : selectors_(std::move(selectors)) {}
  bool Process(LineState& state) const;

 private:
  std::vector<LabelSelector> selectors_;
};

class KeepLabels {
 public:
  explicit KeepLabels(std::vector<LabelSelector> selectors) : selectors_(std::move(selectors)) {}
  bool Process(LineState& state) const;

 private:
  std::vector<LabelSelector> selectors_;
};

}  // namespace vigil::logql::pipeline
