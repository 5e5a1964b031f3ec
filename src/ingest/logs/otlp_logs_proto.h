// OTLP logs, binary protobuf (OTLP/HTTP `POST /v1/logs` with application/x-protobuf, and the
// gRPC LogsService/Export payload):
//
//   ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
//   ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3;
//   } Resource     { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
//   ScopeLogs    { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; ... }
//   InstrumentationScope { string name = 1; string version = 2; ... }
//   LogRecord    { fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11;
//                  SeverityNumber severity_number = 2; string severity_text = 3;
//                  AnyValue body = 5; repeated KeyValue attributes = 6;
//                  uint32 dropped_attributes_count = 7; fixed32 flags = 8;
//                  bytes trace_id = 9; bytes span_id = 10; string event_name = 12; }
//   KeyValue     { string key = 1; AnyValue value = 2; }
//   AnyValue     { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
//                  double double_value = 4; ArrayValue array_value = 5;
//                  KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
//   ArrayValue { repeated AnyValue values = 1; }  KeyValueList { repeated KeyValue values = 1; }
//
// Mapping: stream labels and resource fields per otlp_common.h; the timestamp is
// time_unix_nano, else observed_time_unix_nano, else the receive time; a string body as is,
// any other body as JSON text; record attributes become fields (names sanitized; values as
// text), plus `scope_name` and `event_name` when present. trace_id / span_id must be 16 / 8
// bytes (all zero = absent). Unknown fields are skipped.
//
// Errors: broken framing of the request, a ResourceLogs or a ScopeLogs fails the request.
// Anything wrong inside a LogRecord (its framing, a wrong wire type, invalid UTF-8, a bad id,
// an out-of-range time) refuses that record alone:
// `resource_logs[0].scope_logs[1].log_records[4]: invalid trace_id: 5 bytes, expected 16`.
// A resource whose attributes are invalid (or a scope whose name is) refuses its records with
// one error.
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/otlp_logs_common.h"
#include "ingest/otlp/otlp_proto_envelope.h"
#include "ingest/otlp/otlp_proto_values.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class OtlpLogsProtoDecoder {
 public:
  explicit OtlpLogsProtoDecoder(StreamLabelConfig config = {});
  OtlpLogsProtoDecoder(const OtlpLogsProtoDecoder&) = delete;
  OtlpLogsProtoDecoder& operator=(const OtlpLogsProtoDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  LogDecodeResult Decode(std::string_view body, int64_t receive_time_ns, LogBatch* batch);

 private:
  struct Context;
  struct Visitor;
  bool DecodeLogRecord(std::string_view pb, Context& ctx, std::string* error);

  StreamLabelConfig config_;
  StreamTable streams_;
  NameTable names_;
  OtlpProtoValues values_;
  OtlpProtoEnvelope envelope_;
  LogBatch* batch_ = nullptr;
  PendingEntry entry_;
  std::vector<std::string_view> attr_bytes_;  // a record's KeyValue messages
  std::vector<LabelView> labels_;
  std::vector<LogFieldView> resource_fields_;
};

}  // namespace vigil
