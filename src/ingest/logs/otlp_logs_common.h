// What the OTLP logs decoders (protobuf and JSON) share: resource attributes to stream labels
// and fields, and severity.
//
// Resource mapping: attributes named in config.otlp_resource_labels become labels (names
// sanitized: `k8s.namespace.name` -> `k8s_namespace_name`); the others become fields of every
// record of the resource (names sanitized). service_name is `service.name`; without it, the
// first label or field named in config.service_name_sources; else unknown_service.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/logs/stream_labels.h"
#include "ingest/otlp/otlp_values.h"
#include "storage/log_record.h"

namespace vigil {

// Stream labels (service_name included) and per-record fields of a resource.
void MapOtlpResource(const StreamLabelConfig& config, NameTable& names,
                     std::span<const OtlpAttribute> attributes, std::vector<LabelView>* labels,
                     std::vector<LogFieldView>* fields);

// severity_number when it is a defined level (1..24), else ParseSeverity(severity_text).
SeverityNumber OtlpSeverity(uint64_t number, std::string_view text);
// SEVERITY_NUMBER_INFO2 -> 10; -1 for an unknown name.
int OtlpSeverityFromName(std::string_view name);


}  // namespace vigil
