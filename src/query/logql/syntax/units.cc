#include "query/logql/syntax/units.h"

#include <cmath>
#include <limits>

#include "common/strings.h"
#include "query/promql/syntax/go_text.h"

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

// The unit of a Go duration component, 0 when unknown.
uint64_t GoUnit(std::string_view u) {
  if (u == "ns") return kNanosecond;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return kMicrosecond;  // us, µs, μs
  if (u == "ms") return kMillisecond;
  if (u == "s") return kSecond;
  if (u == "m") return kMinute;
  if (u == "h") return kHour;
  return 0;
}

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

}  // namespace

bool ParseGoDuration(std::string_view s, int64_t* ns) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) return false;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return false;
    // Integer part.
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (v > (kMaxDuration - 1) / 10) return false;  // overflow
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMaxDuration) return false;
    }
    bool pre = i > 0;
    s.remove_prefix(i);
    // Fraction: digits past what fits in 63 bits are dropped, as Go does.
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (overflow) continue;
        if (f > (kMaxDuration - 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t next = f * 10 + static_cast<uint64_t>(s[j] - '0');
        if (next > kMaxDuration) {
          overflow = true;
          continue;
        }
        f = next;
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return false;
    size_t k = 0;
    while (k < s.size() && s[k] != '.' && !IsDigit(s[k])) ++k;
    if (k == 0) return false;  // missing unit
    uint64_t unit = GoUnit(s.substr(0, k));
    if (unit == 0) return false;
    s.remove_prefix(k);
    if (v > kMaxDuration / unit) return false;
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kMaxDuration) return false;
    }
    total += v;
    if (total > kMaxDuration) return false;
  }
  if (neg) {
    *ns =
        total == kMaxDuration ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
    return true;
  }
  if (total > kMaxDuration - 1) return false;
  *ns = static_cast<int64_t>(total);
  return true;
}

bool ParseLokiDuration(std::string_view s, int64_t* ns) {
  auto ms = promql::gotext::ParseDuration(s);
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
  if (ns >= 0 && ns % 1000000 == 0) return promql::gotext::DurationString(ns / 1000000);
  return FormatGoDuration(ns);
}

bool ParseHumanBytes(std::string_view s, uint64_t* bytes) {
  size_t last_digit = 0;
  bool has_comma = false;
  while (last_digit < s.size() &&
         (IsDigit(s[last_digit]) || s[last_digit] == '.' || s[last_digit] == ',')) {
    has_comma = has_comma || s[last_digit] == ',';
    ++last_digit;
  }
  std::string num(s.substr(0, last_digit));
  if (has_comma) std::erase(num, ',');
  double f = 0;
  if (!ParseDouble(num, &f)) return false;
  std::string_view rest = s.substr(last_digit);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  std::string unit;
  for (char c : rest) unit.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();  // "kb" = "k", "kib" = "ki"
  uint64_t mult = 0;
  static constexpr std::string_view kPrefixes = "kmgtpe";
  if (unit.empty()) {
    mult = 1;
  } else if (unit.size() <= 2 && kPrefixes.find(unit[0]) != std::string_view::npos &&
             (unit.size() == 1 || unit[1] == 'i')) {
    int power = static_cast<int>(kPrefixes.find(unit[0])) + 1;
    uint64_t base = unit.size() == 2 ? 1024 : 1000;
    mult = 1;
    for (int i = 0; i < power; ++i) mult *= base;
  } else {
    return false;
  }
  f *= static_cast<double>(mult);
  if (!(f < 18446744073709551616.0)) return false;  // math.MaxUint64 as a float64
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
