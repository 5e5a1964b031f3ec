#include "query/promql/engine/label_util.h"

#include <algorithm>

namespace vigil::promql {
namespace {

bool Listed(std::span<const std::string> names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

void AppendPair(std::string* out, std::string_view name, std::string_view value) {
  // Length-prefixed so that no two different label sets produce the same bytes.
  out->append(std::to_string(name.size()));
  out->push_back(':');
  out->append(name);
  out->append(std::to_string(value.size()));
  out->push_back(':');
  out->append(value);
}

}  // namespace

Labels DropMetricName(const Labels& l) {
  if (l.MetricName().empty()) return l;
  std::vector<LabelView> kept;
  for (const LabelView& lv : l) {
    if (lv.name != kMetricName) kept.push_back(lv);
  }
  return Labels::FromViews(kept);
}

Labels KeepLabels(const Labels& l, std::span<const std::string> names) {
  std::vector<LabelView> kept;
  for (const LabelView& lv : l) {
    if (Listed(names, lv.name)) kept.push_back(lv);
  }
  return Labels::FromViews(kept);
}

Labels RemoveLabels(const Labels& l, std::span<const std::string> names) {
  std::vector<LabelView> kept;
  for (const LabelView& lv : l) {
    if (!Listed(names, lv.name)) kept.push_back(lv);
  }
  return Labels::FromViews(kept);
}

void MatchSignature(const Labels& l, bool on, std::span<const std::string> names,
                    std::string* out) {
  out->clear();
  for (const LabelView& lv : l) {
    bool listed = Listed(names, lv.name);
    if (on ? !listed : (listed || lv.name == kMetricName)) continue;
    if (lv.value.empty()) continue;
    AppendPair(out, lv.name, lv.value);
  }
}

}  // namespace vigil::promql
