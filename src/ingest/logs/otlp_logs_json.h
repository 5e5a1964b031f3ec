// OTLP logs in the OTLP/JSON encoding (OTLP/HTTP `POST /v1/logs`, application/json): the
// protobuf JSON mapping of the messages in otlp_logs_proto.h, with OTLP's rules — keys in
// lowerCamelCase (`resourceLogs`, `timeUnixNano`), 64-bit integers as decimal strings or
// numbers, `traceId` / `spanId` as hex strings (any case), enums as integers. Receivers are
// lenient where senders vary: the original snake_case names (`resource_logs`) are accepted
// too, enums may also be given by name (`SEVERITY_NUMBER_WARN`), doubles as "NaN" /
// "Infinity", nulls mean absent, unknown fields are ignored.
//
// The mapping to log entries is the protobuf decoder's (see otlp_logs_proto.h and
// otlp_common.h). Errors: malformed JSON, or a wrong type above the records (resourceLogs,
// scopeLogs, logRecords not arrays, their elements not objects) fails the request; a record
// with a wrong type, a bad id, invalid UTF-8 or a bad time is refused alone
// (`resourceLogs[0].scopeLogs[0].logRecords[2]: invalid traceId "xyz": not a hex string`); a
// resource with bad attributes (or a scope with a bad name) refuses its records.
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_reader.h"
#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/otlp_logs_common.h"
#include "ingest/otlp/otlp_json_envelope.h"
#include "ingest/otlp/otlp_json_values.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class OtlpLogsJsonDecoder {
 public:
  explicit OtlpLogsJsonDecoder(StreamLabelConfig config = {});
  OtlpLogsJsonDecoder(const OtlpLogsJsonDecoder&) = delete;
  OtlpLogsJsonDecoder& operator=(const OtlpLogsJsonDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  LogDecodeResult Decode(std::string_view body, int64_t receive_time_ns, LogBatch* batch);

 private:
  using Step = JsonStep;
  struct Context;
  struct Visitor;

  Step DecodeLogRecord(ondemand::value& v, Context& ctx, std::string* error);
  // Maps a failed read to a step and message.
  Step ReadFailure(JsonRead r, std::string_view what, std::string_view expected,
                   std::string* error);

  StreamLabelConfig config_;
  ondemand::parser parser_;
  JsonBody json_;
  JsonReader reader_;
  OtlpJsonValues values_;
  OtlpJsonEnvelope envelope_;
  StreamTable streams_;
  NameTable names_;
  LogBatch* batch_ = nullptr;
  PendingEntry entry_;
  std::vector<OtlpAttribute> record_attrs_;
  std::vector<LabelView> labels_;
  std::vector<LogFieldView> resource_fields_;
  std::string error_;
};

}  // namespace vigil
