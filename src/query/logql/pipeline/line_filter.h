// Line filter stages: `|= "a"`, `!= "a"`, `|~ "re"`, `!~ "re"`, `|> "pattern"`,
// `!> "pattern"`, each with an or-chain of values (`|= "a" or "b"`). A positive filter keeps
// lines matching any value; a negative one keeps lines matching none of them (Loki's
// `!= "a" or "b"` drops lines containing either).
//
// Substring search is case-sensitive. Regexes are RE2 (Go's syntax), unanchored as in Loki;
// those that are plain text — `foo`, `foo\.bar`, `.*foo.*`, `foo|bar`, or case-insensitive
// `(?i)foo` — run as substring searches instead (ASCII case folding; a case-insensitive
// literal with other letters stays a regex). Long needles use Boyer-Moore-Horspool.
//
// Thread-safety: immutable after Make; copies share the compiled matchers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"

namespace vigil::logql::pipeline {

enum class LineFilterOp { kContains, kNotContains, kRegex, kNotRegex, kPattern, kNotPattern };

class LineFilter {
 public:
  // `values` is the or-chain (at least one). Fails on an invalid regex or pattern.
  static absl::StatusOr<LineFilter> Make(LineFilterOp op, std::vector<std::string> values);

  bool Matches(std::string_view line) const;
  bool Process(LineState& state) const { return Matches(state.line()); }

  // Whether the filter was turned into substring searches only (exposed for tests).
  bool IsLiteralOnly() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace vigil::logql::pipeline
