#include "query/logql/syntax/pushdown.h"

namespace vigil::logql {
namespace {

// Adds the `name="v"` leaves that are conjuncts of `f` (f itself, or children of a top-level
// `and`; an `or` guarantees nothing).
void AddEqualities(const LabelFilter& f, RequiredFilters* out) {
  if (f.kind == LabelFilter::Kind::kAnd) {
    for (const LabelFilter& c : f.children) AddEqualities(c, out);
    return;
  }
  if (f.kind != LabelFilter::Kind::kLeaf) return;
  const LabelFilterLeaf& l = f.leaf;
  if (l.kind != LabelValueKind::kString || l.matcher.type() != MatchType::kEqual) return;
  if (l.matcher.value().empty() || l.name == "__error__" || l.name == "__error_details__") return;
  out->field_equals.emplace_back(l.name, l.matcher.value());
}

}  // namespace

RequiredFilters ExtractRequiredFilters(const LogSelectorExpr& sel) {
  RequiredFilters out;
  bool line_rewritten = false;
  bool labels_changed = false;
  for (const Stage& st : sel.pipeline) {
    if (const auto* lf = std::get_if<LineFilter>(&st)) {
      if (!line_rewritten && lf->op == LineFilterOp::kContains && lf->values.size() == 1 &&
          !lf->values[0].is_ip && !lf->values[0].value.empty()) {
        out.line_substrings.push_back(lf->values[0].value);
      }
    } else if (const auto* f = std::get_if<LabelFilter>(&st)) {
      if (!labels_changed) AddEqualities(*f, &out);
    } else if (std::holds_alternative<LineFormat>(st) || std::holds_alternative<Decolorize>(st)) {
      line_rewritten = true;
    } else if (std::holds_alternative<Unpack>(st)) {
      line_rewritten = true;
      labels_changed = true;
    } else {
      // json, logfmt, regexp, pattern, label_format, drop, keep.
      labels_changed = true;
    }
  }
  return out;
}

}  // namespace vigil::logql
