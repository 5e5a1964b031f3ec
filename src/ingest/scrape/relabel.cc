#include "ingest/scrape/relabel.h"

#include "common/regex_template.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/strings.h"
#include "ingest/scrape/relabel_md5.h"

namespace vigil {
namespace {

struct ActionEntry {
  std::string_view name;
  RelabelAction action;
};

constexpr std::array<ActionEntry, 11> kActions = {{
    {"replace", RelabelAction::kReplace},
    {"keep", RelabelAction::kKeep},
    {"drop", RelabelAction::kDrop},
    {"hashmod", RelabelAction::kHashMod},
    {"labelmap", RelabelAction::kLabelMap},
    {"labeldrop", RelabelAction::kLabelDrop},
    {"labelkeep", RelabelAction::kLabelKeep},
    {"lowercase", RelabelAction::kLowercase},
    {"uppercase", RelabelAction::kUppercase},
    {"keepequal", RelabelAction::kKeepEqual},
    {"dropequal", RelabelAction::kDropEqual},
}};

// Go's Expand takes names made of letters, digits and '_' (Unicode classes); bytes of
// multi-byte characters are taken as letters, which covers every name RE2 can define.
// The labels being rewritten, kept sorted by name, with Prometheus' Builder semantics.
class WorkingSet {
 public:
  explicit WorkingSet(std::vector<Label> items) : items_(std::move(items)) {}

  std::string_view Get(std::string_view name) const {
    auto it = Find(name);
    return it != items_.end() && it->name == name ? std::string_view(it->value)
                                                  : std::string_view();
  }
  void Set(std::string_view name, std::string_view value) {
    if (value.empty()) return Del(name);
    auto it = Find(name);
    if (it != items_.end() && it->name == name) {
      it->value.assign(value);
    } else {
      items_.insert(it, Label{std::string(name), std::string(value)});
    }
  }
  void Del(std::string_view name) {
    auto it = Find(name);
    if (it != items_.end() && it->name == name) items_.erase(it);
  }
  std::vector<Label>& items() { return items_; }

 private:
  std::vector<Label>::iterator Find(std::string_view name) {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const Label& l, std::string_view n) { return l.name < n; });
  }
  std::vector<Label>::const_iterator Find(std::string_view name) const {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const Label& l, std::string_view n) { return l.name < n; });
  }

  std::vector<Label> items_;
};

bool FullMatch(const RE2& re, std::string_view s) {
  return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

// Capture groups of one match; a stack array covers the usual handful of groups.
class Groups {
 public:
  explicit Groups(const RE2& re) : n_(re.NumberOfCapturingGroups() + 1) {
    if (n_ > static_cast<int>(inline_.size())) heap_.resize(n_);
  }
  re2::StringPiece* data() { return heap_.empty() ? inline_.data() : heap_.data(); }
  std::span<const re2::StringPiece> span() { return {data(), static_cast<size_t>(n_)}; }
  int size() const { return n_; }
  bool Match(const RE2& re, std::string_view s) {
    return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, data(),
                    n_);
  }

 private:
  int n_;
  std::array<re2::StringPiece, 16> inline_;
  std::vector<re2::StringPiece> heap_;
};

// Returns false when the rule drops the label set.
bool ApplyRule(const RelabelConfig& cfg, WorkingSet& ws, std::string& val, std::string& target,
               std::string& result) {
  val.clear();
  for (size_t i = 0; i < cfg.source_labels.size(); ++i) {
    if (i > 0) val.append(cfg.separator);
    val.append(ws.Get(cfg.source_labels[i]));
  }
  const std::shared_ptr<RE2> fallback = cfg.regex ? nullptr : DefaultRelabelRegex();
  const RE2& re = cfg.regex ? *cfg.regex : *fallback;

  switch (cfg.action) {
    case RelabelAction::kDrop:
      return !FullMatch(re, val);
    case RelabelAction::kKeep:
      return FullMatch(re, val);
    case RelabelAction::kDropEqual:
      return ws.Get(cfg.target_label) != val;
    case RelabelAction::kKeepEqual:
      return ws.Get(cfg.target_label) == val;
    case RelabelAction::kReplace: {
      Groups groups(re);
      if (!groups.Match(re, val)) return true;  // no match: nothing is replaced
      target.clear();
      ExpandRegexTemplate(cfg.target_label, re, groups.span(), &target);
      if (!IsValidLabelName(target)) return true;
      result.clear();
      ExpandRegexTemplate(cfg.replacement, re, groups.span(), &result);
      ws.Set(target, result);  // an empty result deletes the target
      return true;
    }
    case RelabelAction::kLowercase:
    case RelabelAction::kUppercase: {
      bool lower = cfg.action == RelabelAction::kLowercase;
      for (char& c : val) {
        if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      ws.Set(cfg.target_label, val);
      return true;
    }
    case RelabelAction::kHashMod: {
      if (cfg.modulus == 0) return true;  // refused by config validation; never divide by 0
      auto sum = Md5(val);
      uint64_t h = 0;
      for (int i = 8; i < 16; ++i) h = (h << 8) | sum[i];
      result.clear();
      StrAppend(&result, h % cfg.modulus);
      ws.Set(cfg.target_label, result);
      return true;
    }
    case RelabelAction::kLabelMap: {
      // Every rename sees the labels as they were before this rule.
      const std::vector<Label> snapshot = ws.items();
      Groups groups(re);
      for (const Label& l : snapshot) {
        if (!groups.Match(re, l.name)) continue;
        target.clear();
        ExpandRegexTemplate(cfg.replacement, re, groups.span(), &target);
        if (IsValidLabelName(target)) ws.Set(target, l.value);
      }
      return true;
    }
    case RelabelAction::kLabelDrop:
      std::erase_if(ws.items(), [&](const Label& l) { return FullMatch(re, l.name); });
      return true;
    case RelabelAction::kLabelKeep:
      std::erase_if(ws.items(), [&](const Label& l) { return !FullMatch(re, l.name); });
      return true;
  }
  return true;
}

std::optional<Labels> Run(std::vector<Label> items, std::span<const RelabelConfig> configs) {
  WorkingSet ws(std::move(items));
  std::string val, target, result;
  for (const RelabelConfig& cfg : configs) {
    if (!ApplyRule(cfg, ws, val, target, result)) return std::nullopt;
  }
  return Labels(std::move(ws.items()));
}

}  // namespace

std::string_view RelabelActionName(RelabelAction a) {
  for (const auto& e : kActions) {
    if (e.action == a) return e.name;
  }
  return "unknown";
}

bool ParseRelabelAction(std::string_view s, RelabelAction* out) {
  for (const auto& e : kActions) {
    if (e.name.size() != s.size()) continue;
    bool same = true;
    for (size_t i = 0; i < s.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(s[i])) == e.name[i];
    }
    if (same) {
      *out = e.action;
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::shared_ptr<RE2>> CompileRelabelRegex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<RE2>(StrCat("^(?:", pattern, ")$"), options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        StrCat("invalid regex ", QuoteString(Truncated(pattern)), ": ", re->error()));
  }
  return re;
}

std::shared_ptr<RE2> DefaultRelabelRegex() {
  static const std::shared_ptr<RE2> kDefault = *CompileRelabelRegex("(.*)");
  return kDefault;
}

std::optional<Labels> Relabel(const Labels& labels, std::span<const RelabelConfig> configs) {
  if (configs.empty()) return labels;
  return Run(labels.ToVector(), configs);
}

std::optional<Labels> Relabel(std::span<const LabelView> sorted,
                              std::span<const RelabelConfig> configs) {
  std::vector<Label> items;
  items.reserve(sorted.size() + 1);
  for (const auto& v : sorted) items.push_back({std::string(v.name), std::string(v.value)});
  if (configs.empty()) return Labels(std::move(items));
  return Run(std::move(items), configs);
}

}  // namespace vigil
