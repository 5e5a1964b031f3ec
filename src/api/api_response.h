// The Prometheus HTTP API envelope: `{"status":"success","data":…}` and
// `{"status":"error","errorType":"bad_data","error":"…"}`, and the one table that maps
// absl status codes to HTTP statuses and Prometheus error types.
//
// Thread-safety: stateless functions.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/json_writer.h"
#include "http/response.h"

namespace vigil {

struct ApiErrorKind {
  int http_status;
  std::string_view error_type;
};
ApiErrorKind ErrorKindOf(absl::StatusCode code);

void WriteApiError(HttpResponse& resp, const absl::Status& status);
// Writes the success envelope; `data` writes exactly one JSON value.
void WriteApiData(HttpResponse& resp, const std::function<void(JsonWriter&)>& data,
                  const std::vector<std::string>& warnings = {});

}  // namespace vigil
