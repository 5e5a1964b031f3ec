// What the two Loki push decoders (JSON and protobuf) share once a stream's labels and an
// entry's structured metadata are read: the stream an entry goes to and its severity.
//
//  * The client's labels are kept as sent (empty values dropped, as Prometheus treats them as
//    absent) plus service_name: the first of config.service_name_sources among the labels,
//    else among the entry's structured metadata, else unknown_service.
//  * Severity: structured metadata `level` or `severity`, else the stream label `level` or
//    `severity`, read with ParseSeverity; the text is kept as severity_text.
//  * Structured metadata `trace_id` / `traceId` / `traceID` and `span_id` / `spanId` are the
//    entry's trace context (hex, validated), not fields.
//
// Thread-safety: per-decoder scratch, one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class LokiStreamResolver {
 public:
  LokiStreamResolver(const StreamLabelConfig* config, StreamTable* streams)
      : config_(config), streams_(streams) {}

  // Takes the labels of the next stream (views must stay valid until the next SetLabels; what
  // entries keep of them is copied into `batch`). Returns false with *error when the label set
  // is invalid; its entries are then refused.
  bool SetLabels(std::span<const LabelView> labels, LogBatch* batch, std::string* error);
  // The labels as set, for messages: `{app="api"}`.
  std::string LabelsForError() const { return FormatLabelsForError(labels_); }

  // Adds a structured metadata pair to the entry, taking the trace context out. False with
  // *error when an id is invalid.
  bool AddMetadata(std::string_view name, std::string_view value, LogBatch* batch,
                   PendingEntry* entry, std::string* error);
  // Applies the severity and finds the entry's stream. False with *error when the label set
  // with service_name from the metadata is invalid.
  bool Resolve(PendingEntry* entry, uint32_t* stream, std::string* error);

 private:
  const StreamLabelConfig* config_;
  StreamTable* streams_;
  std::vector<LabelView> labels_;
  std::vector<LabelView> scratch_;
  bool service_from_labels_ = false;
  std::optional<uint32_t> stream_;  // the stream when service_name needs no metadata
  std::string_view label_level_;
};

}  // namespace vigil
