// Conversions LogQL applies to label values: Go's time.ParseDuration (duration label filters,
// `unwrap duration()`), go-humanize's ParseBytes (bytes label filters, `unwrap bytes()`), and
// Go's strconv.ParseFloat (numeric filters, plain `unwrap`). Loki compares with exactly these
// parsers, so matching their accepted syntax is what makes a query mean the same thing here.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "query/logql/syntax/units.h"

namespace vigil::logql::pipeline {

// Go's time.ParseDuration: a signed sequence of decimal numbers with optional fraction and a
// unit each ("300ms", "-1.5h", "2h45m"); units ns, us (µs, μs), ms, s, m, h; "0" alone needs
// no unit. Writes nanoseconds. On failure returns false and, when `error` is non-null,
// Go's message (`time: invalid duration "x"`).
using logql::ParseGoDuration;  // query/logql/syntax/units.h

// go-humanize's ParseBytes: a number (digits, '.', ',' as thousands separator) followed by
// an optional space and a case-insensitive unit: B, kB/KB/K, KiB/Ki, MB/M, MiB/Mi, ... up
// to EB/EiB ("20MB", "1.5 KiB", "42"). SI units are powers of 1000, IEC units of 1024.
using logql::ParseHumanBytes;

// Go's strconv.ParseFloat(s, 64) with Go's error text on failure.
bool ParseGoFloatValue(std::string_view s, double* v, std::string* error = nullptr);

}  // namespace vigil::logql::pipeline
