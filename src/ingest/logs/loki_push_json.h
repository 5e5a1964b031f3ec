// Loki push API, JSON encoding (`POST /loki/api/v1/push`, Content-Type application/json):
//
//   {"streams":[{"stream":{"app":"api"},
//                "values":[["<unix ns as a string>","line"],
//                          ["<unix ns>","line",{"trace_id":"..","user":"42"}]]}]}
//
// The optional third element of an entry is structured metadata: string pairs that become
// fields (trace_id / span_id become the trace context; see loki_stream.h for labels,
// service_name and severity). As in Loki, the timestamp must be a JSON string of an integer
// (a JSON number is refused with a message saying so) and every label, line and metadata
// value a string.
//
// Errors: a body that is not JSON, or whose structure is wrong above the entries ("streams" or
// "values" not arrays, a stream not an object) fails the request. A stream whose labels are
// invalid refuses all its entries with one error; a bad entry is refused alone:
// `stream {app="api"} entry 3: invalid UTF-8 in line` (entry numbers are 0-based positions in
// "values").
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_reader.h"
#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/loki_stream.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class LokiPushJsonDecoder {
 public:
  explicit LokiPushJsonDecoder(StreamLabelConfig config = {});
  LokiPushJsonDecoder(const LokiPushJsonDecoder&) = delete;
  LokiPushJsonDecoder& operator=(const LokiPushJsonDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  LogDecodeResult Decode(std::string_view body, LogBatch* batch);

 private:
  enum class Step { kOk, kRefused, kMalformed };
  // One element of "streams". kMalformed: *fatal says why.
  Step DecodeStream(ondemand::value& stream, size_t index, LogBatch* batch, LogDecodeResult* result,
                    std::string* fatal);
  // One element of "values" into entry_.
  Step DecodeEntry(ondemand::value& v, LogBatch* batch, std::string* error);

  StreamLabelConfig config_;
  ondemand::parser parser_;
  JsonBody json_;
  JsonReader reader_;
  StreamTable streams_;
  LokiStreamResolver resolver_;
  PendingEntry entry_;
  std::vector<LabelView> labels_;
  std::string error_;
};

}  // namespace vigil
