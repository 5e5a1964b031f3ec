// UTF-8 checks for the many short strings ingestion validates (names, stream and attribute
// keys and values), and cutting text to a byte limit between characters.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace vigil {

bool IsUtf8Slow(std::string_view s);  // simdjson's validator

// ASCII (the common case) is checked eight bytes at a time inline; anything else goes to
// simdjson's validator, whose fixed cost per call dominates on strings this short.
inline bool IsUtf8(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t acc = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
  }
  for (; n > 0; ++p, --n) acc |= static_cast<uint8_t>(*p);
  if ((acc & 0x8080808080808080ULL) == 0) return true;
  return IsUtf8Slow(s);
}

// The longest prefix of the valid UTF-8 text `s` of at most `max` bytes that ends between
// characters.
std::string_view TruncateUtf8(std::string_view s, size_t max);

}  // namespace vigil
