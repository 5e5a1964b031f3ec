// Loki's pattern language, used by the `pattern` parser and the `|>` / `!>` line filters:
// literal text with captures `<name>` (a label) and `<_>` (skipped), e.g.
// `<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>`.
//
// Matching is greedy-free and left to right: text must start with the leading literal (if
// any); each capture then runs up to the first occurrence of the literal after it; a capture
// whose literal is missing takes the rest of the line and matching stops there (the
// captures found so far still count, as in Loki). The filter form (Test) is stricter: every
// literal must be found, in order, with non-empty captures between them, and the line must
// end where the pattern ends (on a literal) or with a non-empty capture.
//
// Thread-safety: immutable after Parse; Match and Test may be called concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"

namespace vigil::logql::pipeline {

class Pattern {
 public:
  // `require_capture`: the parser form needs at least one named capture; the filter form
  // accepts plain text. Two captures in a row and repeated names are errors.
  static absl::StatusOr<Pattern> Parse(std::string_view text, bool require_capture);

  // Names of the named captures, in order.
  const std::vector<std::string>& names() const { return names_; }

  // Fills `captures` with views into `line`, one per named capture matched (a prefix of
  // names(); empty when the leading literal does not match).
  void Match(std::string_view line, std::vector<std::string_view>* captures) const;

  // Whether the whole line matches (the `|>` filter).
  bool Test(std::string_view line) const;

 private:
  struct Node {
    bool capture = false;
    bool named = false;  // a capture other than <_>
    std::string text;    // the literal, or the capture's name
  };
  std::vector<Node> nodes_;
  std::vector<std::string> names_;
};

// The `pattern` parser stage: named captures become labels (`_extracted` on a clash with a
// stream label). A line that does not match keeps its labels; no error is set.
class PatternParser {
 public:
  static absl::StatusOr<PatternParser> Make(std::string_view pattern);
  bool Process(LineState& state) const;

 private:
  Pattern pattern_;
};

}  // namespace vigil::logql::pipeline
