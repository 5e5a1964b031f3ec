// The PromQL lexer. It reproduces Prometheus 2.42's lexer state machine token for token,
// quirks included, because the parser's error messages name tokens the way Prometheus does:
// - keywords and aggregation operators are case-insensitive; inf/nan lex as numbers;
// - inside braces every word is an identifier (so `on`, `by`... are valid label names);
// - right after `[` a duration is required; within brackets `:` (and, as in Prometheus, any
//   letter) lexes as the subquery colon;
// - strings are checked while lexing (escapes, UTF-8), comments run to the end of the line.
// Comments are skipped; the parser never sees them.
//
// Thread-safety: a Lexer is single-threaded; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::promql {

enum class Tok : uint8_t {
  kEof,
  kError,
  kIdentifier,
  kMetricIdentifier,
  kNumber,
  kString,
  kDuration,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kColon,
  kEql,  // `=` (label matching)
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEqlc,  // `==`
  kNeq,
  kLte,
  kLss,
  kGte,
  kGtr,
  kEqlRegex,
  kNeqRegex,
  kLand,
  kLor,
  kLunless,
  kAt,
  // Aggregation operators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,
  // `@` preprocessors.
  kStart,
  kEnd,
};

struct Token {
  Tok kind = Tok::kEof;
  int pos = 0;            // byte offset of the first character
  std::string_view text;  // the token as written (empty for kEof and kError)
  int end() const { return pos + static_cast<int>(text.size()); }
};

bool IsAggregatorTok(Tok t);
// Tokens that may be the first token of an expression (what the grammar's FIRST(expr) holds).
bool StartsExpr(Tok t);
// Words the grammar accepts as a metric name: identifiers and some keywords (`by`, `sum`...).
bool IsMetricIdentifierTok(Tok t);
// Words the grammar accepts in by()/on()/group_left() label lists.
bool IsMaybeLabelTok(Tok t);
// How Prometheus describes the token in "unexpected ..." errors: `"}"`, `identifier "foo"`,
// `<op:+>`, `<by>`, `<aggr:sum>`, `end of input`...
std::string TokenDesc(const Token& t);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  // The next token, comments skipped. After kEof or kError the same token repeats.
  Token Next();
  // For a kError token: Prometheus' message and the position it reports.
  const std::string& error() const { return error_; }

 private:
  enum class State : uint8_t { kStatements, kDuration, kDone };

  int32_t NextRune();
  void Backup() { pos_ -= width_; }
  int32_t PeekRune();
  bool Accept(std::string_view valid);
  void AcceptRun(std::string_view valid);
  Token Emit(Tok kind);
  Token Fail(std::string msg);
  bool ScanNumber();
  bool AcceptRemainingDuration();
  void SkipSpaces();

  Token LexStatements(bool* produced);
  Token LexInsideBraces(bool* produced);
  Token LexDuration();
  Token LexNumberOrDuration();
  Token LexKeywordOrIdentifier();
  Token LexString(int32_t quote);
  Token LexRawString();
  bool LexEscape(int32_t quote);
  void SkipComment();

  std::string_view in_;
  int pos_ = 0;
  int start_ = 0;
  int width_ = 0;
  State state_ = State::kStatements;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  Token last_;
  std::string error_;
};

}  // namespace vigil::promql
