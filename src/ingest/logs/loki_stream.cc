#include "ingest/logs/loki_stream.h"

namespace vigil {
namespace {

bool IsTraceName(std::string_view n) { return n == "trace_id" || n == "traceId" || n == "traceID"; }
bool IsSpanName(std::string_view n) { return n == "span_id" || n == "spanId"; }

}  // namespace

bool LokiStreamResolver::SetLabels(std::span<const LabelView> labels, LogBatch* batch,
                                   std::string* error) {
  labels_.clear();
  stream_.reset();
  label_level_ = {};
  for (const LabelView& l : labels) {
    if (!l.value.empty()) labels_.push_back(l);
  }
  for (std::string_view name : {"level", "severity"}) {
    for (const LabelView& l : labels_) {
      if (label_level_.empty() && l.name == name) label_level_ = l.value;
    }
  }
  // Entries point at it as their severity_text, and the labels' storage is the caller's.
  label_level_ = batch->Copy(label_level_);
  int from_field;
  std::string_view service = FindServiceName(*config_, labels_, {}, &from_field);
  service_from_labels_ = !service.empty();
  if (!service_from_labels_) service = kUnknownService;
  // The stream used whenever the metadata does not name the service (always, when the labels
  // do): validated now so a bad label set refuses every entry of the stream.
  scratch_ = labels_;
  bool has_label = false;
  for (const LabelView& l : labels_) has_label |= l.name == kServiceNameLabel;
  if (has_label) service_from_labels_ = true;  // whatever the sources say, it is set
  if (!has_label) scratch_.push_back({kServiceNameLabel, service});
  absl::StatusOr<uint32_t> s = streams_->Intern(&scratch_);
  if (!s.ok()) {
    *error = std::string(s.status().message());
    return false;
  }
  stream_ = *s;
  return true;
}

bool LokiStreamResolver::AddMetadata(std::string_view name, std::string_view value, LogBatch* batch,
                                     PendingEntry* entry, std::string* error) {
  if (IsTraceName(name))
    return NormalizeHexId(IdKind::kTrace, value, batch->arena(), &entry->trace_id, error);
  if (IsSpanName(name)) return NormalizeHexId(IdKind::kSpan, value, batch->arena(), &entry->span_id, error);
  if (!value.empty()) entry->fields.push_back({name, value});
  return true;
}

bool LokiStreamResolver::Resolve(PendingEntry* entry, uint32_t* stream, std::string* error) {
  std::string_view level;
  for (std::string_view name : {"level", "severity"}) {
    for (const LogFieldView& f : entry->fields) {
      if (level.empty() && f.name == name) level = f.value;
    }
  }
  if (level.empty()) level = label_level_;
  if (!level.empty()) {
    entry->severity_text = level;
    entry->severity = ParseSeverity(level);
  }
  if (!service_from_labels_) {
    int from_field;
    std::string_view service = FindServiceName(*config_, {}, entry->fields, &from_field);
    if (!service.empty()) {
      scratch_ = labels_;
      scratch_.push_back({kServiceNameLabel, service});
      absl::StatusOr<uint32_t> s = streams_->Intern(&scratch_);
      if (!s.ok()) {
        *error = std::string(s.status().message());
        return false;
      }
      *stream = *s;
      return true;
    }
  }
  *stream = *stream_;
  return true;
}

}  // namespace vigil
