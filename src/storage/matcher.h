// Label matchers as in PromQL selectors: `=`, `!=`, `=~`, `!~`. Regexes use RE2 and are fully
// anchored, as Prometheus anchors them (`^(?:re)$`).
//
// Thread-safety: immutable after construction; Matches() may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "re2/re2.h"

namespace vigil {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

class LabelMatcher {
 public:
  static absl::StatusOr<LabelMatcher> Make(MatchType type, std::string_view name,
                                           std::string_view value);
  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // An absent label matches as the empty string, as in Prometheus.
  bool Matches(std::string_view v) const;
  // True when the matcher also selects series that lack the label (it matches "").
  bool MatchesEmpty() const { return matches_empty_; }
  // For `=~"a|b|c"`: the literal alternatives, letting the index look them up directly.
  const std::vector<std::string>& SetMatches() const { return set_matches_; }
  std::string ToString() const;

 private:
  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const RE2> re_;
  std::vector<std::string> set_matches_;
  bool matches_empty_ = false;
};

using Matchers = std::vector<LabelMatcher>;

}  // namespace vigil
