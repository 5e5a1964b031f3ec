#include "ingest/otlp/otlp_ids.h"

#include <array>
#include <cstdint>

#include "common/strings.h"

namespace vigil {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Byte -> hex digit value, with flags: bit 4 set for an uppercase digit, 0xff for no digit.
// A table, because ids are checked digit by digit for every ingested line.
constexpr auto kHexTable = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<uint8_t>((c - 'A' + 10) | 0x10);
  return t;
}();

int HexValue(char c) {
  uint8_t v = kHexTable[static_cast<uint8_t>(c)];
  return v == 0xff ? -1 : (v & 0x0f);
}

}  // namespace

bool NormalizeHexId(IdKind kind, std::string_view hex, StringArena* arena, std::string_view* out,
                    std::string* error) {
  *out = {};
  if (hex.empty()) return true;
  const size_t want = kind == IdKind::kTrace ? 32 : 16;
  // Range compares rather than kHexTable lookups: this loop runs for every ingested line, and the
  // compiler turns it into a few vector compares where a table needs a load per byte.
  uint8_t bad = 0, upper = 0, nonzero = 0;
  for (char ch : hex) {
    const auto c = static_cast<uint8_t>(ch);
    const uint8_t is_digit = static_cast<uint8_t>(c - '0') < 10;
    const uint8_t is_lower = static_cast<uint8_t>(c - 'a') < 6;
    const uint8_t is_upper = static_cast<uint8_t>(c - 'A') < 6;
    bad |= static_cast<uint8_t>((is_digit | is_lower | is_upper) ^ 1);
    upper |= is_upper;
    nonzero |= static_cast<uint8_t>(c != '0');
  }
  if (bad != 0) {
    *error = StrCat("invalid ", IdName(kind), " ", QuoteString(Truncated(hex, 64)),
                    ": not a hex string");
    return false;
  }
  const bool lower = upper == 0;
  const bool zero = nonzero == 0;
  if (hex.size() != want) {
    *error = StrCat("invalid ", IdName(kind), " ", QuoteString(Truncated(hex, 64)), ": ",
                    hex.size(), " hex digits, expected ", want);
    return false;
  }
  if (zero) return true;
  if (lower) {
    *out = hex;
    return true;
  }
  char buf[32];
  for (size_t i = 0; i < want; ++i) buf[i] = kHexDigits[HexValue(hex[i])];
  *out = arena->Copy(std::string_view(buf, want));
  return true;
}

bool EncodeRawId(IdKind kind, std::string_view raw, StringArena* arena, std::string_view* out,
                 std::string* error) {
  *out = {};
  if (raw.empty()) return true;
  const size_t want = kind == IdKind::kTrace ? 16 : 8;
  if (raw.size() != want) {
    *error = StrCat("invalid ", IdName(kind), ": ", raw.size(), " bytes, expected ", want);
    return false;
  }
  bool zero = true;
  char buf[32];
  for (size_t i = 0; i < want; ++i) {
    auto b = static_cast<unsigned char>(raw[i]);
    if (b != 0) zero = false;
    buf[2 * i] = kHexDigits[b >> 4];
    buf[2 * i + 1] = kHexDigits[b & 0xF];
  }
  if (zero) return true;
  *out = arena->Copy(std::string_view(buf, 2 * want));
  return true;
}

}  // namespace vigil
