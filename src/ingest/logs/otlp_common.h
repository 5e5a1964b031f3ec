// What the OTLP logs decoders (protobuf and JSON) share: resource attributes to stream labels
// and fields, severity, the text form of AnyValue scalars, and the export response.
//
// Resource mapping: attributes named in config.otlp_resource_labels become labels (names
// sanitized: `k8s.namespace.name` -> `k8s_namespace_name`); the others become fields of every
// record of the resource (names sanitized). service_name is `service.name`; without it, the
// first label or field named in config.service_name_sources; else unknown_service.
//
// Values as text: strings as they are; booleans `true`/`false`; integers in decimal; doubles
// in shortest round-trip form (`NaN`, `Infinity`, `-Infinity` as protobuf's JSON spells them);
// bytes in base64; arrays and key-value lists as compact JSON (`["a",1]`, `{"k":true}`).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/logs/stream_labels.h"
#include "storage/log_record.h"

namespace vigil {

// AnyValue nesting (arrays in maps in arrays ...) deeper than this refuses the value: the
// decoders recurse, and hostile input must not exhaust the stack.
inline constexpr int kMaxAnyValueDepth = 32;

struct OtlpAttribute {
  std::string_view key;    // as sent
  std::string_view value;  // as text
};

// Stream labels (service_name included) and per-record fields of a resource.
void MapOtlpResource(const StreamLabelConfig& config, NameTable& names,
                     std::span<const OtlpAttribute> attributes, std::vector<LabelView>* labels,
                     std::vector<LogFieldView>* fields);

// severity_number when it is a defined level (1..24), else ParseSeverity(severity_text).
SeverityNumber OtlpSeverity(uint64_t number, std::string_view text);
// SEVERITY_NUMBER_INFO2 -> 10; -1 for an unknown name.
int OtlpSeverityFromName(std::string_view name);

// Text forms (see the file comment). `json` quotes the non-finite doubles as JSON strings.
void AppendOtlpDouble(double v, bool json, std::string* out);
void AppendBase64(std::string_view bytes, std::string* out);

// ExportLogsServiceResponse{partial_success = 1 ExportLogsPartialSuccess{
// rejected_log_records = 1, error_message = 2}}. Full success (nothing rejected, no message)
// is the empty message, as the OTLP specification requires.
std::string EncodeOtlpLogsResponse(int64_t rejected, std::string_view error_message);
// The same in OTLP/JSON: {} or {"partialSuccess":{"rejectedLogRecords":"3","errorMessage":".."}}.
std::string OtlpLogsResponseJson(int64_t rejected, std::string_view error_message);

}  // namespace vigil
