// Body tokens for the segments' token Bloom filters, and the tokens a substring filter
// guarantees.
//
// A token is a maximal run of ASCII letters, digits and '_' (bytes >= 0x80 count as token
// characters too, so UTF-8 words stay whole), kept as is because line filters `|=` are
// case-sensitive. Tokens longer than kMaxTokenBytes are not indexed.
//
// RequiredTokens(needle): the tokens that every line containing `needle` must contain as
// whole tokens: those with a separator (or the needle's edge adjacent to a separator) on both
// sides inside the needle. `|= "connection refused to redis"` requires "refused" and "to";
// "connection" might be the tail of a longer token and "redis" the head of one.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::logs {

inline constexpr size_t kMaxTokenBytes = 64;

// A table: every byte of every ingested line's body is classified.
struct TokenChars {
  bool is[256] = {};
  constexpr TokenChars() {
    for (int c = 0; c < 256; ++c) {
      is[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c >= 0x80;
    }
  }
};
inline constexpr TokenChars kTokenChars;

inline bool IsTokenChar(unsigned char c) { return kTokenChars.is[c]; }

// Calls fn(token) for every indexable token of `text`, in order (duplicates included).
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    while (p < end && !IsTokenChar(static_cast<unsigned char>(*p))) ++p;
    const char* start = p;
    while (p < end && IsTokenChar(static_cast<unsigned char>(*p))) ++p;
    size_t n = static_cast<size_t>(p - start);
    if (n > 0 && n <= kMaxTokenBytes) fn(std::string_view(start, n));
  }
}

std::vector<std::string> RequiredTokens(std::string_view needle);

}  // namespace vigil::logs
