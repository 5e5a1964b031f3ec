// The LogQL lexer. It tokenizes as Loki's lexer does, so the same queries parse and errors
// name the same tokens:
// - keywords (by, without, bool, offset, on, ignoring, group_left, group_right, or, and,
//   unless, json, logfmt, regexp, pattern, unpack, line_format, label_format, decolorize,
//   drop, keep, unwrap) are case-insensitive and reserved everywhere, label names included;
// - function names (rate, sum, vector, label_replace, ip, bytes, duration, ...) are tokens
//   only when `(` follows, or `by (`/`without (`; otherwise they are identifiers;
// - a number directly followed by duration units is a DURATION ("5m", "1.5s", "250us"),
//   else by byte units a BYTES ("20MB", "1.5KiB"); `-5m` is a negative DURATION;
// - `[...]` is one RANGE token holding a Prometheus duration;
// - `--strict` and `--keep-empty` are PARSER_FLAG tokens; `#` starts a comment;
// - strings are "double-quoted" with Go escapes or `raw`, unquoted while lexing.
// Characters with no meaning in LogQL lex as kInvalid (described as IDENTIFIER, as Loki's
// lexer names them). Positions are byte offsets.
//
// Thread-safety: a Lexer is single-threaded; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::logql {

// Token kinds. The order after kInvalid is the order Loki's grammar declares its tokens, so
// "expecting A or B" lists sort the way Loki prints them.
enum class Tok : uint8_t {
  kEof,
  kError,    // lexing failed; Lexer::error() has the message
  kInvalid,  // a character with no meaning in LogQL
  kBytes,
  kIdentifier,
  kString,
  kNumber,
  kParserFlag,
  kDuration,
  kRange,
  kEq,   // =
  kRe,   // =~
  kNre,  // !~
  kNpa,  // !>
  kOpenBrace,
  kCloseBrace,
  kCloseBracket,
  kComma,
  kDot,
  kPipeMatch,    // |~
  kPipeExact,    // |=
  kPipePattern,  // |>
  kOpenParen,
  kCloseParen,
  kBy,
  kWithout,
  kCountOverTime,
  kRate,
  kRateCounter,
  kSum,
  kSort,
  kSortDesc,
  kAvg,
  kMax,
  kMin,
  kCount,
  kStddev,
  kStdvar,
  kBottomk,
  kTopk,
  kBytesOverTime,
  kBytesRate,
  kBool,
  kJson,
  kRegexp,
  kLogfmt,
  kPipe,
  kLineFmt,
  kLabelFmt,
  kUnwrap,
  kAvgOverTime,
  kSumOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kBytesConv,
  kDurationConv,
  kDurationSecondsConv,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
  kVector,
  kLabelReplace,
  kUnpack,
  kOffset,
  kPattern,
  kIp,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kDecolorize,
  kDrop,
  kKeep,
  kOr,
  kAnd,
  kUnless,
  kCmpEq,  // ==
  kNeq,    // !=
  kLt,
  kLte,
  kGt,
  kGte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

struct Token {
  Tok kind = Tok::kEof;
  int pos = 0;              // byte offset of the first character
  std::string_view text;    // the token as written
  std::string str;          // kString: the unquoted value; kParserFlag: the flag
  int64_t duration_ns = 0;  // kDuration and kRange
  uint64_t bytes = 0;       // kBytes
  int end() const { return pos + static_cast<int>(text.size()); }
};

// How Loki's parser names a token in "unexpected X" errors: `IDENTIFIER`, `STRING`, `$end`,
// `{`, `|=`, `by`, `RATE` (function names keep their grammar names).
std::string_view TokenName(Tok t);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  // The next token, comments and white space skipped. After kEof or kError the same kind
  // repeats.
  Token Next();
  // For a kError token: the message (e.g. "literal not terminated").
  const std::string& error() const { return error_; }

 private:
  Token Make(Tok kind, int start);
  Token Fail(int at, std::string msg);
  bool SkipSpaceAndComments(Token* err);
  Token LexNumber(int start);
  Token LexMinus(int start);
  Token LexWord(int start);
  Token LexString(int start);
  Token LexRange(int start);
  // The run of characters that may continue a number as a duration or a byte size.
  size_t UnitRun(size_t from, bool duration) const;
  bool FunctionFollows(size_t from) const;

  std::string_view in_;
  size_t pos_ = 0;
  bool done_ = false;
  Tok done_kind_ = Tok::kEof;
  std::string error_;
};

}  // namespace vigil::logql
