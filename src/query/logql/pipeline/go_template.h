// A Go text/template subset for LogQL's `line_format` and `label_format`, compiled once per
// query and executed per line against the line's labels (`{{.name}}`; a missing label reads
// as "", Go's `missingkey=zero` on a string map).
//
// Supported syntax: text and actions, `{{-`/`-}}` trimming, comments, pipelines with `|`,
// parentheses, `.`/`$` and `.field` chains, string (quoted and raw), number, boolean and nil
// literals, `if`/`else if`/`else`/`end` and `with`/`else`/`end`. Not supported: variables,
// `range`, `define`/`template`/`block`.
//
// Functions (Go builtins, Loki's, and the Sprig subset Loki enables):
//   and or not eq ne lt le gt ge len print printf println
//   __line__ __timestamp__
//   ToLower ToUpper Replace Trim TrimLeft TrimRight TrimPrefix TrimSuffix TrimSpace
//   lower upper title trunc substr contains hasPrefix hasSuffix indent nindent replace
//   repeat trim trimAll trimPrefix trimSuffix b64enc b64dec urlencode urldecode
//   regexReplaceAll regexReplaceAllLiteral count alignLeft alignRight
//   int float64 add sub mul div mod addf subf mulf divf max min maxf minf ceil floor round
//   default bytes duration duration_seconds
//   date toDate toDateInZone now unixEpoch unixEpochMillis unixEpochNanos unixToTime
// Not supported: fromJson and Sprig functions Loki does not enable. Case mapping (ToUpper,
// lower, title, ...) covers ASCII letters only; other bytes pass through unchanged. Times
// print and format in UTC.
//
// Argument types are checked as Go checks them: `{{ToUpper 1}}` is an error, and so is
// calling an unknown function or one with the wrong number of arguments (at compile time).
// Run-time errors (`{{div 1 0}}`, a bad `urldecode`, output past kMaxTemplateOutput) are
// returned by Execute; the stages turn them into `__error__=TemplateFormatErr`.
//
// Thread-safety: a GoTemplate is immutable after Compile and may be executed concurrently;
// each execution uses the caller's LineState (and its TemplateScratch).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "query/logql/pipeline/template_value.h"
#include "re2/re2.h"

namespace vigil::logql::pipeline {

class LineState;

namespace tmpl {
struct Program;
}

// Upper bound on one execution's output and on any string a function builds.
inline constexpr size_t kMaxTemplateOutput = size_t{16} << 20;

// Per-thread evaluation state, owned by LineState (LineState::template_scratch()).
class TemplateScratch {
 public:
  // A cleared string that stays put until Reset (deque: growing never moves one).
  std::string& NewString();
  void Reset() { used_ = 0; }

  std::vector<tmpl::Value> stack;
  std::vector<re2::StringPiece> groups;
  std::vector<LabelView> views;
  // A copy of the labels, read instead of the live ones while a label_format stage writes
  // (so every template of the stage sees the labels as they were).
  std::vector<std::pair<std::string, std::string>> snapshot;
  size_t snapshot_size = 0;
  bool use_snapshot = false;
  std::string output;

 private:
  std::deque<std::string> pool_;
  size_t used_ = 0;
};

class GoTemplate {
 public:
  GoTemplate() = default;
  // `name` appears in error messages ("line", "label").
  static absl::StatusOr<GoTemplate> Compile(std::string_view text, std::string_view name = "line");

  // Appends the output for the line in `state` to *out.
  absl::Status Execute(LineState& state, std::string* out) const;

  // When the template is exactly `{{.field}}` (or `{{ .field }}`), the field's name: the
  // stages then copy the label directly.
  std::string_view simple_field() const;

 private:
  std::shared_ptr<const tmpl::Program> program_;
};

}  // namespace vigil::logql::pipeline
