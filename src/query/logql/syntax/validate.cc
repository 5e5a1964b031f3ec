// Semantic checks and value conversions the parser applies as Loki applies them.
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/strings.h"
#include "query/logql/syntax/parser_internal.h"
#include "common/go_text.h"

namespace vigil::logql::internal {
namespace {

bool IsLabelNameStart(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsLabelNameChar(char c) { return IsLabelNameStart(c) || (c >= '0' && c <= '9'); }

// Prometheus' classic label name rule, which Loki applies to extracted labels.
bool IsLabelName(std::string_view s) {
  if (s.empty() || !IsLabelNameStart(s[0])) return false;
  for (char c : s) {
    if (!IsLabelNameChar(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RE2>> CompileGoRegexp(const std::string& re, bool anchored) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto plain = std::make_shared<const RE2>(re, opts);
  if (!plain->ok()) {
    return absl::InvalidArgumentError(StrCat("error parsing regexp: ", plain->error()));
  }
  if (!anchored) return plain;
  auto full = std::make_shared<const RE2>(StrCat("^(?:", re, ")$"), opts);
  if (!full->ok()) {
    return absl::InvalidArgumentError(StrCat("error parsing regexp: ", full->error()));
  }
  return full;
}

absl::StatusOr<LabelMatcher> MakeMatcher(MatchType type, std::string_view name,
                                         std::string_view value) {
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    auto re = CompileGoRegexp(std::string(value), /*anchored=*/false);
    if (!re.ok()) return re.status();
  }
  return LabelMatcher::Make(type, name, value);
}

absl::StatusOr<double> ParseGoFloat(std::string_view s) {
  double v = 0;
  if (ParseDouble(s, &v)) return v;
  // Go reports a syntactically valid number that overflows as out of range.
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(copy.c_str(), &end);
  bool range =
      end == copy.c_str() + copy.size() && !copy.empty() && std::isinf(d) && errno == ERANGE;
  return absl::InvalidArgumentError(StrCat("strconv.ParseFloat: parsing ", gotext::Quote(s),
                                           ": ", range ? "value out of range" : "invalid syntax"));
}

double FoldBinary(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return l + r;
    case BinaryOp::kSub:
      return l - r;
    case BinaryOp::kMul:
      return l * r;
    case BinaryOp::kDiv:
      return r == 0 ? std::nan("") : l / r;
    case BinaryOp::kMod:
      return r == 0 ? std::nan("") : std::fmod(l, r);
    case BinaryOp::kPow:
      return std::pow(l, r);
    case BinaryOp::kEql:
      return l == r ? 1 : 0;
    case BinaryOp::kNeq:
      return l != r ? 1 : 0;
    case BinaryOp::kGtr:
      return l > r ? 1 : 0;
    case BinaryOp::kGte:
      return l >= r ? 1 : 0;
    case BinaryOp::kLss:
      return l < r ? 1 : 0;
    case BinaryOp::kLte:
      return l <= r ? 1 : 0;
    case BinaryOp::kOr:
    case BinaryOp::kAnd:
    case BinaryOp::kUnless:
      break;  // rejected before folding
  }
  return std::nan("");
}

absl::StatusOr<std::shared_ptr<const RE2>> CompileRegexpParser(const std::string& regex) {
  auto re = CompileGoRegexp(regex, /*anchored=*/false);
  if (!re.ok()) {
    return absl::InvalidArgumentError(StrCat("invalid regexp parser: ", re.status().message()));
  }
  const std::map<std::string, int>& names = (*re)->NamedCapturingGroups();
  if (names.empty()) {
    return absl::InvalidArgumentError(
        "invalid regexp parser: at least one named capture must be supplied");
  }
  for (const auto& [name, index] : names) {
    if (!IsLabelName(name)) {
      return absl::InvalidArgumentError(
          StrCat("invalid regexp parser: invalid extracted label name '", name, "'"));
    }
  }
  return *re;
}

absl::Status SplitPattern(std::string_view pattern, std::vector<PatternPart>* parts) {
  auto fail = [](std::string_view msg) {
    return absl::InvalidArgumentError(StrCat("invalid pattern parser: ", msg));
  };
  if (pattern.empty()) {
    return fail("syntax error: unexpected $end, expecting IDENTIFIER or LITERAL");
  }
  parts->clear();
  size_t i = 0;
  while (i < pattern.size()) {
    // `<name>` is a capture; anything else, a lone `<` included, is literal text.
    if (pattern[i] == '<' && i + 1 < pattern.size() && IsLabelNameStart(pattern[i + 1])) {
      size_t j = i + 2;
      while (j < pattern.size() && IsLabelNameChar(pattern[j])) ++j;
      if (j < pattern.size() && pattern[j] == '>') {
        parts->push_back(PatternPart{true, std::string(pattern.substr(i + 1, j - i - 1))});
        i = j + 1;
        continue;
      }
    }
    if (parts->empty() || parts->back().capture) parts->push_back(PatternPart{false, ""});
    parts->back().text.push_back(pattern[i]);
    ++i;
  }
  std::vector<std::string_view> names;
  for (const PatternPart& p : *parts) {
    if (p.capture && p.text != "_") names.push_back(p.text);
  }
  if (names.empty()) return fail("at least one capture is required");
  for (size_t k = 0; k + 1 < parts->size(); ++k) {
    if ((*parts)[k].capture && (*parts)[k + 1].capture) {
      return fail(StrCat("found consecutive capture '<", (*parts)[k].text, "><",
                         (*parts)[k + 1].text, ">': invalid expression"));
    }
  }
  for (size_t a = 0; a < names.size(); ++a) {
    for (size_t b = 0; b < a; ++b) {
      if (names[a] == names[b]) {
        return fail(StrCat("duplicate capture name (", names[a], "): invalid expression"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ParseJsonPath(std::string_view path, std::vector<JsonPathPart>* parts) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < path.size() && (path[i] == ' ' || path[i] == '\t' || path[i] == '\n')) ++i;
  };
  auto err = [&](std::string_view what) {
    return absl::InvalidArgumentError(StrCat(what, " at offset ", i));
  };
  auto field = [&]() -> absl::Status {
    if (i >= path.size() || !IsLabelNameStart(path[i])) return err("expected a field name");
    size_t start = i;
    while (i < path.size() && IsLabelNameChar(path[i])) ++i;
    parts->push_back(JsonPathPart{false, std::string(path.substr(start, i - start)), 0});
    return absl::OkStatus();
  };
  auto bracket = [&]() -> absl::Status {
    ++i;  // [
    skip_ws();
    if (i < path.size() && path[i] >= '0' && path[i] <= '9') {
      int64_t v = 0;
      size_t start = i;
      while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
      if (i < path.size() && path[i] == '.') return err("cannot use float as array index");
      if (!ParseInt64(path.substr(start, i - start), &v)) return err("array index out of range");
      parts->push_back(JsonPathPart{true, "", v});
    } else if (i < path.size() && path[i] == '"') {
      size_t close = path.find('"', i + 1);
      if (close == std::string_view::npos) return err("unterminated key");
      parts->push_back(JsonPathPart{false, std::string(path.substr(i + 1, close - i - 1)), 0});
      i = close + 1;
    } else {
      return err("expected an index or a quoted key");
    }
    skip_ws();
    if (i >= path.size() || path[i] != ']') return err("expected ]");
    ++i;
    return absl::OkStatus();
  };
  parts->clear();
  skip_ws();
  absl::Status s = i < path.size() && path[i] == '[' ? bracket() : field();
  if (!s.ok()) return s;
  while (true) {
    skip_ws();
    if (i >= path.size()) return absl::OkStatus();
    if (path[i] == '[') {
      s = bracket();
    } else if (path[i] == '.') {
      ++i;
      skip_ws();
      s = field();
    } else {
      return err(StrCat("unexpected char ",
                        gotext::QuoteRune(static_cast<unsigned char>(path[i]))));
    }
    if (!s.ok()) return s;
  }
}

std::string CheckRangeAggregation(const RangeAggregationExpr& e) {
  const char* name = RangeOpName(e.op);
  if (e.grouping) {
    switch (e.op) {
      case RangeOp::kAvgOverTime:
      case RangeOp::kStddevOverTime:
      case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime:
      case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime:
      case RangeOp::kFirstOverTime:
      case RangeOp::kLastOverTime:
        break;
      default:
        return StrCat("grouping not allowed for ", name, " aggregation");
    }
  }
  if (e.selector->unwrap) {
    switch (e.op) {
      case RangeOp::kCountOverTime:
      case RangeOp::kBytesOverTime:
      case RangeOp::kBytesRate:
        return StrCat("invalid aggregation ", name, " with unwrap");
      default:
        return "";
    }
  }
  switch (e.op) {
    case RangeOp::kBytesOverTime:
    case RangeOp::kBytesRate:
    case RangeOp::kCountOverTime:
    case RangeOp::kRate:
    case RangeOp::kAbsentOverTime:
      return "";
    default:
      return StrCat("invalid aggregation ", name, " without unwrap");
  }
}

}  // namespace vigil::logql::internal
