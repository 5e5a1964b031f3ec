#include "query/logql/pipeline/drop_keep.h"

namespace vigil::logql::pipeline {

LabelSelector LabelSelector::Named(std::string_view name) {
  LabelSelector s;
  s.name = std::string(name);
  return s;
}

absl::StatusOr<LabelSelector> LabelSelector::Matching(MatchType type, std::string_view name,
                                                      std::string_view value) {
  absl::StatusOr<LabelMatcher> m = LabelMatcher::Make(type, name, value);
  if (!m.ok()) return m.status();
  LabelSelector s;
  s.name = std::string(name);
  s.matcher = std::move(*m);
  return s;
}

bool DropLabels::Process(LineState& state) const {
  for (const LabelSelector& sel : selectors_) {
    if (sel.name == kErrorLabel || sel.name == kErrorDetailsLabel) {
      const bool details = sel.name == kErrorDetailsLabel;
      const std::string_view v = details ? state.error_details() : state.error();
      if (!sel.matcher || sel.matcher->Matches(v)) {
        details ? state.ClearErrorDetails() : state.ClearError();
      }
      continue;
    }
    if (!sel.matcher || sel.matcher->Matches(state.Get(sel.name))) state.Del(sel.name);
  }
  return true;
}

bool KeepLabels::Process(LineState& state) const {
  if (selectors_.empty()) return true;
  const size_t slots = state.LabelSlots();
  for (size_t i = 0; i < slots; ++i) {
    std::string_view name, value;
    if (!state.LabelAt(i, &name, &value)) continue;
    bool keep = false;
    for (const LabelSelector& sel : selectors_) {
      if (sel.name == name && (!sel.matcher || sel.matcher->Matches(value))) {
        keep = true;
        break;
      }
    }
    if (!keep) state.Del(name);
  }
  return true;
}

}  // namespace vigil::logql::pipeline
