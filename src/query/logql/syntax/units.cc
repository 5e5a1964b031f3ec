#include "query/logql/syntax/units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "common/go_float.h"
#include "common/strings.h"
#include "common/go_text.h"

namespace vigil::logql {
namespace {

constexpr uint64_t kNanosecond = 1;
constexpr uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr uint64_t kSecond = 1000 * kMillisecond;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kMaxDuration = uint64_t{1} << 63;  // |min int64|

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Go's fmtFrac: the fraction of v/10^prec without trailing zeros, prefixed to *out (built
// backwards); returns v/10^prec.
uint64_t FracDigits(std::string* rev, uint64_t v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) rev->push_back(static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) rev->push_back('.');
  return v;
}

void IntDigits(std::string* rev, uint64_t v) {
  if (v == 0) {
    rev->push_back('0');
    return;
  }
  while (v > 0) {
    rev->push_back(static_cast<char>('0' + v % 10));
    v /= 10;
  }
}



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

bool ParseLokiDuration(std::string_view s, int64_t* ns) {
  auto ms = gotext::ParseDuration(s);
  if (ms.ok()) {
    if (*ms > std::numeric_limits<int64_t>::max() / 1000000) return false;
    *ns = *ms * 1000000;
    return true;
  }
  return ParseGoDuration(s, ns);
}

std::string FormatGoDuration(int64_t ns) {
  bool neg = ns < 0;
  uint64_t u = neg ? uint64_t{0} - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string rev;  // built backwards, as Go fills its buffer from the end
  if (u < kSecond) {
    rev.push_back('s');
    int prec = 0;
    if (u == 0) {
      return "0s";
    } else if (u < kMicrosecond) {
      rev.push_back('n');
    } else if (u < kMillisecond) {
      prec = 3;
      rev.append("\xB5\xC2");  // "µ" reversed
    } else {
      prec = 6;
      rev.push_back('m');
    }
    u = FracDigits(&rev, u, prec);
    IntDigits(&rev, u);
  } else {
    rev.push_back('s');
    u = FracDigits(&rev, u, 9);
    IntDigits(&rev, u % 60);
    u /= 60;
    if (u > 0) {
      rev.push_back('m');
      IntDigits(&rev, u % 60);
      u /= 60;
      if (u > 0) {
        rev.push_back('h');
        IntDigits(&rev, u);
      }
    }
  }
  if (neg) rev.push_back('-');
  return std::string(rev.rbegin(), rev.rend());
}

std::string FormatDuration(int64_t ns) {
  if (ns >= 0 && ns % 1000000 == 0) return gotext::DurationString(ns / 1000000);
  return FormatGoDuration(ns);
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

std::string FormatBytes(uint64_t bytes) {
  struct Unit {
    uint64_t size;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {uint64_t{1} << 50, "PiB"},
      {1000000000000000, "PB"},
      {uint64_t{1} << 40, "TiB"},
      {1000000000000, "TB"},
      {uint64_t{1} << 30, "GiB"},
      {1000000000, "GB"},
      {uint64_t{1} << 20, "MiB"},
      {1000000, "MB"},
      {1024, "KiB"},
      {1000, "kB"},
  };
  if (bytes != 0) {
    for (const Unit& u : kUnits) {
      // The count must be exact as a float64, as ParseHumanBytes multiplies in floating point.
      if (bytes % u.size == 0 && bytes / u.size < (uint64_t{1} << 53)) {
        return StrCat(bytes / u.size, u.name);
      }
    }
  }
  return StrCat(bytes, "B");
}

}  // namespace vigil::logql
