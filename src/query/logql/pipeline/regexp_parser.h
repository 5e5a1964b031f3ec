// The `regexp` parser stage: `| regexp "(?P<method>\\w+) (?P<path>[\\w|/]+)"`. Each named
// group of the first (unanchored) match becomes a label — a group that did not take part
// gives an empty value — with `_extracted` on a clash with a stream label. A line that does
// not match is kept unchanged, without error, as in Loki.
//
// Thread-safety: immutable after Make; Process may run concurrently on different LineStates.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"
#include "re2/re2.h"

namespace vigil::logql::pipeline {

class RegexpParser {
 public:
  // Fails on an invalid regex, on one without named groups, or on a group name that is not
  // a valid label name.
  static absl::StatusOr<RegexpParser> Make(std::string_view regex);
  bool Process(LineState& state) const;

 private:
  std::shared_ptr<const RE2> re_;
  std::vector<std::pair<int, std::string>> names_;  // group index, label name
};

}  // namespace vigil::logql::pipeline
