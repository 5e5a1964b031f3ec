#include "query/promql/syntax/lexer.h"

#include "common/strings.h"
#include "common/go_text.h"

namespace vigil::promql {
namespace {

using gotext::kEofRune;

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

int DigitVal(int32_t r) {
  if (r >= '0' && r <= '9') return r - '0';
  if (r >= 'a' && r <= 'f') return r - 'a' + 10;
  if (r >= 'A' && r <= 'F') return r - 'A' + 10;
  return 16;
}

struct Keyword {
  std::string_view word;
  Tok kind;
};
// Matched case-insensitively, as Prometheus lowercases words before the lookup.
constexpr Keyword kKeywords[] = {
    {"and", Tok::kLand},
    {"or", Tok::kLor},
    {"unless", Tok::kLunless},
    {"atan2", Tok::kAtan2},
    {"sum", Tok::kSum},
    {"avg", Tok::kAvg},
    {"count", Tok::kCount},
    {"min", Tok::kMin},
    {"max", Tok::kMax},
    {"group", Tok::kGroup},
    {"stddev", Tok::kStddev},
    {"stdvar", Tok::kStdvar},
    {"topk", Tok::kTopk},
    {"bottomk", Tok::kBottomk},
    {"count_values", Tok::kCountValues},
    {"quantile", Tok::kQuantile},
    {"offset", Tok::kOffset},
    {"by", Tok::kBy},
    {"without", Tok::kWithout},
    {"on", Tok::kOn},
    {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft},
    {"group_right", Tok::kGroupRight},
    {"bool", Tok::kBool},
    {"start", Tok::kStart},
    {"end", Tok::kEnd},
    {"inf", Tok::kNumber},
    {"nan", Tok::kNumber},
};

bool EqualsLower(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

int32_t Lexer::NextRune() {
  if (pos_ >= static_cast<int>(in_.size())) {
    width_ = 0;
    return kEofRune;
  }
  int w = 1;
  int32_t r = static_cast<unsigned char>(in_[static_cast<size_t>(pos_)]);
  if (r >= 0x80) r = gotext::DecodeRune(in_, static_cast<size_t>(pos_), &w);
  width_ = w;
  pos_ += w;
  return r;
}

int32_t Lexer::PeekRune() {
  int32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  int32_t r = NextRune();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
    return true;
  }
  Backup();
  return false;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (Accept(valid)) {
  }
}

Token Lexer::Emit(Tok kind) {
  Token t{kind, start_,
          in_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_))};
  start_ = pos_;
  return t;
}

Token Lexer::Fail(std::string msg) {
  error_ = std::move(msg);
  Token t{Tok::kError, start_, {}};
  state_ = State::kDone;
  last_ = t;
  return t;
}

void Lexer::SkipSpaces() {
  while (IsSpace(PeekRune())) NextRune();
  start_ = pos_;
}

void Lexer::SkipComment() {
  pos_ += 1;
  int32_t r = NextRune();
  while (r != '\r' && r != '\n' && r != kEofRune) r = NextRune();
  Backup();
  start_ = pos_;
}

Token Lexer::Next() {
  if (state_ == State::kDone) return last_;
  while (true) {
    bool produced = true;
    Token t;
    if (state_ == State::kDuration) {
      t = LexDuration();
    } else if (brace_open_) {
      t = LexInsideBraces(&produced);
    } else {
      t = LexStatements(&produced);
    }
    if (!produced) continue;
    if (t.kind == Tok::kEof || t.kind == Tok::kError) {
      state_ = State::kDone;
      last_ = t;
    }
    return t;
  }
}

bool Lexer::ScanNumber() {
  std::string_view digits = "0123456789";
  if (Accept("0") && Accept("xX")) digits = "0123456789abcdefABCDEF";
  AcceptRun(digits);
  if (Accept(".")) AcceptRun(digits);
  if (Accept("eE")) {
    Accept("+-");
    AcceptRun("0123456789");
  }
  return !IsAlphaNumeric(PeekRune());
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // `ms`; bad unit pairs are caught when the duration is parsed
  while (Accept("0123456789")) {
    AcceptRun("0123456789");
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

Token Lexer::LexDuration() {
  state_ = State::kStatements;
  if (ScanNumber()) return Fail("missing unit character in duration");
  if (!AcceptRemainingDuration()) {
    return Fail(StrCat("bad duration syntax: ",
                       gotext::Quote(in_.substr(static_cast<size_t>(start_),
                                                static_cast<size_t>(pos_ - start_)))));
  }
  Backup();
  return Emit(Tok::kDuration);
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) return Emit(Tok::kNumber);
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(Tok::kDuration);
  }
  return Fail(StrCat(
      "bad number or duration syntax: ",
      gotext::Quote(in_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_)))));
}

Token Lexer::LexKeywordOrIdentifier() {
  while (true) {
    int32_t r = NextRune();
    if (IsAlphaNumeric(r) || r == ':') continue;
    Backup();
    break;
  }
  std::string_view word =
      in_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_));
  for (const Keyword& k : kKeywords) {
    if (EqualsLower(word, k.word)) return Emit(k.kind);
  }
  return Emit(word.find(':') == std::string_view::npos ? Tok::kIdentifier : Tok::kMetricIdentifier);
}

bool Lexer::LexEscape(int32_t quote) {
  int32_t ch = NextRune();
  int n;
  uint32_t base;
  uint32_t max;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return true;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max = 0x10FFFF;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max = 0x10FFFF;
      break;
    case kEofRune:
      Fail("escape sequence not terminated");
      return false;
    default:
      if (ch == quote) return true;
      Fail(StrCat("unknown escape sequence ", gotext::RuneU(ch)));
      return false;
  }
  uint32_t x = 0;
  while (n > 0) {
    auto d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      if (ch == kEofRune) {
        Fail("escape sequence not terminated");
      } else {
        Fail(StrCat("illegal character ", gotext::RuneU(ch), " in escape sequence"));
      }
      return false;
    }
    x = x * base + d;
    if (--n > 0) ch = NextRune();
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    Fail("escape sequence is an invalid Unicode code point");
    return false;
  }
  return true;
}

Token Lexer::LexString(int32_t quote) {
  while (true) {
    int32_t r = NextRune();
    if (r == '\\') {
      if (!LexEscape(quote)) return last_;
      continue;
    }
    // Go's decoder reports invalid bytes and a literal U+FFFD alike, and Prometheus rejects
    // both.
    if (r == gotext::kRuneError) return Fail("invalid UTF-8 rune");
    if (r == kEofRune || r == '\n') return Fail("unterminated quoted string");
    if (r == quote) break;
  }
  return Emit(Tok::kString);
}

Token Lexer::LexRawString() {
  while (true) {
    int32_t r = NextRune();
    if (r == gotext::kRuneError) return Fail("invalid UTF-8 rune");
    if (r == kEofRune) return Fail("unterminated raw string");
    if (r == '`') break;
  }
  return Emit(Tok::kString);
}

Token Lexer::LexStatements(bool* produced) {
  if (pos_ < static_cast<int>(in_.size()) && in_[static_cast<size_t>(pos_)] == '#') {
    SkipComment();
    *produced = false;
    return {};
  }
  int32_t r = NextRune();
  switch (r) {
    case kEofRune:
      if (paren_depth_ != 0) return Fail("unclosed left parenthesis");
      if (bracket_open_) return Fail("unclosed left bracket");
      return Emit(Tok::kEof);
    case ',':
      return Emit(Tok::kComma);
    case '*':
      return Emit(Tok::kMul);
    case '/':
      return Emit(Tok::kDiv);
    case '%':
      return Emit(Tok::kMod);
    case '+':
      return Emit(Tok::kAdd);
    case '-':
      return Emit(Tok::kSub);
    case '^':
      return Emit(Tok::kPow);
    case '@':
      return Emit(Tok::kAt);
    case '=': {
      int32_t t = PeekRune();
      if (t == '=') {
        NextRune();
        return Emit(Tok::kEqlc);
      }
      if (t == '~') return Fail(StrCat("unexpected character after '=': ", gotext::QuoteRune(t)));
      return Emit(Tok::kEql);
    }
    case '!': {
      int32_t t = NextRune();
      if (t == '=') return Emit(Tok::kNeq);
      return Fail(StrCat("unexpected character after '!': ", gotext::QuoteRune(t)));
    }
    case '<':
      if (PeekRune() == '=') {
        NextRune();
        return Emit(Tok::kLte);
      }
      return Emit(Tok::kLss);
    case '>':
      if (PeekRune() == '=') {
        NextRune();
        return Emit(Tok::kGte);
      }
      return Emit(Tok::kGtr);
    case '"':
    case '\'':
      return LexString(r);
    case '`':
      return LexRawString();
    case '(':
      ++paren_depth_;
      return Emit(Tok::kLeftParen);
    case ')': {
      Token t = Emit(Tok::kRightParen);
      if (--paren_depth_ < 0) {
        return Fail(StrCat("unexpected right parenthesis ", gotext::QuoteRune(r)));
      }
      return t;
    }
    case '{':
      brace_open_ = true;
      return Emit(Tok::kLeftBrace);
    case '[': {
      if (bracket_open_) return Fail(StrCat("unexpected left bracket ", gotext::QuoteRune(r)));
      got_colon_ = false;
      Token t = Emit(Tok::kLeftBracket);
      if (IsSpace(PeekRune())) SkipSpaces();
      bracket_open_ = true;
      state_ = State::kDuration;
      return t;
    }
    case ']': {
      if (!bracket_open_) return Fail(StrCat("unexpected right bracket ", gotext::QuoteRune(r)));
      bracket_open_ = false;
      return Emit(Tok::kRightBracket);
    }
    default:
      break;
  }
  if (IsSpace(r)) {
    SkipSpaces();
    *produced = false;
    return {};
  }
  if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
    Backup();
    return LexNumberOrDuration();
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      return LexKeywordOrIdentifier();
    }
    // Within brackets Prometheus takes a colon, and any letter, as the subquery separator.
    if (got_colon_) return Fail(StrCat("unexpected colon ", gotext::QuoteRune(r)));
    got_colon_ = true;
    return Emit(Tok::kColon);
  }
  return Fail(StrCat("unexpected character: ", gotext::QuoteRune(r)));
}

Token Lexer::LexInsideBraces(bool* produced) {
  if (pos_ < static_cast<int>(in_.size()) && in_[static_cast<size_t>(pos_)] == '#') {
    SkipComment();
    *produced = false;
    return {};
  }
  int32_t r = NextRune();
  if (r == kEofRune) return Fail("unexpected end of input inside braces");
  if (IsSpace(r)) {
    SkipSpaces();
    *produced = false;
    return {};
  }
  if (IsAlpha(r)) {
    while (IsAlphaNumeric(NextRune())) {
    }
    Backup();
    return Emit(Tok::kIdentifier);
  }
  switch (r) {
    case ',':
      return Emit(Tok::kComma);
    case '"':
    case '\'':
      return LexString(r);
    case '`':
      return LexRawString();
    case '=':
      if (NextRune() == '~') return Emit(Tok::kEqlRegex);
      Backup();
      return Emit(Tok::kEql);
    case '!': {
      int32_t nr = NextRune();
      if (nr == '~') return Emit(Tok::kNeqRegex);
      if (nr == '=') return Emit(Tok::kNeq);
      return Fail(StrCat("unexpected character after '!' inside braces: ", gotext::QuoteRune(nr)));
    }
    case '{':
      return Fail(StrCat("unexpected left brace ", gotext::QuoteRune(r)));
    case '}':
      brace_open_ = false;
      return Emit(Tok::kRightBrace);
    default:
      return Fail(StrCat("unexpected character inside braces: ", gotext::QuoteRune(r)));
  }
}

}  // namespace vigil::promql
