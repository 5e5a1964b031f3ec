// Number syntax of the text expositions, matching what Prometheus (Go's strconv) accepts, so
// a body Prometheus scrapes is one vigil ingests and the reverse.
//
// Thread-safety: free functions without state.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil {

// Go's strconv.ParseFloat(s, 64): decimal and hexadecimal (`0x1.8p3`, exponent required)
// literals, `_` between digits, an optional sign, and case-insensitive "Inf", "Infinity"
// (signed or not) and "NaN" (unsigned only). Values too large for a double are refused as Go
// refuses them (ErrRange); values too small round to zero as in Go. NaN comes back as the
// ordinary quiet NaN, never as Prometheus' staleness marker.
bool ParseGoFloat(std::string_view s, double* out);

// A text-format 0.0.4 timestamp: a base-10 int64 of milliseconds with an optional sign.
bool ParseTimestampMs(std::string_view s, int64_t* out);

// An OpenMetrics timestamp: float seconds, converted to milliseconds truncating toward zero
// as Prometheus does. NaN, infinities and values outside the int64 millisecond range fail.
bool ParseTimestampSeconds(std::string_view s, int64_t* out_ms);

}  // namespace vigil
