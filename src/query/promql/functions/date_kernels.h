// PromQL's date functions: year(), month(), day_of_month(), day_of_week(), day_of_year(),
// days_in_month(), hour(), minute() — in UTC, with Go's time package semantics.
//
// Contract:
//  * With an argument, Prometheus 2.42 converts each sample value with time.Unix(int64(v), 0):
//    the fraction is truncated towards zero, and values that do not fit an int64 (NaN, ±Inf,
//    |v| >= 2^63) become math.MinInt64 — what Go's conversion yields on amd64, the platform
//    of the official builds. ApplyDateFunction(fn, double) reproduces that.
//  * Without an argument the engine uses the evaluation time: pass eval_ms / 1000 (integer
//    division, truncating like Go) to ApplyDateFunctionToSeconds.
//  * Calendar arithmetic follows Go's (proleptic Gregorian, no leap seconds) including its
//    wrap-around for seconds far outside ±292 billion years, so results match for every
//    int64 input, not only plausible dates.
// Results are small integers returned as double: month 1–12, day_of_week 0 (Sunday)–6,
// day_of_year 1–366.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::promql {

enum class DateFn {
  kYear,
  kMonth,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kDaysInMonth,
  kHour,
  kMinute,
};

// "year", "month", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour",
// "minute"; nullopt for any other name.
std::optional<DateFn> DateFnFromName(std::string_view name);

double ApplyDateFunctionToSeconds(DateFn fn, int64_t unix_seconds);
double ApplyDateFunction(DateFn fn, double unix_seconds);

// Go's float64 -> int64 conversion as compiled for amd64 (truncation; MinInt64 when out of
// range or NaN).
int64_t GoFloatToInt64(double v);

}  // namespace vigil::promql
