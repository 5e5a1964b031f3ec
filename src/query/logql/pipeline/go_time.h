// Go's reference-time layouts ("2006-01-02T15:04:05.000Z07:00"), for the template functions
// `date`, `toDate`, `toDateInZone` and for printing a time.Time. Supported elements: the
// year (2006, 06), month (January, Jan, 1, 01), weekday (Monday, Mon), day (2, _2, 02),
// day of year (__2, 002), hour (15, 3, 03), minute (4, 04), second (5, 05), fractional
// seconds (.000/.999 and the ',' forms), AM/PM (PM, pm) and zones (MST, Z07:00 and the other
// Z/-07 forms). Everything else is literal text, as in Go.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace vigil::logql::pipeline {

// Appends `t`, seen in `tz`, formatted by `layout` (Go's Time.Format).
void FormatGoTime(absl::Time t, const absl::TimeZone& tz, std::string_view layout,
                  std::string* out);

// Go's time.ParseInLocation: parses `value` by `layout`; a value without a zone is read in
// `tz`. On failure returns false with Go's message in *error.
bool ParseGoTime(std::string_view layout, std::string_view value, const absl::TimeZone& tz,
                 absl::Time* out, std::string* error);

}  // namespace vigil::logql::pipeline
