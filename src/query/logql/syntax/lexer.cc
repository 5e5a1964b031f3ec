#include "query/logql/syntax/lexer.h"

#include <array>
#include <utility>

#include "query/logql/syntax/units.h"
#include "common/go_text.h"

namespace vigil::logql {
namespace {

struct Word {
  std::string_view text;
  Tok tok;
};

// Reserved words, matched case-insensitively.
constexpr std::array kKeywords = {
    Word{"by", Tok::kBy},
    Word{"without", Tok::kWithout},
    Word{"bool", Tok::kBool},
    Word{"offset", Tok::kOffset},
    Word{"on", Tok::kOn},
    Word{"ignoring", Tok::kIgnoring},
    Word{"group_left", Tok::kGroupLeft},
    Word{"group_right", Tok::kGroupRight},
    Word{"or", Tok::kOr},
    Word{"and", Tok::kAnd},
    Word{"unless", Tok::kUnless},
    Word{"json", Tok::kJson},
    Word{"regexp", Tok::kRegexp},
    Word{"logfmt", Tok::kLogfmt},
    Word{"unpack", Tok::kUnpack},
    Word{"pattern", Tok::kPattern},
    Word{"label_format", Tok::kLabelFmt},
    Word{"line_format", Tok::kLineFmt},
    Word{"decolorize", Tok::kDecolorize},
    Word{"drop", Tok::kDrop},
    Word{"keep", Tok::kKeep},
    Word{"unwrap", Tok::kUnwrap},
};

// Words that are tokens only when a call follows.
constexpr std::array kFunctions = {
    Word{"rate", Tok::kRate},
    Word{"rate_counter", Tok::kRateCounter},
    Word{"count_over_time", Tok::kCountOverTime},
    Word{"bytes_rate", Tok::kBytesRate},
    Word{"bytes_over_time", Tok::kBytesOverTime},
    Word{"avg_over_time", Tok::kAvgOverTime},
    Word{"sum_over_time", Tok::kSumOverTime},
    Word{"min_over_time", Tok::kMinOverTime},
    Word{"max_over_time", Tok::kMaxOverTime},
    Word{"stdvar_over_time", Tok::kStdvarOverTime},
    Word{"stddev_over_time", Tok::kStddevOverTime},
    Word{"quantile_over_time", Tok::kQuantileOverTime},
    Word{"first_over_time", Tok::kFirstOverTime},
    Word{"last_over_time", Tok::kLastOverTime},
    Word{"absent_over_time", Tok::kAbsentOverTime},
    Word{"vector", Tok::kVector},
    Word{"sum", Tok::kSum},
    Word{"avg", Tok::kAvg},
    Word{"max", Tok::kMax},
    Word{"min", Tok::kMin},
    Word{"count", Tok::kCount},
    Word{"stddev", Tok::kStddev},
    Word{"stdvar", Tok::kStdvar},
    Word{"bottomk", Tok::kBottomk},
    Word{"topk", Tok::kTopk},
    Word{"sort", Tok::kSort},
    Word{"sort_desc", Tok::kSortDesc},
    Word{"label_replace", Tok::kLabelReplace},
    Word{"bytes", Tok::kBytesConv},
    Word{"duration", Tok::kDurationConv},
    Word{"duration_seconds", Tok::kDurationSecondsConv},
    Word{"ip", Tok::kIp},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool EqualsLower(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(word[i]) != lower[i]) return false;
  }
  return true;
}

// Width of the valid UTF-8 sequence at s[i], 0 when invalid.
int RuneWidth(std::string_view s, size_t i) {
  int w = 0;
  int32_t r = gotext::DecodeRune(s, i, &w);
  if (r == gotext::kRuneError && w == 1) return 0;
  return w;
}

}  // namespace

Token Lexer::Make(Tok kind, int start) {
  Token t;
  t.kind = kind;
  t.pos = start;
  t.text = in_.substr(static_cast<size_t>(start), pos_ - static_cast<size_t>(start));
  return t;
}

Token Lexer::Fail(int at, std::string msg) {
  error_ = std::move(msg);
  done_ = true;
  done_kind_ = Tok::kError;
  Token t;
  t.kind = Tok::kError;
  t.pos = at;
  return t;
}

bool Lexer::SkipSpaceAndComments(Token* err) {
  while (pos_ < in_.size()) {
    char c = in_[pos_];
    if (IsSpace(c)) {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < in_.size() && in_[pos_] != '\n') {
        unsigned char b = static_cast<unsigned char>(in_[pos_]);
        if (b == 0) {
          *err = Fail(static_cast<int>(pos_), "invalid character NUL");
          return false;
        }
        if (b >= 0x80) {
          int w = RuneWidth(in_, pos_);
          if (w == 0) {
            *err = Fail(static_cast<int>(pos_), "invalid UTF-8 encoding");
            return false;
          }
          pos_ += static_cast<size_t>(w);
        } else {
          ++pos_;
        }
      }
    } else {
      return true;
    }
  }
  return true;
}

Token Lexer::Next() {
  if (done_) {
    Token t;
    t.kind = done_kind_;
    t.pos = static_cast<int>(in_.size());
    return t;
  }
  Token err;
  if (!SkipSpaceAndComments(&err)) return err;
  int start = static_cast<int>(pos_);
  if (pos_ >= in_.size()) {
    done_ = true;
    done_kind_ = Tok::kEof;
    return Make(Tok::kEof, start);
  }
  char c = in_[pos_];
  char n = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
  if (IsDigit(c) || (c == '.' && IsDigit(n))) return LexNumber(start);
  if (IsAsciiLetter(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80) return LexWord(start);
  auto op = [&](Tok kind, size_t width) {
    pos_ += width;
    return Make(kind, start);
  };
  switch (c) {
    case '"':
    case '`':
    case '\'':
      return LexString(start);
    case '[':
      return LexRange(start);
    case '-':
      return LexMinus(start);
    case '\0':
      return Fail(start, "invalid character NUL");
    case '{':
      return op(Tok::kOpenBrace, 1);
    case '}':
      return op(Tok::kCloseBrace, 1);
    case ']':
      return op(Tok::kCloseBracket, 1);
    case '(':
      return op(Tok::kOpenParen, 1);
    case ')':
      return op(Tok::kCloseParen, 1);
    case ',':
      return op(Tok::kComma, 1);
    case '.':
      return op(Tok::kDot, 1);
    case '+':
      return op(Tok::kAdd, 1);
    case '*':
      return op(Tok::kMul, 1);
    case '/':
      return op(Tok::kDiv, 1);
    case '%':
      return op(Tok::kMod, 1);
    case '^':
      return op(Tok::kPow, 1);
    case '=':
      if (n == '=') return op(Tok::kCmpEq, 2);
      if (n == '~') return op(Tok::kRe, 2);
      return op(Tok::kEq, 1);
    case '!':
      if (n == '=') return op(Tok::kNeq, 2);
      if (n == '~') return op(Tok::kNre, 2);
      if (n == '>') return op(Tok::kNpa, 2);
      return op(Tok::kInvalid, 1);
    case '|':
      if (n == '=') return op(Tok::kPipeExact, 2);
      if (n == '~') return op(Tok::kPipeMatch, 2);
      if (n == '>') return op(Tok::kPipePattern, 2);
      return op(Tok::kPipe, 1);
    case '<':
      if (n == '=') return op(Tok::kLte, 2);
      return op(Tok::kLt, 1);
    case '>':
      if (n == '=') return op(Tok::kGte, 2);
      return op(Tok::kGt, 1);
    default:
      return op(Tok::kInvalid, 1);
  }
}

size_t Lexer::UnitRun(size_t from, bool duration) const {
  static constexpr std::string_view kDurationRunes = "0123456789.numshdwy";
  static constexpr std::string_view kBytesRunes = "0123456789.BikKMGTP";
  size_t i = from;
  while (i < in_.size()) {
    char c = in_[i];
    if (duration && c == '\xC2' && i + 1 < in_.size() && in_[i + 1] == '\xB5') {  // µ
      i += 2;
      continue;
    }
    std::string_view set = duration ? kDurationRunes : kBytesRunes;
    if (set.find(c) == std::string_view::npos) break;
    ++i;
  }
  return i - from;
}

Token Lexer::LexNumber(int start) {
  auto digits = [&](bool hex) {
    while (pos_ < in_.size() &&
           (in_[pos_] == '_' || (hex ? IsHex(in_[pos_]) : IsDigit(in_[pos_])))) {
      ++pos_;
    }
  };
  bool hex = in_[pos_] == '0' && pos_ + 1 < in_.size() && Lower(in_[pos_ + 1]) == 'x';
  if (hex) pos_ += 2;
  digits(hex);
  if (pos_ < in_.size() && in_[pos_] == '.') {
    ++pos_;
    digits(hex);
  }
  if (pos_ < in_.size() && Lower(in_[pos_]) == (hex ? 'p' : 'e')) {
    ++pos_;
    if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
    size_t before = pos_;
    digits(false);
    if (pos_ == before) return Fail(start, "exponent has no digits");
  }
  std::string_view number =
      in_.substr(static_cast<size_t>(start), pos_ - static_cast<size_t>(start));
  // Loki reads a number glued to units as a duration first, then as a byte size.
  if (size_t run = UnitRun(pos_, true); run > 0) {
    int64_t ns = 0;
    if (ParseLokiDuration(in_.substr(static_cast<size_t>(start), number.size() + run), &ns)) {
      pos_ += run;
      Token t = Make(Tok::kDuration, start);
      t.duration_ns = ns;
      return t;
    }
  }
  if (size_t run = UnitRun(pos_, false); run > 0) {
    uint64_t b = 0;
    if (ParseHumanBytes(in_.substr(static_cast<size_t>(start), number.size() + run), &b)) {
      pos_ += run;
      Token t = Make(Tok::kBytes, start);
      t.bytes = b;
      return t;
    }
  }
  return Make(Tok::kNumber, start);
}

Token Lexer::LexMinus(int start) {
  ++pos_;  // '-'
  if (pos_ < in_.size() && in_[pos_] == '-') {
    size_t i = pos_;
    while (i < in_.size() && (IsAsciiLetter(in_[i]) || in_[i] == '-')) ++i;
    std::string_view flag = in_.substr(static_cast<size_t>(start), i - static_cast<size_t>(start));
    if (flag == "--strict" || flag == "--keep-empty") {
      pos_ = i;
      Token t = Make(Tok::kParserFlag, start);
      t.str = std::string(flag);
      return t;
    }
  }
  if (size_t run = UnitRun(pos_, true); run > 0) {
    int64_t ns = 0;
    if (ParseLokiDuration(in_.substr(static_cast<size_t>(start), 1 + run), &ns)) {
      pos_ += run;
      Token t = Make(Tok::kDuration, start);
      t.duration_ns = ns;
      return t;
    }
  }
  return Make(Tok::kSub, start);
}

bool Lexer::FunctionFollows(size_t from) const {
  auto skip = [&](size_t i) {
    while (i < in_.size() && IsSpace(in_[i])) ++i;
    return i;
  };
  size_t i = skip(from);
  if (i < in_.size() && in_[i] == '(') return true;
  for (std::string_view kw : {std::string_view("by"), std::string_view("without")}) {
    if (i + kw.size() <= in_.size() && EqualsLower(in_.substr(i, kw.size()), kw)) {
      size_t j = skip(i + kw.size());
      return j < in_.size() && in_[j] == '(';
    }
  }
  return false;
}

Token Lexer::LexWord(int start) {
  while (pos_ < in_.size()) {
    char c = in_[pos_];
    if (IsAsciiLetter(c) || IsDigit(c) || c == '_') {
      ++pos_;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      // Non-ASCII runes continue a word, as Unicode letters do in Loki's lexer.
      int w = RuneWidth(in_, pos_);
      if (w == 0) return Fail(start, "invalid UTF-8 encoding");
      pos_ += static_cast<size_t>(w);
    } else {
      break;
    }
  }
  Token t = Make(Tok::kIdentifier, start);
  for (const Word& w : kFunctions) {
    if (EqualsLower(t.text, w.text)) {
      if (FunctionFollows(pos_)) t.kind = w.tok;
      return t;
    }
  }
  for (const Word& w : kKeywords) {
    if (EqualsLower(t.text, w.text)) {
      t.kind = w.tok;
      return t;
    }
  }
  return t;
}

Token Lexer::LexString(int start) {
  char quote = in_[pos_];
  ++pos_;
  int runes = 0;
  while (true) {
    if (pos_ >= in_.size()) return Fail(start, "literal not terminated");
    char c = in_[pos_];
    if (c == quote) {
      ++pos_;
      break;
    }
    if (c == '\0') return Fail(start, "invalid character NUL");
    if (c == '\n' && quote != '`') return Fail(start, "literal not terminated");
    ++runes;
    if (static_cast<unsigned char>(c) >= 0x80) {
      int w = RuneWidth(in_, pos_);
      if (w == 0) return Fail(start, "invalid UTF-8 encoding");
      pos_ += static_cast<size_t>(w);
      continue;
    }
    ++pos_;
    if (c != '\\' || quote == '`') continue;
    // An escape, checked as Go's scanner checks it.
    char e = pos_ < in_.size() ? in_[pos_] : '\0';
    int want = 0;
    int base = 16;
    if (std::string_view("abfnrtv\\").find(e) != std::string_view::npos || e == quote) {
      ++pos_;
      continue;
    } else if (e >= '0' && e <= '7') {
      want = 3;
      base = 8;
    } else if (e == 'x') {
      want = 2;
      ++pos_;
    } else if (e == 'u') {
      want = 4;
      ++pos_;
    } else if (e == 'U') {
      want = 8;
      ++pos_;
    } else {
      return Fail(start, "invalid char escape");
    }
    for (int i = 0; i < want; ++i) {
      char d = pos_ < in_.size() ? in_[pos_] : '\0';
      bool ok = base == 8 ? (d >= '0' && d <= '7') : IsHex(d);
      if (!ok) return Fail(start, "invalid char escape");
      ++pos_;
    }
  }
  if (quote == '\'') {
    // Go's character literal: not a LogQL string; Loki's lexer turns it into an identifier.
    if (runes != 1) return Fail(start, "invalid char literal");
    return Make(Tok::kInvalid, start);
  }
  Token t = Make(Tok::kString, start);
  auto v = gotext::Unquote(t.text);
  if (!v.ok()) return Fail(start, std::string(v.status().message()));
  t.str = std::move(*v);
  return t;
}

Token Lexer::LexRange(int start) {
  size_t close = in_.find(']', pos_ + 1);
  if (close == std::string_view::npos) {
    return Fail(start, "missing closing ']' in duration");
  }
  std::string_view body = in_.substr(pos_ + 1, close - pos_ - 1);
  auto ms = gotext::ParseDuration(body);
  if (!ms.ok()) return Fail(start, std::string(ms.status().message()));
  if (*ms > INT64_MAX / 1000000) return Fail(start, "duration out of range");
  pos_ = close + 1;
  Token t = Make(Tok::kRange, start);
  t.duration_ns = *ms * 1000000;
  return t;
}

}  // namespace vigil::logql
