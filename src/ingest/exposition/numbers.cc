#include "ingest/exposition/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "common/strings.h"

namespace vigil {
namespace {

char Lower(char c) { return static_cast<char>(c | 0x20); }

bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f'); }

// Go's rule for digit separators: each `_` sits between two digits, or between a base
// prefix and a digit.
bool UnderscoresOk(std::string_view s) {
  char saw = '^';  // ^ start, 0 digit or prefix, _ underscore, ! anything else
  size_t i = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// `0x` mantissa `p` exponent, sign already removed. Go requires the exponent.
bool ParseHexBody(std::string_view body, double* out) {
  if (body.size() < 3 || body[0] != '0' || Lower(body[1]) != 'x') return false;
  std::string_view rest = body.substr(2);
  size_t p = rest.find_first_of("pP");
  if (p == std::string_view::npos) return false;
  std::string_view mantissa = rest.substr(0, p);
  std::string_view exponent = rest.substr(p + 1);
  bool digit = false;
  int dots = 0;
  for (char c : mantissa) {
    if (c == '.') {
      ++dots;
    } else if (IsHexDigit(c)) {
      digit = true;
    } else {
      return false;
    }
  }
  if (!digit || dots > 1) return false;
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
    exponent.remove_prefix(1);
  }
  if (exponent.empty()) return false;
  for (char c : exponent) {
    if (c < '0' || c > '9') return false;
  }
  auto r = std::from_chars(rest.data(), rest.data() + rest.size(), *out, std::chars_format::hex);
  if (r.ptr != rest.data() + rest.size()) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Huge exponents saturate; tiny ones underflow to zero as in Go.
    bool negative_exponent = rest[p + 1] == '-';
    if (!negative_exponent) return false;
    *out = 0;
    return true;
  }
  return r.ec == std::errc();
}

// The decimal literal after sign removal, for the slow path (range errors).
bool ParseDecimalBody(std::string_view body, double* out) {
  if (body.empty()) return false;
  bool digit = false;
  for (char c : body) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
      return false;
    }
  }
  if (!digit || !(body[0] == '.' || (body[0] >= '0' && body[0] <= '9'))) return false;
  double v;
  auto r = std::from_chars(body.data(), body.data() + body.size(), v);
  if (r.ptr != body.data() + body.size()) return false;
  if (r.ec == std::errc()) {
    *out = v;
    return true;
  }
  if (r.ec != std::errc::result_out_of_range) return false;
  // from_chars reports overflow and underflow alike; strtod tells them apart.
  std::string copy(body);
  char* end = nullptr;
  double s = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isinf(s)) return false;
  *out = s;
  return true;
}

}  // namespace

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool neg = s[0] == '-';
  bool has_sign = s[0] == '+' || s[0] == '-';
  std::string_view body = has_sign ? s.substr(1) : s;
  if (body.empty()) return false;
  char first = Lower(body[0]);
  if (first == 'n') {
    // Go accepts "NaN" only without a sign.
    if (has_sign) return false;
    return ParseDouble(body, out);
  }
  if (first == 'i') return ParseDouble(s, out);

  double v;
  bool ok;
  std::string cleaned;
  if (body.find('_') != std::string_view::npos) {
    if (!UnderscoresOk(s)) return false;
    cleaned.reserve(body.size());
    for (char c : body) {
      if (c != '_') cleaned.push_back(c);
    }
    body = cleaned;
  }
  if (body.size() >= 2 && body[0] == '0' && Lower(body[1]) == 'x') {
    ok = ParseHexBody(body, &v);
  } else {
    ok = ParseDecimalBody(body, &v);
  }
  if (!ok) return false;
  *out = neg ? -v : v;
  return true;
}

bool ParseTimestampMs(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  std::string_view digits = s;
  if (digits[0] == '+') digits.remove_prefix(1);
  // from_chars accepts a leading '-'; a second sign after '+' must not slip through.
  if (!digits.empty() && digits[0] == '-' && s[0] == '+') return false;
  if (digits.empty()) return false;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return r.ec == std::errc() && r.ptr == digits.data() + digits.size();
}

bool ParseTimestampSeconds(std::string_view s, int64_t* out_ms) {
  double secs;
  if (!ParseGoFloat(s, &secs) || !std::isfinite(secs)) return false;
  double ms = secs * 1000.0;
  // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(ms > -kLimit && ms < kLimit)) return false;
  *out_ms = static_cast<int64_t>(ms);
  return true;
}

}  // namespace vigil
