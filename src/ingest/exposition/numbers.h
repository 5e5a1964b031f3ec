// Number syntax of the text expositions, matching what Prometheus (Go's strconv) accepts, so
// a body Prometheus scrapes is one vigil ingests and the reverse.
//
// Thread-safety: free functions without state.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/go_float.h"  // the sample-value syntax

namespace vigil {

// A text-format 0.0.4 timestamp: a base-10 int64 of milliseconds with an optional sign.
bool ParseTimestampMs(std::string_view s, int64_t* out);

// An OpenMetrics timestamp: float seconds, converted to milliseconds truncating toward zero
// as Prometheus does. NaN, infinities and values outside the int64 millisecond range fail.
bool ParseTimestampSeconds(std::string_view s, int64_t* out_ms);

}  // namespace vigil
