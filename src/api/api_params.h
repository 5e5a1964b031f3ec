// Parsing of the request parameters the Prometheus API shares: times (RFC 3339 or Unix
// seconds), match[] selectors, limits. Errors name the parameter, in Prometheus' words.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "http/request.h"
#include "storage/matcher.h"

namespace vigil {

// The API's open-ended range when start/end are absent.
inline constexpr int64_t kApiMinTime = INT64_MIN / 2;
inline constexpr int64_t kApiMaxTime = INT64_MAX / 2;

absl::StatusOr<int64_t> TimeParam(const HttpRequest& req, std::string_view name, int64_t fallback);
// Every match[] value parsed; `required` gives Prometheus' "no match[] parameter provided".
absl::StatusOr<std::vector<Matchers>> MatchParams(const HttpRequest& req, bool required);
absl::StatusOr<uint64_t> LimitParam(const HttpRequest& req, std::string_view name);

}  // namespace vigil
