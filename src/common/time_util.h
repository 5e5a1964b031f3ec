// Time in vigil: metric samples use int64 milliseconds since the Unix epoch, logs and spans
// int64 nanoseconds. Parsing follows the Prometheus HTTP API: RFC 3339 or Unix seconds
// (with fraction) for instants, and Prometheus duration strings ("1h30m", "5m", "250ms").
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil {

int64_t NowMs();
int64_t NowNs();
// Monotonic clock for measuring durations.
int64_t MonotonicNs();
// CPU time of the whole process (every thread), for benchmarks' per-item costs.
int64_t ProcessCpuNs();

// The window of width `width` (> 0) that `t` falls in, counting from the epoch: the floor of
// t / width, also for times before it (C++ division truncates toward zero).
inline int64_t WindowOf(int64_t t, int64_t width) {
  return t / width - (t % width < 0 ? 1 : 0);
}

// "1h30m", "5m", "10s", "250ms", "2d", "1w", "1y"; units must descend and not repeat.
absl::StatusOr<int64_t> ParseDurationMs(std::string_view s);
// Prometheus API durations also accept a plain float number of seconds ("15", "0.5").
absl::StatusOr<int64_t> ParseApiDurationMs(std::string_view s);
// RFC 3339 ("2026-11-21T06:31:53.123Z") or Unix seconds ("1700000000.123").
absl::StatusOr<int64_t> ParseTimestampMs(std::string_view s);
// Formats milliseconds as a Prometheus duration ("1h30m", "0s").
std::string FormatDurationMs(int64_t ms);
// RFC 3339 in UTC with as many fraction digits as needed ("2026-11-21T06:31:53.123456789Z").
std::string FormatRfc3339Nano(int64_t ns);

}  // namespace vigil
