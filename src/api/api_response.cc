#include "api/api_response.h"

namespace vigil {

ApiErrorKind ErrorKindOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      return {400, "bad_data"};
    case absl::StatusCode::kNotFound: return {404, "not_found"};
    case absl::StatusCode::kResourceExhausted: return {422, "execution"};
    // Query evaluation failures (many-to-many matching, duplicate series …).
    case absl::StatusCode::kAborted: return {422, "execution"};
    case absl::StatusCode::kPermissionDenied: return {403, "bad_data"};
    case absl::StatusCode::kDeadlineExceeded: return {503, "timeout"};
    case absl::StatusCode::kCancelled: return {499, "canceled"};
    case absl::StatusCode::kUnavailable: return {503, "unavailable"};
    case absl::StatusCode::kUnimplemented: return {501, "unimplemented"};
    default: return {500, "internal"};
  }
}

void WriteApiError(HttpResponse& resp, const absl::Status& status) {
  ApiErrorKind kind = ErrorKindOf(status.code());
  resp.SetError(kind.http_status, kind.error_type,
                std::string_view(status.message().data(), status.message().size()));
}

void WriteApiData(HttpResponse& resp, const std::function<void(JsonWriter&)>& data,
                  const std::vector<std::string>& warnings) {
  std::string body;
  body.reserve(256);
  JsonWriter w(&body);
  w.BeginObject().KV("status", "success").Key("data");
  data(w);
  if (!warnings.empty()) {
    w.Key("warnings").BeginArray();
    for (const auto& warning : warnings) w.String(warning);
    w.EndArray();
  }
  w.EndObject();
  resp.SetJson(200, std::move(body));
}

}  // namespace vigil
