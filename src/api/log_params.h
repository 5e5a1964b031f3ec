// Request parameters of the log APIs (Loki's and vigil's structured search): times as Loki
// reads them, stream selectors, directions.
//
// Times: a Unix timestamp in nanoseconds (more than 10 digits), in seconds (up to 10 digits,
// or with a fraction), or RFC 3339. Errors name the parameter.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "http/request.h"
#include "storage/matcher.h"

namespace vigil {

absl::StatusOr<int64_t> ParseLogTime(std::string_view value);
// The parameter `name` as a time in ns, or `fallback` when absent or empty.
absl::StatusOr<int64_t> LogTimeParam(const HttpRequest& req, std::string_view name,
                                     int64_t fallback);
// A duration parameter ("5m", "30s", or a number of seconds) in ns; `fallback` when absent.
absl::StatusOr<int64_t> LogDurationParam(const HttpRequest& req, std::string_view name,
                                         int64_t fallback);
// A stream selector `{name="value", …}`, refusing one that could match every stream.
absl::StatusOr<Matchers> ParseStreamSelector(std::string_view text);

}  // namespace vigil
