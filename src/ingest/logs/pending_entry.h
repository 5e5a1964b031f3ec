// One log entry being decoded, before it is appended to a LogBatch, and the per-entry rules
// every decoder shares: trace context ids, severity from level text, limits, and field-name
// uniqueness.
//
// Ids: trace_id / span_id are stored as lowercase hex (32 / 16 digits). Protobuf input gives
// raw bytes (16 / 8; all zero = absent); JSON input gives hex strings (any case, normalised).
// Anything else is an entry error with a specific message.
//
// Thread-safety: PendingEntry is per-decoder scratch; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/logs/stream_labels.h"
#include "ingest/otlp/otlp_ids.h"
#include "storage/log_record.h"

namespace vigil {

struct PendingEntry {
  int64_t timestamp_ns = 0;
  SeverityNumber severity = kSeverityUnspecified;
  std::string_view severity_text, body, trace_id, span_id;
  std::vector<LogFieldView> fields;

  void Clear();
};

// Checks the entry against the configured limits (body bytes, field count), makes field names
// unique (a repeated name keeps its first position and its last value) and appends the entry
// to `stream` of the batch. Returns false with *error set when a limit is exceeded.
bool CommitEntry(const StreamLabelConfig& config, uint32_t stream, PendingEntry* entry,
                 LogBatch* batch, std::string* error);


// Severity from a level text (ParseSeverity's spellings), or from pino/bunyan's numeric levels
// (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal) when `numeric` is true.
SeverityNumber SeverityFromLevel(std::string_view text, bool numeric);

}  // namespace vigil
