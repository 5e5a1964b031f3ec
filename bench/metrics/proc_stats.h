// What the benchmark reads about a server process from /proc (Linux): CPU time spent so far
// (user + system, all threads) and resident memory, current and peak.
//
// Thread-safety: a stateless function.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::bench {

struct ProcessStats {
  int64_t cpu_us = 0;     // utime + stime of /proc/<pid>/stat, clock-tick resolution
  int64_t rss_bytes = 0;  // VmRSS of /proc/<pid>/status
  int64_t hwm_bytes = 0;  // VmHWM: the peak resident set since the process started
};

// NotFound when the process is gone; InvalidArgument when /proc looks unexpected.
absl::StatusOr<ProcessStats> ReadProcessStats(int pid);

// Parses the text of /proc/<pid>/stat and /proc/<pid>/status (split out for tests).
absl::StatusOr<ProcessStats> ParseProcessStats(std::string_view stat, std::string_view status,
                                               int64_t ticks_per_second);

}  // namespace vigil::bench
