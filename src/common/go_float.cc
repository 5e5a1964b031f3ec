// ParseGoFloat: strconv.ParseFloat(s, 64) semantics on top of std::from_chars, which
// rounds correctly but differs in syntax (no sign, no '_', no "0x" prefix, accepts
// "nan(...)") and reports underflow as an error where Go returns 0.
#include "common/go_float.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

namespace vigil {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

bool IsDigit(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && Lower(c) >= 'a' && Lower(c) <= 'f';
}

// Go's rule for '_' in numeric literals: only between digits, or between the base prefix
// and a digit. `s` excludes the sign; `prefixed` says whether it starts with "0x".
bool UnderscoresOk(std::string_view s, bool prefixed) {
  char saw = '^';  // ^ start, 0 digit or prefix, _ underscore, ! anything else
  size_t i = 0;
  if (prefixed) {
    i = 2;
    saw = '0';
  }
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i], prefixed)) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Decides whether an out-of-range literal overflowed (true) or underflowed (false) from the
// position of its leading non-zero digit and its exponent. `digits` is the cleaned mantissa
// (no prefix, no '_'), `exp` the parsed exponent, `digit_weight` 1 for decimal, 4 for hex.
bool Overflowed(std::string_view digits, long long exp, int digit_weight) {
  const size_t dot = digits.find('.');
  const long long int_digits =
      static_cast<long long>(dot == std::string_view::npos ? digits.size() : dot);
  long long pos = 0;
  long long index = 0;  // digit index ignoring the dot
  for (char c : digits) {
    if (c == '.') continue;
    if (c != '0') {
      pos = int_digits - 1 - index;
      break;
    }
    ++index;
  }
  return pos * digit_weight + exp >= 0;
}

}  // namespace

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool neg = false;
  bool has_sign = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    has_sign = true;
    body.remove_prefix(1);
  }
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (!has_sign && EqualsIgnoreCase(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }

  // Validate the literal the way Go's readFloat does, noting what needs cleaning.
  const bool hex = body.size() > 2 && body[0] == '0' && Lower(body[1]) == 'x';
  size_t i = hex ? 2 : 0;
  bool underscores = false;
  bool saw_dot = false;
  bool saw_digits = false;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.') {
      if (saw_dot) return false;
      saw_dot = true;
    } else if (IsDigit(c, hex)) {
      saw_digits = true;
    } else {
      break;
    }
  }
  if (!saw_digits) return false;
  long long exp = 0;
  if (i < body.size() && Lower(body[i]) == (hex ? 'p' : 'e')) {
    ++i;
    if (i >= body.size()) return false;
    bool exp_neg = false;
    if (body[i] == '+' || body[i] == '-') {
      exp_neg = body[i] == '-';
      ++i;
    }
    if (i >= body.size() || body[i] < '0' || body[i] > '9') return false;
    for (; i < body.size() && ((body[i] >= '0' && body[i] <= '9') || body[i] == '_'); ++i) {
      if (body[i] == '_') {
        underscores = true;
        continue;
      }
      if (exp < 100000) exp = exp * 10 + (body[i] - '0');
    }
    if (exp_neg) exp = -exp;
  } else if (hex) {
    return false;  // a hexadecimal mantissa requires a 'p' exponent
  }
  if (i != body.size()) return false;
  if (underscores && !UnderscoresOk(body, hex)) return false;

  // Hand std::from_chars the literal without sign, prefix and separators.
  std::string cleaned;
  std::string_view text = hex ? body.substr(2) : body;
  if (underscores || hex) {
    cleaned.reserve(text.size());
    for (char c : text) {
      if (c != '_') cleaned.push_back(Lower(c));
    }
    text = cleaned;
  }
  double v = 0;
  const auto fmt = hex ? std::chars_format::hex : std::chars_format::general;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v, fmt);
  if (r.ec == std::errc::result_out_of_range) {
    std::string_view mantissa = text;
    const size_t exp_at = mantissa.find(hex ? 'p' : 'e');
    if (exp_at != std::string_view::npos) mantissa = mantissa.substr(0, exp_at);
    if (Overflowed(mantissa, exp, hex ? 4 : 1)) return false;  // Go: ErrRange
    v = 0;  // Go rounds underflow to zero without an error
  } else if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return false;
  }
  *out = neg ? -v : v;
  return true;
}

}  // namespace vigil
