// Go's text conventions, as Prometheus' PromQL error messages and canonical forms inherit them:
// strconv.Quote / QuoteRune and fmt's %#U, Prometheus' string unquoting (strutil.Unquote),
// float formatting (%v, %.Nf), UTF-8 decoding with Go's handling of invalid bytes, number
// parsing as the PromQL parser does it, and model.Duration parsing and printing.
//
// Keeping these in one place lets the lexer, parser and printer reproduce Prometheus' output
// byte for byte (e.g. `"\xff"`, `1e+06`, `1h30m`).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::gotext {

inline constexpr int32_t kRuneError = 0xFFFD;
inline constexpr int32_t kEofRune = -1;

// Decodes the rune at s[pos] (pos < s.size()). Invalid or truncated sequences, surrogates and
// overlong forms decode as (kRuneError, width 1), as Go's utf8.DecodeRuneInString.
int32_t DecodeRune(std::string_view s, size_t pos, int* width);
// Appends the UTF-8 encoding of r (invalid code points as U+FFFD).
void AppendUtf8(std::string* out, int32_t r);

// strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
bool IsPrint(int32_t r);

// strconv.Quote: double-quoted with Go escapes; invalid bytes as \xNN.
std::string Quote(std::string_view s);
void AppendQuoted(std::string* out, std::string_view s);
// fmt's "%.Nq": the first `runes` runes of s, quoted.
std::string QuotePrefix(std::string_view s, int runes);
// strconv.QuoteRune (fmt's %q of a rune): 'x', '\n', '\x01', invalid runes as '�'.
std::string QuoteRune(int32_t r);
// fmt's %#U: "U+0071 'q'" ("U+000A" for runes that are not printable).
std::string RuneU(int32_t r);

// fmt's %v of a float64 (strconv 'g' with the shortest precision): 1e+06, 0.5, +Inf, NaN, -0.
std::string FormatFloat(double v);
// fmt's %.Nf, with Go's spelling of +Inf, -Inf and NaN.
std::string FormatFixed(double v, int decimals);

// Prometheus' strutil.Unquote: "..." and '...' with Go escapes, `...` raw. The only error is
// "invalid syntax", as Go's strconv.ErrSyntax.
absl::StatusOr<std::string> Unquote(std::string_view literal);

// How the PromQL parser reads a NUMBER token: strconv.ParseInt(s, 0, 64) (so 0x1f and 017
// are integers), else strconv.ParseFloat. Errors read as Go's: `strconv.ParseFloat: parsing
// "1e": invalid syntax` / `... value out of range`.
absl::StatusOr<double> ParseNumber(std::string_view s);

// model.ParseDuration ("1h30m", units y w d h m s ms in that order, each at most once; "0"),
// returning milliseconds. Errors as Prometheus': `not a valid duration string: "5mm"`,
// "duration out of range", "empty duration string".
absl::StatusOr<int64_t> ParseDuration(std::string_view s);
// model.Duration.String(): "1h30m", "5m", "0s"; years and weeks only when exact.
std::string DurationString(int64_t ms);

}  // namespace vigil::gotext
