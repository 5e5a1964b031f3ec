// JSON lines ingestion (`POST /api/v1/logs/ingest`): newline-delimited JSON objects, one log
// entry each, decoded by the rules of json_record.h.
//
// Lines are split on '\n' (a trailing '\r' is ignored); blank lines are skipped and not
// counted. A line that is not a JSON object, is malformed, or breaks a rule is refused alone
// with its 1-based line number (`line 7: invalid timestamp "yesterday": ...`); the other lines
// are kept. Only a body that is not UTF-8 beyond repair fails the whole request.
//
// Thread-safety: a decoder is used by one thread at a time (it owns the simdjson parser and
// scratch buffers, reused across requests).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/json/json_reader.h"
#include "ingest/logs/json_record.h"
#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class JsonLinesDecoder {
 public:
  explicit JsonLinesDecoder(StreamLabelConfig config = {});
  JsonLinesDecoder(const JsonLinesDecoder&) = delete;
  JsonLinesDecoder& operator=(const JsonLinesDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty). Entries without
  // a timestamp get `receive_time_ns`.
  LogDecodeResult Decode(std::string_view body, int64_t receive_time_ns, LogBatch* batch);

 private:
  StreamLabelConfig config_;
  JsonBody json_;
  JsonReader reader_;
  NameTable names_;
  StreamTable streams_;
  JsonRecordDecoder record_;
  PendingEntry entry_;
  std::vector<LabelView> labels_;
  std::string error_;
};

}  // namespace vigil
