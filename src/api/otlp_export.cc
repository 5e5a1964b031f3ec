#include "api/otlp_export.h"

#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/otlp/otlp_response.h"

namespace vigil {

bool IsOtlpJson(const HttpRequest& req) {
  std::string_view ct = req.Header("Content-Type").value_or("");
  return ct.starts_with("application/json");
}

void WriteOtlpHttpAnswer(HttpResponse& resp, bool json, std::string_view rejected_key,
                         const OtlpOutcome& outcome) {
  resp.set_content_type(json ? "application/json" : "application/x-protobuf");
  if (!outcome.status.ok()) {
    const bool unavailable = outcome.status.code() == absl::StatusCode::kUnavailable;
    // google.rpc.Status{code = 1, message = 2}: UNAVAILABLE (14) or INVALID_ARGUMENT (3).
    const int code = unavailable ? 14 : 3;
    std::string body;
    if (json) {
      JsonWriter w(&body);
      w.BeginObject().Key("code").Int(code).KV("message", ToStd(outcome.status.message()));
      w.EndObject();
    } else {
      proto::WireWriter pw(&body);
      pw.VarintField(1, static_cast<uint64_t>(code));
      pw.BytesField(2, ToStd(outcome.status.message()));
    }
    resp.set_status(unavailable ? 503 : 400);
    resp.set_body(std::move(body));
    return;
  }
  resp.set_status(200);
  resp.set_body(json ? OtlpExportResponseJson(rejected_key, outcome.rejected, outcome.message)
                     : EncodeOtlpExportResponse(outcome.rejected, outcome.message));
}

}  // namespace vigil
