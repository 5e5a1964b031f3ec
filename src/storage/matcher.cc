#include "storage/matcher.h"

#include "common/strings.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace vigil {
namespace {

// Literal alternatives of a regex like "GET|POST|PUT", or empty when it is not that simple.
std::vector<std::string> LiteralAlternatives(std::string_view re) {
  std::vector<std::string> out;
  if (re.empty()) return out;
  for (char c : re) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == ' ' || c == '/' || c == ':' || c == '|';
    if (!plain) return {};
  }
  for (absl::string_view part : absl::StrSplit(absl::string_view(re.data(), re.size()), '|')) out.emplace_back(part);
  return out;
}

}  // namespace

absl::StatusOr<LabelMatcher> LabelMatcher::Make(MatchType type, std::string_view name,
                                                std::string_view value) {
  LabelMatcher m;
  m.type_ = type;
  m.name_ = std::string(name);
  m.value_ = std::string(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Go's regexp in Prometheus is compiled with (?s)
    auto re = std::make_shared<RE2>(StrCat("^(?:", value, ")$"), opts);
    if (!re->ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid regular expression ", QuoteString(value), ": ", re->error()));
    }
    m.re_ = std::move(re);
    if (type == MatchType::kRegexMatch) m.set_matches_ = LiteralAlternatives(value);
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool LabelMatcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch: return RE2::FullMatch(v, *re_);
    case MatchType::kRegexNoMatch: return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  static constexpr std::string_view kOps[] = {"=", "!=", "=~", "!~"};
  return StrCat(name_, kOps[static_cast<int>(type_)], QuoteString(value_));
}

}  // namespace vigil
