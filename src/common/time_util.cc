#include "common/time_util.h"

#include <time.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "common/strings.h"
#include "absl/time/time.h"

namespace vigil {

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t NowNs() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t MonotonicNs() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t ProcessCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

absl::StatusOr<int64_t> ParseDurationMs(std::string_view s) {
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  // Largest first: a duration's units must strictly descend through this table.
  static constexpr Unit kUnits[] = {{"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000},
                                    {"d", 24LL * 3600 * 1000},       {"h", 3600LL * 1000},
                                    {"m", 60LL * 1000},              {"s", 1000},
                                    {"ms", 1}};
  constexpr int kMs = 6;
  auto bad = [&] {
    return absl::InvalidArgumentError(StrCat("not a valid duration string: \"", s, "\""));
  };
  if (s.empty()) return bad();
  if (s == "0") return 0;
  int64_t total = 0;
  size_t i = 0;
  int last_unit = -1;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    int64_t n = 0;
    if (i == start || !ParseInt64(s.substr(start, i - start), &n)) return bad();
    int unit = -1;
    if (s.substr(i, 2) == "ms") {
      unit = kMs;
    } else {
      for (int u = 0; u < kMs; ++u) {
        if (s.substr(i, 1) == kUnits[u].name) unit = u;
      }
    }
    if (unit <= last_unit) return bad();
    last_unit = unit;
    if (n > (std::numeric_limits<int64_t>::max() - total) / kUnits[unit].ms) return bad();
    total += n * kUnits[unit].ms;
    i += kUnits[unit].name.size();
  }
  return total;
}

absl::StatusOr<int64_t> ParseApiDurationMs(std::string_view s) {
  double secs;
  if (ParseDouble(s, &secs)) {
    if (!std::isfinite(secs) || std::abs(secs) > 9.2e15) {
      return absl::InvalidArgumentError(
          StrCat("cannot parse \"", s, "\" to a valid duration. It overflows int64"));
    }
    return static_cast<int64_t>(std::llround(secs * 1000));
  }
  auto d = ParseDurationMs(s);
  if (!d.ok()) {
    return absl::InvalidArgumentError(StrCat("cannot parse \"", s, "\" to a valid duration"));
  }
  return d;
}

absl::StatusOr<int64_t> ParseTimestampMs(std::string_view s) {
  double secs;
  if (ParseDouble(s, &secs)) {
    if (!std::isfinite(secs) || std::abs(secs) > 9.2e15) {
      return absl::InvalidArgumentError(StrCat("cannot parse \"", s, "\" to a valid timestamp"));
    }
    return static_cast<int64_t>(std::llround(secs * 1000));
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, std::string(s), &t, &err)) {
    return absl::ToUnixMillis(t);
  }
  return absl::InvalidArgumentError(StrCat("cannot parse \"", s, "\" to a valid timestamp"));
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  struct Unit {
    const char* name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000},
                                    {"d", 24LL * 3600 * 1000},       {"h", 3600LL * 1000},
                                    {"m", 60LL * 1000},              {"s", 1000},
                                    {"ms", 1}};
  for (const auto& u : kUnits) {
    if (ms >= u.ms) {
      StrAppend(&out, ms / u.ms, u.name);
      ms %= u.ms;
    }
  }
  return out;
}

std::string FormatRfc3339Nano(int64_t ns) {
  absl::Time t = absl::FromUnixNanos(ns);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

}  // namespace vigil
