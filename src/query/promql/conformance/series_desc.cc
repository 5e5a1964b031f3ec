#include "query/promql/conformance/series_desc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "common/strings.h"
#include "query/promql/syntax/parser.h"
#include "storage/sample.h"

namespace vigil::promql::conformance {
namespace {

// Character classes of Prometheus' lexer (ASCII only, as there).
bool IsAlpha(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlphaNumeric(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool EqualsFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Go's ParseInt(s, 0, 64) without digit-separating underscores (never produced by the
// series lexer, and rare enough in expectations not to matter).
bool ParseGoInt(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) return false;
  }
  uint64_t v = 0;
  const uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  for (char c : s) {
    int d;
    if (IsDigit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (limit - d) / base) return false;  // out of int64 range
    v = v * base + d;
  }
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

enum class Tok { kEnd, kSpace, kAdd, kSub, kTimes, kBlank, kNumber, kIdentifier };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  size_t pos = 0;
};

class Parser {
 public:
  Parser(std::string_view in, size_t max_values) : in_(in), max_values_(max_values) {}

  absl::StatusOr<SeriesDesc> Parse() {
    std::vector<Label> labels;
    if (auto st = ParseMetric(&labels); !st.ok()) return st;
    for (size_t i = 1; i < labels.size(); ++i) {
      if (labels[i].name == labels[i - 1].name) {
        return Error(0, StrCat("duplicate label name ", QuoteString(labels[i].name)));
      }
    }
    SeriesDesc out;
    // Prometheus treats an empty label value as an absent label.
    std::erase_if(labels, [](const Label& l) { return l.value.empty(); });
    out.labels = Labels(labels);
    if (auto st = ParseValues(&out.values); !st.ok()) return st;
    return out;
  }

 private:
  absl::Status Error(size_t pos, std::string_view msg) const {
    return absl::InvalidArgumentError(StrCat("col ", pos + 1, ": ", msg));
  }

  void SkipSpaces() {
    while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
  }

  // metric_identifier label_set | label_set, with the label set optional after a name.
  absl::Status ParseMetric(std::vector<Label>* labels) {
    if (pos_ < in_.size() && (IsAlpha(in_[pos_]) || in_[pos_] == ':')) {
      size_t start = pos_;
      while (pos_ < in_.size() && (IsAlphaNumeric(in_[pos_]) || in_[pos_] == ':')) ++pos_;
      std::string_view name = in_.substr(start, pos_ - start);
      if (EqualsFold(name, "inf") || EqualsFold(name, "nan")) {
        return Error(start, StrCat("unexpected number ", QuoteString(name), ", expected a metric"));
      }
      labels->push_back({std::string(kMetricName), std::string(name)});
      if (pos_ < in_.size() && in_[pos_] == '{') return ParseLabelSet(labels);
      return absl::OkStatus();
    }
    if (pos_ < in_.size() && in_[pos_] == '{') return ParseLabelSet(labels);
    if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input, expected a metric");
    return Error(pos_, StrCat("unexpected character ", QuoteString(in_.substr(pos_, 1)),
                              ", expected a metric name or label set"));
  }

  absl::Status ParseLabelSet(std::vector<Label>* labels) {
    ++pos_;  // '{'
    std::vector<Label> set;
    for (;;) {
      SkipSpaces();
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input inside braces");
      if (in_[pos_] == '}') break;
      if (!IsAlpha(in_[pos_])) {
        return Error(
            pos_, StrCat("unexpected character inside braces: ", QuoteString(in_.substr(pos_, 1))));
      }
      size_t start = pos_;
      while (pos_ < in_.size() && IsAlphaNumeric(in_[pos_])) ++pos_;
      std::string name(in_.substr(start, pos_ - start));
      SkipSpaces();
      if (pos_ >= in_.size() || in_[pos_] != '=') {
        return Error(pos_, "unexpected token in label set, expected \"=\"");
      }
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '~' || in_[pos_] == '=')) {
        return Error(pos_ - 1, "only \"=\" is allowed in a series description's label set");
      }
      SkipSpaces();
      auto value = ParseString();
      if (!value.ok()) return value.status();
      set.push_back({std::move(name), *std::move(value)});
      SkipSpaces();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == '}') break;
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input inside braces");
      return Error(pos_, "unexpected token in label set, expected \",\" or \"}\"");
    }
    ++pos_;  // '}'
    // A metric name written before the braces wins over a __name__ inside them.
    bool has_name = !labels->empty();
    for (auto& l : set) {
      if (has_name && l.name == kMetricName) continue;
      labels->push_back(std::move(l));
    }
    std::sort(labels->begin(), labels->end(),
              [](const Label& a, const Label& b) { return a.name < b.name; });
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ParseString() {
    if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input, expected a string");
    char q = in_[pos_];
    if (q != '"' && q != '\'' && q != '`') {
      return Error(pos_, "unexpected token in label set, expected a quoted string");
    }
    size_t start = pos_++;
    for (;;) {
      if (pos_ >= in_.size()) return Error(start, "unterminated quoted string");
      char c = in_[pos_];
      if (c == '\\' && q != '`') {
        pos_ += 2;
        continue;
      }
      ++pos_;
      if (c == q) break;
      if (c == '\n' && q != '`') return Error(start, "unterminated quoted string");
    }
    auto s = UnquotePromString(in_.substr(start, pos_ - start));
    if (!s.ok()) return Error(start, std::string(s.status().message()));
    return s;
  }

  // The value-sequence lexer: one token per call.
  absl::StatusOr<Token> Next() {
    Token t;
    t.pos = pos_;
    if (pos_ >= in_.size()) return t;
    char c = in_[pos_];
    if (IsSpace(c)) {
      SkipSpaces();
      t.kind = Tok::kSpace;
    } else if (c == '+') {
      ++pos_;
      t.kind = Tok::kAdd;
    } else if (c == '-') {
      ++pos_;
      t.kind = Tok::kSub;
    } else if (c == 'x') {
      ++pos_;
      t.kind = Tok::kTimes;
    } else if (c == '_') {
      ++pos_;
      t.kind = Tok::kBlank;
    } else if (IsDigit(c) || (c == '.' && pos_ + 1 < in_.size() && IsDigit(in_[pos_ + 1]))) {
      // Decimal only: hexadecimal would be ambiguous with the `x` of repetitions.
      auto digits = [&] {
        while (pos_ < in_.size() && IsDigit(in_[pos_])) ++pos_;
      };
      digits();
      if (pos_ < in_.size() && in_[pos_] == '.') {
        ++pos_;
        digits();
      }
      if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
        ++pos_;
        if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
        digits();
      }
      if (pos_ < in_.size() && in_[pos_] != 'x' && IsAlphaNumeric(in_[pos_])) {
        return Error(
            t.pos, StrCat("bad number syntax: ", QuoteString(in_.substr(t.pos, pos_ + 1 - t.pos))));
      }
      t.kind = Tok::kNumber;
    } else if (IsAlpha(c)) {
      while (pos_ < in_.size() && (IsAlphaNumeric(in_[pos_]) || in_[pos_] == ':')) ++pos_;
      std::string_view word = in_.substr(t.pos, pos_ - t.pos);
      t.kind = EqualsFold(word, "inf") || EqualsFold(word, "nan") ? Tok::kNumber : Tok::kIdentifier;
    } else {
      return Error(pos_, StrCat("unexpected character in series sequence: ",
                                QuoteString(in_.substr(pos_, 1))));
    }
    t.text = in_.substr(t.pos, pos_ - t.pos);
    return t;
  }

  absl::Status Unexpected(const Token& t, std::string_view expected) const {
    if (t.kind == Tok::kEnd) {
      return Error(t.pos, StrCat("unexpected end of input in series values, expected ", expected));
    }
    return Error(t.pos, StrCat("unexpected ", QuoteString(t.text), " in series values, expected ",
                               expected));
  }

  absl::StatusOr<double> Number(const Token& t) const {
    double v;
    if (!ParseGoNumber(t.text, &v)) {
      return Error(t.pos, StrCat("error parsing number ", QuoteString(t.text)));
    }
    return v;
  }

  absl::StatusOr<uint64_t> Repetitions(const Token& t) const {
    uint64_t n = 0;
    if (t.kind != Tok::kNumber) return Unexpected(t, "a repetition count");
    if (!ParseUint64(t.text, &n)) {
      return Error(t.pos, StrCat("invalid repetition in series values: ", QuoteString(t.text)));
    }
    return n;
  }

  absl::Status Add(std::vector<SequenceValue>* out, uint64_t n, size_t at) const {
    if (n > max_values_ || out->size() + n > max_values_) {
      return Error(at, StrCat("series expands to more than ", max_values_, " values"));
    }
    return absl::OkStatus();
  }

  // series_values: (SPACE series_item?)*
  absl::Status ParseValues(std::vector<SequenceValue>* out) {
    for (;;) {
      auto t = Next();
      if (!t.ok()) return t.status();
      if (t->kind == Tok::kEnd) return absl::OkStatus();
      if (t->kind != Tok::kSpace) return Unexpected(*t, "a space before the values");
      auto item = Next();
      if (!item.ok()) return item.status();
      if (item->kind == Tok::kEnd) return absl::OkStatus();
      if (item->kind == Tok::kSpace) return Unexpected(*item, "a value");  // unreachable
      if (auto st = ParseItem(*item, out); !st.ok()) return st;
    }
  }

  // Reads the token after an item; an item must be followed by a space or the end.
  absl::StatusOr<Token> Peek() {
    size_t save = pos_;
    auto t = Next();
    pos_ = save;
    return t;
  }

  absl::Status ParseItem(const Token& first, std::vector<SequenceValue>* out) {
    if (first.kind == Tok::kBlank) {
      auto p = Peek();
      if (!p.ok()) return p.status();
      if (p->kind != Tok::kTimes) {
        if (auto st = Add(out, 1, first.pos); !st.ok()) return st;
        out->push_back({0, true});
        return ExpectSeparator();
      }
      (void)Next();
      auto count_tok = Next();
      if (!count_tok.ok()) return count_tok.status();
      auto n = Repetitions(*count_tok);
      if (!n.ok()) return n.status();
      if (auto st = Add(out, *n, first.pos); !st.ok()) return st;
      out->insert(out->end(), *n, SequenceValue{0, true});
      return ExpectSeparator();
    }
    auto start = SeriesValue(first);
    if (!start.ok()) return start.status();
    auto p = Peek();
    if (!p.ok()) return p.status();
    double inc = 0;
    if (p->kind == Tok::kAdd || p->kind == Tok::kSub) {
      (void)Next();
      auto num = Next();
      if (!num.ok()) return num.status();
      if (num->kind != Tok::kNumber) return Unexpected(*num, "a number");
      auto v = Number(*num);
      if (!v.ok()) return v.status();
      inc = p->kind == Tok::kSub ? -*v : *v;
      auto times = Next();
      if (!times.ok()) return times.status();
      if (times->kind != Tok::kTimes) return Unexpected(*times, "\"x\" and a repetition count");
    } else if (p->kind == Tok::kTimes) {
      (void)Next();
    } else {
      if (auto st = Add(out, 1, first.pos); !st.ok()) return st;
      out->push_back({*start, false});
      return ExpectSeparator();
    }
    auto count_tok = Next();
    if (!count_tok.ok()) return count_tok.status();
    auto n = Repetitions(*count_tok);
    if (!n.ok()) return n.status();
    // `a+bxN` is N+1 values: the start and N steps.
    if (*n >= max_values_) return Add(out, *n, first.pos);
    if (auto st = Add(out, *n + 1, first.pos); !st.ok()) return st;
    double v = *start;
    for (uint64_t i = 0; i <= *n; ++i) {
      out->push_back({v, false});
      v += inc;
    }
    return ExpectSeparator();
  }

  absl::Status ExpectSeparator() {
    auto p = Peek();
    if (!p.ok()) return p.status();
    if (p->kind == Tok::kSpace || p->kind == Tok::kEnd) return absl::OkStatus();
    return Unexpected(*p, "a space or the end of the line");
  }

  // series_value: "stale" | number | ("+"|"-") number
  absl::StatusOr<double> SeriesValue(const Token& t) {
    if (t.kind == Tok::kIdentifier) {
      if (t.text != "stale") return Unexpected(t, "number or \"stale\"");
      return StaleNaN();
    }
    if (t.kind == Tok::kNumber) return Number(t);
    if (t.kind == Tok::kAdd || t.kind == Tok::kSub) {
      auto num = Next();
      if (!num.ok()) return num.status();
      if (num->kind != Tok::kNumber) return Unexpected(*num, "a number");
      auto v = Number(*num);
      if (!v.ok()) return v.status();
      return t.kind == Tok::kSub ? -*v : *v;
    }
    return Unexpected(t, "a value, \"_\" or \"stale\"");
  }

  std::string_view in_;
  size_t max_values_;
  size_t pos_ = 0;
};

}  // namespace

bool ParseGoNumber(std::string_view s, double* out) {
  int64_t i;
  if (ParseGoInt(s, &i)) {
    *out = static_cast<double>(i);
    return true;
  }
  return ParseDouble(s, out);
}

absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line, size_t max_values) {
  return Parser(line, max_values).Parse();
}

}  // namespace vigil::promql::conformance
