// Elasticsearch `_bulk` ingestion, for shippers that speak it (Filebeat, Logstash, Fluent Bit,
// Vector): NDJSON pairs of an action line and a source document.
//
//  * `{"index":{...}}` and `{"create":{...}}` add the next line as a log entry, decoded like a
//    JSON line (json_record.h: `@timestamp`, `message`, ECS `log.level`, ...). The index name
//    (`_index`, else the default from the URL `/<index>/_bulk`) becomes the stream label
//    `index`. `_id` is echoed back (one is generated when absent) but not stored.
//  * `{"delete":{...}}` (no source line) and `{"update":{...}}` (one source line) are refused
//    per item with status 400: logs are append-only.
//  * Per-item failures (missing or invalid index, a document that does not decode) get status
//    400 and an ES-style error {type, reason}; the other items are kept, as ES does.
//  * A malformed action line breaks the pairing of what follows, so it fails the whole
//    request, as it does in ES (`result.decode.status`, `result.error_type`).
//
// WriteEsBulkResponse writes the `_bulk` response clients check item by item; WriteEsError-
// Response the error body for a refused request.
//
// Thread-safety: a decoder is used by one thread at a time; the writers are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_reader.h"
#include "ingest/logs/json_record.h"
#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

enum class EsBulkAction { kIndex, kCreate, kDelete, kUpdate };
std::string_view EsBulkActionName(EsBulkAction a);

struct EsBulkItem {
  EsBulkAction action = EsBulkAction::kIndex;
  std::string index;
  std::string id;
  int status = 201;        // 201 created, else an error status (400)
  std::string error_type;  // when status != 201: "document_parsing_exception", ...
  std::string error_reason;
};

struct EsBulkResult {
  LogDecodeResult decode;  // one entry per item; decode.status not OK: the request failed
  std::string error_type;  // ES error type when decode.status is not OK
  std::vector<EsBulkItem> items;
};

class EsBulkDecoder {
 public:
  static constexpr std::string_view kIndexLabel = "index";

  explicit EsBulkDecoder(StreamLabelConfig config = {});
  EsBulkDecoder(const EsBulkDecoder&) = delete;
  EsBulkDecoder& operator=(const EsBulkDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails). `default_index` is the index named in the URL, or "".
  EsBulkResult Decode(std::string_view body, std::string_view default_index,
                      int64_t receive_time_ns, LogBatch* batch);

 private:
  // Parses the action line; false when it is malformed (whole-request error set on `result`).
  bool ParseAction(size_t offset, size_t len, size_t line_no, EsBulkItem* item, EsBulkResult* r);
  // Decodes a source document into the batch; false with an ES reason when it fails.
  bool DecodeSource(size_t offset, size_t len, const EsBulkItem& item, int64_t receive_time_ns,
                    LogBatch* batch, std::string* reason);
  std::string NextId();

  StreamLabelConfig config_;
  ondemand::parser parser_;
  JsonBody json_;
  JsonReader reader_;
  NameTable names_;
  StreamTable streams_;
  JsonRecordDecoder record_;
  PendingEntry entry_;
  std::vector<LabelView> labels_;
  std::string error_;
  uint64_t id_seed_;
  uint64_t id_counter_ = 0;
};

// ES's index name rules: lowercase, no \ / * ? " < > | , # : or space, not starting with
// _ - +, not "." or "..", at most 255 bytes. Returns "" when valid, else ES's reason.
std::string EsIndexNameError(std::string_view name);

// The `_bulk` response: {"took":..,"errors":..,"items":[{"index":{"_index":..,"_id":..,...}}]}.
void WriteEsBulkResponse(const EsBulkResult& result, int64_t took_ms, std::string* out);
// ES's error body: {"error":{"root_cause":[{"type":..,"reason":..}],"type":..,"reason":..},
// "status":..}.
void WriteEsErrorResponse(int status, std::string_view type, std::string_view reason,
                          std::string* out);

}  // namespace vigil
