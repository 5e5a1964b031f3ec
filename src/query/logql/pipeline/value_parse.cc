#include "query/logql/pipeline/value_parse.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "common/go_float.h"
#include "common/strings.h"

namespace vigil::logql::pipeline {
namespace {

constexpr uint64_t kMaxDuration = uint64_t{1} << 63;

bool DurationError(std::string* error, std::string_view what, std::string_view orig) {
  if (error != nullptr) *error = StrCat("time: ", what, " ", QuoteString(orig));
  return false;
}

// Unit scale in nanoseconds, or 0 when unknown.
uint64_t DurationUnit(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return 1000;  // µs (micro sign), μs (mu)
  if (u == "ms") return 1000 * 1000;
  if (u == "s") return 1000 * 1000 * 1000;
  if (u == "m") return uint64_t{60} * 1000 * 1000 * 1000;
  if (u == "h") return uint64_t{3600} * 1000 * 1000 * 1000;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool ParseGoDuration(std::string_view s, int64_t* ns, std::string* error) {
  const std::string_view orig = s;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) return DurationError(error, "invalid duration", orig);
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return DurationError(error, "invalid duration", orig);
    // Integer part; overflow is an error as in Go.
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (v > (kMaxDuration - 1) / 10) return DurationError(error, "invalid duration", orig);
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMaxDuration) return DurationError(error, "invalid duration", orig);
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    // Fraction: digits past what fits are read but ignored, as Go does.
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (overflow) continue;
        if (f > (std::numeric_limits<uint64_t>::max() / 2 - 9) / 10) {
          overflow = true;
          continue;
        }
        f = f * 10 + static_cast<uint64_t>(s[j] - '0');
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return DurationError(error, "invalid duration", orig);
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !IsDigit(s[u])) ++u;
    if (u == 0) return DurationError(error, "missing unit in duration", orig);
    const std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    const uint64_t unit = DurationUnit(unit_name);
    if (unit == 0) {
      if (error != nullptr) {
        *error = StrCat("time: unknown unit ", QuoteString(unit_name), " in duration ",
                        QuoteString(orig));
      }
      return false;
    }
    if (v > kMaxDuration / unit) return DurationError(error, "invalid duration", orig);
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kMaxDuration) return DurationError(error, "invalid duration", orig);
    }
    total += v;
    if (total > kMaxDuration) return DurationError(error, "invalid duration", orig);
  }
  if (neg) {
    *ns =
        total == kMaxDuration ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
    return true;
  }
  if (total > kMaxDuration - 1) return DurationError(error, "invalid duration", orig);
  *ns = static_cast<int64_t>(total);
  return true;
}

bool ParseHumanBytes(std::string_view s, uint64_t* bytes, std::string* error) {
  size_t digits = 0;
  bool comma = false;
  while (digits < s.size() && (IsDigit(s[digits]) || s[digits] == '.' || s[digits] == ',')) {
    comma = comma || s[digits] == ',';
    ++digits;
  }
  std::string num(s.substr(0, digits));
  if (comma) std::erase(num, ',');
  double f = 0;
  if (!ParseGoFloat(num, &f)) {
    if (error != nullptr) {
      *error = StrCat("strconv.ParseFloat: parsing ", QuoteString(num), ": invalid syntax");
    }
    return false;
  }
  std::string_view rest = s.substr(digits);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  std::string unit(rest);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // "" and "b" are bytes; a bare prefix ("k", "ki") means the same as with a trailing "b".
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  double mult = 0;
  if (unit.empty()) {
    mult = 1;
  } else {
    static constexpr std::string_view kPrefixes = "kmgtpe";
    const size_t p = kPrefixes.find(unit[0]);
    const bool iec = unit.size() == 2 && unit[1] == 'i';
    if (p != std::string_view::npos && (unit.size() == 1 || iec)) {
      mult = std::pow(iec ? 1024.0 : 1000.0, static_cast<double>(p + 1));
    }
  }
  if (mult == 0) {
    if (error != nullptr) *error = StrCat("unhandled size name: ", std::string(rest));
    return false;
  }
  f *= mult;
  if (f >= 18446744073709551615.0) {
    if (error != nullptr) *error = StrCat("too large: ", std::string(s));
    return false;
  }
  *bytes = static_cast<uint64_t>(f);
  return true;
}

bool ParseGoFloatValue(std::string_view s, double* v, std::string* error) {
  if (ParseGoFloat(s, v)) return true;
  if (error != nullptr) {
    *error = StrCat("strconv.ParseFloat: parsing ", QuoteString(s), ": invalid syntax");
  }
  return false;
}

}  // namespace vigil::logql::pipeline
