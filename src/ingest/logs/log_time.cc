#include "ingest/logs/log_time.h"
#include "ingest/json/json_syntax.h"

#include <cmath>
#include <limits>

#include "common/strings.h"

namespace vigil {
namespace {

using Int128 = __int128;

constexpr Int128 kMinNs = std::numeric_limits<int64_t>::min();
constexpr Int128 kMaxNs = std::numeric_limits<int64_t>::max();

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

}  // namespace

bool ParseRfc3339Nanos(std::string_view s, int64_t* ns) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) frac = frac * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (size_t i = digits; i < 9; ++i) frac *= 10;
  }
  int64_t offset_s = 0;
  if (pos < s.size()) {
    char z = s[pos];
    if (z == 'Z' || z == 'z') {
      ++pos;
    } else if (z == '+' || z == '-') {
      int oh, om;
      if (!Digits(s, pos + 1, 2, &oh)) return false;
      size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!Digits(s, mpos, 2, &om) || oh > 23 || om > 59) return false;
      offset_s = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
      pos = mpos + 2;
    } else {
      return false;
    }
  }
  if (pos != s.size()) return false;
  Int128 secs = Int128{DaysFromCivil(year, month, day)} * 86400 + hour * 3600 + minute * 60 +
                second - offset_s;
  Int128 total = secs * 1000000000 + frac;
  if (total < kMinNs || total > kMaxNs) return false;
  *ns = static_cast<int64_t>(total);
  return true;
}

bool ParseUnixTimeAutoUnit(std::string_view s, int64_t* ns) {
  if (!IsJsonNumber(s)) return false;
  if (s.find_first_of("eE") != std::string_view::npos) {
    double d;
    if (!ParseDouble(s, &d) || !std::isfinite(d)) return false;
    double a = std::fabs(d);
    double scale = a < 1e11 ? 1e9 : a < 1e14 ? 1e6 : a < 1e17 ? 1e3 : 1;
    double v = d * scale;
    if (!(v >= -9.2e18 && v <= 9.2e18)) return false;
    *ns = static_cast<int64_t>(v);
    return true;
  }
  bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view int_part = s.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  // Leading zeros do not count towards the magnitude.
  while (int_part.size() > 1 && int_part[0] == '0') int_part.remove_prefix(1);
  if (int_part.size() > 19) return false;
  Int128 value = 0;
  for (char c : int_part) value = value * 10 + (c - '0');
  int scale_digits = value < Int128{100000000000}         ? 9
                     : value < Int128{100000000000000}    ? 6
                     : value < Int128{100000000000000000} ? 3
                                                          : 0;
  Int128 total = value;
  for (int i = 0; i < scale_digits; ++i) total *= 10;
  Int128 frac = 0;
  for (int i = 0; i < scale_digits; ++i) {
    frac = frac * 10 + (static_cast<size_t>(i) < frac_part.size() ? frac_part[i] - '0' : 0);
  }
  total += frac;
  if (negative) total = -total;
  if (total < kMinNs || total > kMaxNs) return false;
  *ns = static_cast<int64_t>(total);
  return true;
}

bool ParseLogTimestamp(std::string_view text, bool is_number, int64_t* ns, std::string* error) {
  if (is_number || IsJsonNumber(text)) {
    if (ParseUnixTimeAutoUnit(text, ns)) return true;
    *error = StrCat("timestamp ", QuoteString(Truncated(text, 64)),
                    " is out of range for Unix time in nanoseconds");
    return false;
  }
  if (ParseRfc3339Nanos(text, ns)) return true;
  *error = StrCat("invalid timestamp ", QuoteString(Truncated(text, 64)),
                  ": expected RFC 3339 or Unix time");
  return false;
}

}  // namespace vigil
