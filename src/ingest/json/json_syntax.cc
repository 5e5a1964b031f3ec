#include "ingest/json/json_syntax.h"

#include <bit>
#include <bitset>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/strings.h"

namespace vigil {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool IsHex(char c) { return HexDigitValue(c) >= 0; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Bit 7 of each byte of the result is set where `x` has byte `b`, exactly for the lowest such
// byte (higher ones may be false positives, which the callers never look at).
inline uint64_t BytesEqual(uint64_t x, uint8_t b) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  uint64_t y = x ^ (kOnes * b);
  return (y - kOnes) & ~y & (kOnes << 7);
}

// The position of the first '"' or '\\' at or after i, or s.size(). Strings are most of a
// log line's bytes, and most of them are short: eight bytes at a time without a call.
size_t FindQuoteOrBackslash(std::string_view s, size_t i) {
  const char* d = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  // Sixteen bytes a step where the text allows (x86-64 always has SSE2).
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + i));
    const int m =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    if (m != 0) return i + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(m)));
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t x;
      std::memcpy(&x, d + i, 8);
      uint64_t m = BytesEqual(x, '"') | BytesEqual(x, '\\');
      if (m != 0) return i + (static_cast<size_t>(std::countr_zero(m)) >> 3);
    }
  }
  while (i < n && d[i] != '"' && d[i] != '\\') ++i;
  return i;
}

size_t Digits(std::string_view s, size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

// Walks one value with an explicit stack, so nesting depth costs no native stack.
class ValueSkipper {
 public:
  ValueSkipper(std::string_view s, size_t depth) : s_(s), base_(depth), depth_(depth) {}

  size_t Run(size_t i, std::string* error) {
    enum State { kValue, kKey, kAfterValue };
    State state = kValue;
    while (true) {
      if (state == kValue) {
        if (i >= s_.size()) return JsonSyntaxError(i, "expected a value", error);
        char c = s_[i];
        if (c == '{' || c == '[') {
          if (depth_ >= kMaxJsonDepth) {
            return JsonSyntaxError(i, "containers nested too deeply", error);
          }
          is_object_[depth_++] = c == '{';
          i = SkipJsonSpace(s_, i + 1);
          if (i < s_.size() && s_[i] == (c == '{' ? '}' : ']')) {
            --depth_;
            ++i;
            state = kAfterValue;
          } else {
            state = c == '{' ? kKey : kValue;
          }
          continue;
        }
        if (c == '"') {
          bool escaped;
          i = ScanJsonString(s_, i + 1, &escaped, error);
          if (i == kNpos) return kNpos;
          ++i;
        } else if (c == 't' || c == 'f' || c == 'n') {
          i = ScanJsonLiteral(s_, i, error);
          if (i == kNpos) return kNpos;
        } else if (c == '-' || IsDigit(c)) {
          i = ScanJsonNumber(s_, i, error);
          if (i == kNpos) return kNpos;
        } else {
          return JsonSyntaxError(i, "expected a value", error);
        }
        state = kAfterValue;
        continue;
      }
      if (state == kKey) {
        if (i >= s_.size() || s_[i] != '"') {
          return JsonSyntaxError(i, "expected a string key", error);
        }
        bool escaped;
        i = ScanJsonString(s_, i + 1, &escaped, error);
        if (i == kNpos) return kNpos;
        i = SkipJsonSpace(s_, i + 1);
        if (i >= s_.size() || s_[i] != ':') return JsonSyntaxError(i, "expected ':'", error);
        i = SkipJsonSpace(s_, i + 1);
        state = kValue;
        continue;
      }
      // kAfterValue
      if (depth_ == base_) return i;
      i = SkipJsonSpace(s_, i);
      const bool object = is_object_[depth_ - 1];
      if (i >= s_.size()) {
        return JsonSyntaxError(i, object ? "expected ',' or '}'" : "expected ',' or ']'", error);
      }
      char c = s_[i];
      if (c == ',') {
        i = SkipJsonSpace(s_, i + 1);
        state = object ? kKey : kValue;
      } else if (c == (object ? '}' : ']')) {
        ++i;
        --depth_;
      } else {
        return JsonSyntaxError(i, object ? "expected ',' or '}'" : "expected ',' or ']'", error);
      }
    }
  }

 private:
  std::string_view s_;
  size_t base_, depth_;
  std::bitset<kMaxJsonDepth> is_object_;
};

}  // namespace

size_t ScanJsonString(std::string_view s, size_t i, bool* escaped, std::string* error) {
  const size_t quote = i - 1;
  while (true) {
    i = FindQuoteOrBackslash(s, i);
    if (i >= s.size()) return JsonSyntaxError(quote, "unterminated string", error);
    if (s[i] == '"') return i;
    *escaped = true;
    if (i + 1 >= s.size()) return JsonSyntaxError(quote, "unterminated string", error);
    char e = s[i + 1];
    if (e == 'u') {
      for (size_t k = 2; k < 6; ++k) {
        if (i + k >= s.size() || !IsHex(s[i + k])) {
          return JsonSyntaxError(i, "invalid \\u escape", error);
        }
      }
      i += 6;
    } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
      i += 2;
    } else {
      return JsonSyntaxError(i, "invalid escape sequence", error);
    }
  }
}

size_t JsonSyntaxError(size_t at, std::string_view what, std::string* error) {
  *error = StrCat(what, " at byte ", at);
  return kNpos;
}

size_t ScanJsonLiteral(std::string_view s, size_t i, std::string* error) {
  const char c = i < s.size() ? s[i] : '\0';
  const std::string_view lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
  if (s.substr(i, lit.size()) != lit) return JsonSyntaxError(i, "invalid literal", error);
  return i + lit.size();
}

size_t ScanJsonNumber(std::string_view s, size_t i, std::string* error) {
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else {
    size_t d = Digits(s, i);
    if (d == i) return JsonSyntaxError(i, "invalid number", error);
    i = d;
  }
  if (i < s.size() && s[i] == '.') {
    size_t d = Digits(s, i + 1);
    if (d == i + 1) return JsonSyntaxError(i + 1, "invalid number", error);
    i = d;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t d = Digits(s, i);
    if (d == i) return JsonSyntaxError(i, "invalid number", error);
    i = d;
  }
  return i;
}

size_t SkipJsonValue(std::string_view text, size_t pos, size_t depth, std::string* error) {
  return ValueSkipper(text, depth).Run(pos, error);
}

bool CheckJsonSyntax(std::string_view text, std::string* error) {
  size_t i = SkipJsonValue(text, SkipJsonSpace(text, 0), 0, error);
  if (i == kNpos) return false;
  i = SkipJsonSpace(text, i);
  if (i != text.size()) {
    JsonSyntaxError(i, "unexpected content after the JSON value", error);
    return false;
  }
  return true;
}

bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start) return false;
  if (i < s.size() && s[i] == '.') {
    size_t f = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == e) return false;
  }
  return i == s.size();
}

}  // namespace vigil
