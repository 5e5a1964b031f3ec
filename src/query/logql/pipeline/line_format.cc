#include "query/logql/pipeline/line_format.h"

#include "common/strings.h"
#include "re2/re2.h"

namespace vigil::logql::pipeline {
namespace {

// Copies the current labels (with the error labels) into the scratch snapshot that
// templates read instead of the live set.
void TakeSnapshot(LineState& state, TemplateScratch& scratch) {
  state.SortedLabelViews(&scratch.views);
  if (scratch.snapshot.size() < scratch.views.size()) scratch.snapshot.resize(scratch.views.size());
  for (size_t i = 0; i < scratch.views.size(); ++i) {
    scratch.snapshot[i].first.assign(scratch.views[i].name);
    scratch.snapshot[i].second.assign(scratch.views[i].value);
  }
  scratch.snapshot_size = scratch.views.size();
  scratch.use_snapshot = true;
}

}  // namespace

absl::StatusOr<LineFormat> LineFormat::Make(std::string_view template_text) {
  absl::StatusOr<GoTemplate> t = GoTemplate::Compile(template_text, "line");
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        StrCat("invalid line template: ", ToStd(t.status().message())));
  }
  LineFormat f;
  f.template_ = std::move(*t);
  return f;
}

bool LineFormat::Process(LineState& state) const {
  if (const std::string_view field = template_.simple_field(); !field.empty()) {
    state.SetLine(state.Get(field));  // `{{.field}}`: copy the label, no evaluation
    return true;
  }
  std::string* buf = state.LineBuffer();
  absl::Status s = template_.Execute(state, buf);
  if (!s.ok()) {
    state.SetError(kTemplateFormatErr, ToStd(s.message()));
    return true;
  }
  state.CommitLineBuffer();
  return true;
}

absl::StatusOr<LabelFormat> LabelFormat::Make(std::vector<LabelFormatSpec> specs) {
  LabelFormat f;
  for (LabelFormatSpec& spec : specs) {
    if (spec.dst == kErrorLabel) {
      return absl::InvalidArgumentError(StrCat(kErrorLabel, " cannot be formatted"));
    }
    if (!IsValidLabelName(spec.dst)) {
      return absl::InvalidArgumentError(StrCat("invalid label name ", QuoteString(spec.dst)));
    }
    for (const Format& other : f.formats_) {
      if (other.spec.dst == spec.dst) {
        return absl::InvalidArgumentError(StrCat("multiple label name '", spec.dst,
                                                 "' not allowed in a single format operation"));
      }
    }
    Format fmt;
    if (spec.rename) {
      if (!IsValidLabelName(spec.value)) {
        return absl::InvalidArgumentError(StrCat("invalid label name ", QuoteString(spec.value)));
      }
    } else {
      absl::StatusOr<GoTemplate> t = GoTemplate::Compile(spec.value, "label");
      if (!t.ok()) {
        return absl::InvalidArgumentError(
            StrCat("invalid template for label '", spec.dst, "': ", ToStd(t.status().message())));
      }
      fmt.tmpl = std::move(*t);
      ++f.templates_;
    }
    fmt.spec = std::move(spec);
    f.formats_.push_back(std::move(fmt));
  }
  return f;
}

bool LabelFormat::Process(LineState& state) const {
  TemplateScratch& scratch = state.template_scratch();
  scratch.use_snapshot = false;
  for (const Format& f : formats_) {
    if (f.spec.rename) {
      if (f.spec.value == f.spec.dst) continue;  // renaming a label to itself changes nothing
      std::string_view v;
      if (state.Lookup(f.spec.value, &v)) {
        state.Set(f.spec.dst, v);  // copies before the source goes
        state.Del(f.spec.value);
      }
      continue;
    }
    // With several templates, all read the labels as they were at the first one.
    if (templates_ > 1 && !scratch.use_snapshot) TakeSnapshot(state, scratch);
    std::string& out = scratch.output;
    out.clear();
    absl::Status s = f.tmpl.Execute(state, &out);
    if (!s.ok()) {
      state.SetError(kTemplateFormatErr, ToStd(s.message()));
      continue;
    }
    state.Set(f.spec.dst, out);
  }
  scratch.use_snapshot = false;
  return true;
}

bool Decolorize::Process(LineState& state) const {
  // The ANSI escape sequences Loki strips (the expression of github.com/acarl005/stripansi):
  // ESC or CSI (U+009B), then either an OSC-style body ended by BEL or a CSI-style body.
  static const RE2 kAnsi(
      "[\\x{1B}\\x{9B}][\\[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x{07})|"
      "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))");
  const std::string_view line = state.line();
  if (line.find('\x1B') == std::string_view::npos &&
      line.find("\xC2\x9B") == std::string_view::npos) {
    return true;
  }
  std::string* buf = state.LineBuffer();
  buf->assign(line.data(), line.size());
  RE2::GlobalReplace(buf, kAnsi, "");
  state.CommitLineBuffer();
  return true;
}

}  // namespace vigil::logql::pipeline
