#include "query/promql/series_selector.h"

#include "common/labels.h"
#include "common/strings.h"

namespace vigil::promql {
namespace {

bool IsNameStart(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
bool IsNameChar(char c, bool colon) { return IsNameStart(c, colon) || (c >= '0' && c <= '9'); }

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view in) : in_(in) {}

  absl::StatusOr<Matchers> Parse() {
    Matchers out;
    std::string metric;
    SkipSpace();
    if (pos_ < in_.size() && IsNameStart(in_[pos_], true)) {
      size_t start = pos_;
      while (pos_ < in_.size() && IsNameChar(in_[pos_], true)) ++pos_;
      metric = std::string(in_.substr(start, pos_ - start));
      SkipSpace();
    }
    if (pos_ < in_.size() && in_[pos_] == '{') {
      ++pos_;
      if (absl::Status st = ParseMatchers(&out); !st.ok()) return st;
    } else if (metric.empty()) {
      return pos_ < in_.size() ? Error(StrCat("unexpected character: ", QuoteChar(in_[pos_])))
                               : Error("unexpected end of input");
    }
    SkipSpace();
    if (pos_ < in_.size()) {
      return Error(StrCat("unexpected character after selector: ", QuoteChar(in_[pos_])));
    }
    if (!metric.empty()) {
      for (const auto& m : out) {
        if (m.name() == kMetricName) {
          return Error(StrCat("metric name must not be set twice: ", QuoteString(metric), " or ",
                              QuoteString(m.value())));
        }
      }
      out.insert(out.begin(), *LabelMatcher::Make(MatchType::kEqual, kMetricName, metric));
    }
    bool non_empty = false;
    for (const auto& m : out) non_empty |= !m.MatchesEmpty();
    if (!non_empty) {
      return absl::InvalidArgumentError(
          "1:1: parse error: vector selector must contain at least one non-empty matcher");
    }
    return out;
  }

 private:
  absl::Status ParseMatchers(Matchers* out) {
    while (true) {
      SkipSpace();
      if (pos_ >= in_.size()) return Error("unexpected end of input inside braces");
      if (in_[pos_] == '}') {
        ++pos_;
        return absl::OkStatus();
      }
      if (!IsNameStart(in_[pos_], false)) {
        return Error(StrCat("unexpected character inside braces: ", QuoteChar(in_[pos_])));
      }
      size_t start = pos_;
      while (pos_ < in_.size() && IsNameChar(in_[pos_], false)) ++pos_;
      std::string_view name = in_.substr(start, pos_ - start);
      SkipSpace();
      MatchType type;
      if (in_.substr(pos_, 2) == "=~") {
        type = MatchType::kRegexMatch;
        pos_ += 2;
      } else if (in_.substr(pos_, 2) == "!=") {
        type = MatchType::kNotEqual;
        pos_ += 2;
      } else if (in_.substr(pos_, 2) == "!~") {
        type = MatchType::kRegexNoMatch;
        pos_ += 2;
      } else if (in_.substr(pos_, 1) == "=") {
        type = MatchType::kEqual;
        pos_ += 1;
      } else {
        return pos_ < in_.size()
                   ? Error(StrCat("unexpected character inside braces: ", QuoteChar(in_[pos_])))
                   : Error("unexpected end of input inside braces");
      }
      SkipSpace();
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'' && in_[pos_] != '`')) {
        return Error("unexpected token inside braces, expected string literal");
      }
      size_t lit_start = pos_;
      char quote = in_[pos_++];
      while (pos_ < in_.size() && in_[pos_] != quote) {
        if (in_[pos_] == '\\' && quote != '`') ++pos_;
        if (pos_ < in_.size() && in_[pos_] == '\n' && quote != '`') break;
        ++pos_;
      }
      if (pos_ >= in_.size() || in_[pos_] != quote) {
        pos_ = lit_start;
        return Error("unterminated quoted string");
      }
      ++pos_;
      auto value = UnquoteString(in_.substr(lit_start, pos_ - lit_start));
      if (!value.ok()) {
        pos_ = lit_start;
        return Error(std::string(value.status().message()));
      }
      auto m = LabelMatcher::Make(type, name, *value);
      if (!m.ok()) {
        pos_ = lit_start;
        return Error(std::string(m.status().message()));
      }
      out->push_back(std::move(*m));
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < in_.size() && in_[pos_] != '}') {
        return Error(StrCat("unexpected character inside braces: ", QuoteChar(in_[pos_])));
      }
    }
  }

  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }

  static std::string QuoteChar(char c) { return StrCat("'", std::string_view(&c, 1), "'"); }

  absl::Status Error(std::string_view what) const {
    // Position as line:column (1-based), like the PromQL parser.
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < in_.size(); ++i) {
      if (in_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return absl::InvalidArgumentError(StrCat(line, ":", col, ": parse error: ", what));
  }

  std::string_view in_;
  size_t pos_ = 0;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<Matchers> ParseSeriesSelector(std::string_view input) {
  return SelectorParser(input).Parse();
}

absl::StatusOr<std::string> UnquoteString(std::string_view lit) {
  if (lit.size() < 2 || lit.front() != lit.back() ||
      (lit.front() != '"' && lit.front() != '\'' && lit.front() != '`')) {
    return absl::InvalidArgumentError("invalid string literal");
  }
  char quote = lit.front();
  std::string_view body = lit.substr(1, lit.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return absl::InvalidArgumentError("invalid raw string");
    return std::string(body);
  }
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == quote || c == '\n') return absl::InvalidArgumentError("invalid syntax in string literal");
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= body.size()) return absl::InvalidArgumentError("invalid escape at end of string");
    char e = body[i];
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': out.push_back('\\'); break;
      case '"':
      case '\'':
        if (e != quote) return absl::InvalidArgumentError(StrCat("unknown escape sequence \\", std::string_view(&e, 1)));
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 1; k <= digits; ++k) {
          int h = i + k < body.size() ? HexValue(body[i + k]) : -1;
          if (h < 0) return absl::InvalidArgumentError("invalid escape: expected hex digit");
          v = v * 16 + h;
        }
        i += digits;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            return absl::InvalidArgumentError("invalid escape: not a Unicode code point");
          }
          AppendUtf8(&out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = 0;
          for (int k = 0; k < 3; ++k) {
            if (i + k >= body.size() || body[i + k] < '0' || body[i + k] > '7') {
              return absl::InvalidArgumentError("invalid escape: expected 3 octal digits");
            }
            v = v * 8 + (body[i + k] - '0');
          }
          if (v > 255) return absl::InvalidArgumentError("invalid escape: octal value over 255");
          out.push_back(static_cast<char>(v));
          i += 2;
          break;
        }
        return absl::InvalidArgumentError(StrCat("unknown escape sequence \\", std::string_view(&e, 1)));
    }
  }
  return out;
}

}  // namespace vigil::promql
