// The value syntaxes LogQL borrows from Go libraries, reproduced so queries read and print as
// Loki reads and prints them:
// - durations: Prometheus' model.ParseDuration ("1h30m", "2d", "1y"), falling back to Go's
//   time.ParseDuration ("1.5s", "250us", "1µs", "-5m") — Loki tries them in that order;
// - byte sizes: go-humanize's ParseBytes ("20MB" = 20·10^6, "1.5KiB" = 1536, "5k", "3Gi").
// Durations are nanoseconds (Go's time.Duration), byte sizes bytes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::logql {

// Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?unit)+ with units ns us µs μs ms s m h, or
// "0". False on bad syntax or when the value does not fit in int64 nanoseconds.
bool ParseGoDuration(std::string_view s, int64_t* ns, std::string* error = nullptr);
// Loki's duration rule: Prometheus' syntax first, then Go's.
bool ParseLokiDuration(std::string_view s, int64_t* ns);
// Go's time.Duration.String(): "1h30m0s", "1.5s", "250ms", "1µs", "0s", "-5m0s".
std::string FormatGoDuration(int64_t ns);
// The shortest form ParseLokiDuration reads back to the same value: Prometheus' ("1h30m",
// "2d") when it is a non-negative whole number of milliseconds, else Go's.
std::string FormatDuration(int64_t ns);

// go-humanize's ParseBytes: a decimal number then an optional unit (b, k/kb, ki/kib, m/mb,
// mi/mib, ... up to e/eb/ei/eib, case-insensitive). False on bad syntax or overflow.
bool ParseHumanBytes(std::string_view s, uint64_t* bytes, std::string* error = nullptr);
// A form ParseHumanBytes reads back exactly: "20MB", "3KiB", or "1536B".
std::string FormatBytes(uint64_t bytes);

}  // namespace vigil::logql
