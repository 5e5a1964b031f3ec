// Formatting stages:
//   | line_format "{{.level}}: {{.msg}}"       replaces the line by the template's output
//   | label_format dst=src, x="{{.a}}-{{.b}}"  renames labels and sets templated labels
//   | decolorize                                strips ANSI escape sequences from the line
// Templates are compiled once (go_template.h). A template that fails at run time keeps the
// line (or label) unchanged and sets `__error__=TemplateFormatErr` with the reason in
// `__error_details__`.
//
// label_format follows Loki: `dst=src` moves the value (src disappears; a missing src does
// nothing); `dst="{{...}}"` keeps the labels it reads. Every template of one label_format
// reads the labels as they were when its first template ran, so the formats of a stage do
// not see each other's templated results.
//
// Thread-safety: immutable after Make; Process may run concurrently on different LineStates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/line_state.h"

namespace vigil::logql::pipeline {

class LineFormat {
 public:
  static absl::StatusOr<LineFormat> Make(std::string_view template_text);
  bool Process(LineState& state) const;

 private:
  GoTemplate template_;
};

struct LabelFormatSpec {
  std::string dst;
  std::string value;    // the source label (rename) or the template text
  bool rename = false;  // `dst=src` rather than `dst="template"`
};

class LabelFormat {
 public:
  // Fails on an invalid or repeated destination, on `__error__` as destination, or on a
  // template that does not compile.
  static absl::StatusOr<LabelFormat> Make(std::vector<LabelFormatSpec> specs);
  bool Process(LineState& state) const;

 private:
  struct Format {
    LabelFormatSpec spec;
    GoTemplate tmpl;
  };
  std::vector<Format> formats_;
  size_t templates_ = 0;
};

class Decolorize {
 public:
  bool Process(LineState& state) const;
};

}  // namespace vigil::logql::pipeline
