// Small string helpers shared across modules.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace vigil {

// Concatenation that accepts std::string_view. (Debian's Abseil is built with its own
// absl::string_view, so StrCat does not take std::string_view arguments.)
namespace strings_internal {
inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
inline void AppendPiece(std::string* out, absl::string_view s) { out->append(s.data(), s.size()); }
inline void AppendPiece(std::string* out, const char* s) { out->append(s); }
inline void AppendPiece(std::string* out, const std::string& s) { out->append(s); }
inline void AppendPiece(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void AppendPiece(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}
void AppendPiece(std::string* out, double v);  // shortest round-trip form
}  // namespace strings_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::AppendPiece(out, args), ...);
}
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

// The value of a hex digit (either case), or -1 for any other character.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Whole-string numeric parsing (no leading/trailing junk); false on failure or overflow.
bool ParseInt64(std::string_view s, int64_t* out);
bool ParseUint64(std::string_view s, uint64_t* out);
// Go's strconv.ParseFloat (see go_float.h): what Prometheus accepts for numbers.
bool ParseDouble(std::string_view s, double* out);

// absl::string_view (Status messages) to std::string_view, and back (for heterogeneous
// lookups in absl containers keyed by std::string).
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }
inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

// Double-quotes `s`, escaping backslash, quote, newline, and bytes that are not printable
// ASCII as \xNN, so hostile input can be echoed safely in error messages and logs.
std::string QuoteString(std::string_view s);

// Cuts `s` to at most `max` bytes, marking the cut, for error messages quoting user input.
std::string_view Truncated(std::string_view s, size_t max = 128);

}  // namespace vigil
