// Civil-time arithmetic transcribed from the algorithm of Go's time package (as of the
// Go 1.19/1.20 toolchains that built Prometheus 2.42): times are counted in unsigned
// seconds since an "absolute" epoch in year -292277022399, and dates are peeled off in
// 400/100/4/1-year cycles. Unsigned wrap-around is part of the behaviour being matched.
#include "query/promql/functions/date_kernels.h"

#include <cmath>
#include <limits>

namespace vigil::promql {
namespace {

constexpr uint64_t kSecondsPerMinute = 60;
constexpr uint64_t kSecondsPerHour = 60 * kSecondsPerMinute;
constexpr uint64_t kSecondsPerDay = 24 * kSecondsPerHour;
constexpr uint64_t kSecondsPerWeek = 7 * kSecondsPerDay;
constexpr uint64_t kDaysPer400Years = 365 * 400 + 97;
constexpr uint64_t kDaysPer100Years = 365 * 100 + 24;
constexpr uint64_t kDaysPer4Years = 365 * 4 + 1;
constexpr int64_t kAbsoluteZeroYear = -292277022399LL;
// Seconds from the absolute epoch to 0001-01-01, negated: (zero year - 1) * 365.2425 days,
// a whole number of 400-year cycles. Then seconds from 0001-01-01 to 1970-01-01.
constexpr int64_t kAbsoluteToInternal = -9223371966579724800LL;
constexpr int64_t kUnixToInternal = 62135596800LL;
// Unix seconds -> absolute seconds (added modulo 2^64).
constexpr uint64_t kUnixToAbsolute =
    static_cast<uint64_t>(kUnixToInternal) + static_cast<uint64_t>(-kAbsoluteToInternal);

constexpr int32_t kDaysBefore[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

uint64_t UnixToAbs(int64_t unix_seconds) {
  return static_cast<uint64_t>(unix_seconds) + kUnixToAbsolute;
}

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int yday;   // 0-based
};

CivilDate AbsDate(uint64_t abs) {
  uint64_t d = abs / kSecondsPerDay;

  uint64_t n = d / kDaysPer400Years;
  uint64_t y = 400 * n;
  d -= kDaysPer400Years * n;

  // The last 100-year cycle of 400 has an extra leap day, making d / kDaysPer100Years 4 on
  // its final day; n >> 2 pulls that back to 3. The same trick applies to 4-year cycles.
  n = d / kDaysPer100Years;
  n -= n >> 2;
  y += 100 * n;
  d -= kDaysPer100Years * n;

  n = d / kDaysPer4Years;
  y += 4 * n;
  d -= kDaysPer4Years * n;

  n = d / 365;
  n -= n >> 2;
  y += n;
  d -= 365 * n;

  CivilDate out;
  out.year = static_cast<int64_t>(y) + kAbsoluteZeroYear;
  out.yday = static_cast<int>(d);

  int day = out.yday;
  if (IsLeap(out.year)) {
    if (day > 31 + 29 - 1) {
      day--;  // after the leap day: pretend it was not there
    } else if (day == 31 + 29 - 1) {
      out.month = 2;
      out.day = 29;
      return out;
    }
  }
  // Estimate assuming 31-day months; the estimate is at most one month low.
  int month = day / 31;
  const int end = kDaysBefore[month + 1];
  int begin;
  if (day >= end) {
    month++;
    begin = end;
  } else {
    begin = kDaysBefore[month];
  }
  out.month = month + 1;
  out.day = day - begin + 1;
  return out;
}

uint64_t DaysSinceEpoch(int64_t year) {
  uint64_t y = static_cast<uint64_t>(year) - static_cast<uint64_t>(kAbsoluteZeroYear);
  uint64_t n = y / 400;
  y -= 400 * n;
  uint64_t d = kDaysPer400Years * n;
  n = y / 100;
  y -= 100 * n;
  d += kDaysPer100Years * n;
  n = y / 4;
  y -= 4 * n;
  d += kDaysPer4Years * n;
  d += 365 * y;
  return d;
}

// Go computes days_in_month as 32 - Date(year, month, 32).Day(): day 32 rolls over into the
// next month, and how far it rolls over says how long this month is.
int DaysInMonth(const CivilDate& c) {
  uint64_t d = DaysSinceEpoch(c.year);
  d += static_cast<uint64_t>(kDaysBefore[c.month - 1]);
  if (IsLeap(c.year) && c.month >= 3) d++;
  d += 32 - 1;
  return 32 - AbsDate(d * kSecondsPerDay).day;
}

}  // namespace

std::optional<DateFn> DateFnFromName(std::string_view name) {
  if (name == "year") return DateFn::kYear;
  if (name == "month") return DateFn::kMonth;
  if (name == "day_of_month") return DateFn::kDayOfMonth;
  if (name == "day_of_week") return DateFn::kDayOfWeek;
  if (name == "day_of_year") return DateFn::kDayOfYear;
  if (name == "days_in_month") return DateFn::kDaysInMonth;
  if (name == "hour") return DateFn::kHour;
  if (name == "minute") return DateFn::kMinute;
  return std::nullopt;
}

int64_t GoFloatToInt64(double v) {
  // CVTTSD2SQ yields 0x8000000000000000 for NaN and anything outside [-2^63, 2^63).
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!(v >= -kTwo63 && v < kTwo63)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

double ApplyDateFunctionToSeconds(DateFn fn, int64_t unix_seconds) {
  const uint64_t abs = UnixToAbs(unix_seconds);
  switch (fn) {
    case DateFn::kYear:
      return static_cast<double>(AbsDate(abs).year);
    case DateFn::kMonth:
      return AbsDate(abs).month;
    case DateFn::kDayOfMonth:
      return AbsDate(abs).day;
    case DateFn::kDayOfWeek:
      // Day 0 of the absolute epoch is a Monday (weekday 1).
      return static_cast<double>(((abs + 1 * kSecondsPerDay) % kSecondsPerWeek) / kSecondsPerDay);
    case DateFn::kDayOfYear:
      return AbsDate(abs).yday + 1;
    case DateFn::kDaysInMonth:
      return DaysInMonth(AbsDate(abs));
    case DateFn::kHour:
      return static_cast<double>((abs % kSecondsPerDay) / kSecondsPerHour);
    case DateFn::kMinute:
      return static_cast<double>((abs % kSecondsPerHour) / kSecondsPerMinute);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double ApplyDateFunction(DateFn fn, double unix_seconds) {
  return ApplyDateFunctionToSeconds(fn, GoFloatToInt64(unix_seconds));
}

}  // namespace vigil::promql
