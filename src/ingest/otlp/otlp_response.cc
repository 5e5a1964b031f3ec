#include "ingest/otlp/otlp_response.h"

#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"

namespace vigil {

std::string EncodeOtlpExportResponse(int64_t rejected, std::string_view error_message) {
  std::string out;
  if (rejected == 0 && error_message.empty()) return out;
  std::string partial;
  proto::WireWriter p(&partial);
  if (rejected != 0) p.VarintField(1, static_cast<uint64_t>(rejected));
  if (!error_message.empty()) p.BytesField(2, error_message);
  proto::WireWriter(&out).BytesField(1, partial);
  return out;
}

std::string OtlpExportResponseJson(std::string_view rejected_key, int64_t rejected,
                                   std::string_view error_message) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  if (rejected != 0 || !error_message.empty()) {
    w.Key("partialSuccess").BeginObject();
    if (rejected != 0) w.KV(rejected_key, StrCat(rejected));
    if (!error_message.empty()) w.KV("errorMessage", error_message);
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace vigil
