// Loki push API, protobuf encoding (`POST /loki/api/v1/push`, Content-Type
// application/x-protobuf; the body must already be snappy-decompressed):
//
//   PushRequest    { repeated StreamAdapter streams = 1; }
//   StreamAdapter  { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//   EntryAdapter   { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                    repeated LabelPairAdapter structuredMetadata = 3; }
//   LabelPairAdapter { string name = 1; string value = 2; }
//   Timestamp      { int64 seconds = 1; int32 nanos = 2; }
//
// Labels are parsed from their Prometheus selector text (loki_labels.h); streams, service_name,
// severity and trace context follow loki_stream.h. Unknown fields are skipped.
//
// Errors: broken framing of the request or of a stream (a length past the end, a wrong wire
// type for labels or entries) fails the request. Inside an entry, whose length is known,
// anything wrong — its own framing, a missing or out-of-range timestamp, invalid UTF-8, a bad
// trace id — refuses that entry alone: `stream {app="api"} entry 3: invalid UTF-8 in line`
// (entry numbers are 0-based positions in the stream). Unparsable labels refuse the stream's
// entries with one error.
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/loki_stream.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class LokiPushProtoDecoder {
 public:
  explicit LokiPushProtoDecoder(StreamLabelConfig config = {});
  LokiPushProtoDecoder(const LokiPushProtoDecoder&) = delete;
  LokiPushProtoDecoder& operator=(const LokiPushProtoDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  LogDecodeResult Decode(std::string_view body, LogBatch* batch);

 private:
  // False with *fatal on broken framing.
  bool DecodeStream(std::string_view pb, size_t index, LogBatch* batch, LogDecodeResult* result,
                    std::string* fatal);
  bool DecodeEntry(std::string_view pb, LogBatch* batch, std::string* error);

  StreamLabelConfig config_;
  StreamTable streams_;
  LokiStreamResolver resolver_;
  PendingEntry entry_;
  std::vector<Label> labels_;
  std::vector<LabelView> label_views_;
  std::string error_;
};

}  // namespace vigil
