// Timestamps of log entries as clients write them, to int64 nanoseconds since the Unix epoch.
//
//  * RFC 3339: `2024-05-01T12:00:00.123456789Z`, `...+02:00`. Lenient where loggers are: the
//    separator may be 'T', 't' or ' '; the fraction may follow ',' (Python's logging); up to 9
//    fraction digits are kept (more are truncated); a missing zone means UTC; `+0200` works.
//  * Unix time as decimal text (a JSON number or a string of digits), with the unit decided by
//    the magnitude of the integer part, so that each unit covers the years since 1973:
//      |v| < 1e11 seconds, < 1e14 milliseconds, < 1e17 microseconds, otherwise nanoseconds.
//    A fraction is kept down to the nanosecond (1700000000.123456 s is exact). Exponent forms
//    (1.7e9) go through a double and may lose sub-microsecond precision.
//
// Values outside int64 nanoseconds (before 1677 or after 2262) are errors. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

bool ParseRfc3339Nanos(std::string_view s, int64_t* ns);
// `s` must be a JSON-style number (IsJsonNumber).
bool ParseUnixTimeAutoUnit(std::string_view s, int64_t* ns);

// A timestamp given as a JSON string (`is_number` false: Unix digits or RFC 3339) or as the
// text of a JSON number. On failure returns false with a specific *error.
bool ParseLogTimestamp(std::string_view text, bool is_number, int64_t* ns, std::string* error);

}  // namespace vigil
