// Stream labels: the rules every log decoder shares for turning what a client sent into the
// small, low-cardinality label set of a stream (see storage/log_record.h).
//
//  * JSON lines and Elasticsearch documents: the configured `label_fields` (by default
//    service, level, env), when present as strings or numbers, become labels and leave the
//    fields; every other field stays a field.
//  * Loki push: the client's labels are kept exactly as sent.
//  * OTLP: the configured resource attributes (`otlp_resource_labels`, by default Loki 3's
//    default index labels minus the high-cardinality k8s.pod.name and service.instance.id)
//    become labels with their names sanitized (`service.name` -> `service_name`); other
//    resource attributes and all log attributes become fields.
//  * Every stream carries `service_name`: OTLP's `service.name`; otherwise the first label or
//    field named in `service_name_sources` (service_name, service, app, application, job);
//    otherwise `unknown_service`.
//
// Names of fields derived from structured input (OTLP attributes, JSON keys) are sanitized:
// each character outside [A-Za-z0-9_] becomes '_' and a leading digit gets a '_' prefix.
//
// Thread-safety: StreamLabelConfig is a value; NameTable and StreamTable are per-decoder
// scratch, used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/log_record.h"

namespace vigil {

inline constexpr std::string_view kServiceNameLabel = "service_name";
inline constexpr std::string_view kUnknownService = "unknown_service";

struct StreamLabelConfig {
  // JSON lines / Elasticsearch documents: top-level fields promoted to stream labels.
  std::vector<std::string> label_fields = {"service", "level", "env"};
  // OTLP resource attributes promoted to stream labels (names sanitized).
  std::vector<std::string> otlp_resource_labels = {
      "service.name",           "service.namespace",
      "deployment.environment", "deployment.environment.name",
      "cloud.region",           "cloud.availability_zone",
      "container.name",         "k8s.cluster.name",
      "k8s.namespace.name",     "k8s.container.name",
      "k8s.deployment.name",    "k8s.statefulset.name",
      "k8s.daemonset.name",     "k8s.replicaset.name",
      "k8s.cronjob.name",       "k8s.job.name"};
  // Where service_name comes from when OTLP's service.name does not give it.
  std::vector<std::string> service_name_sources = {"service_name", "service", "app", "application",
                                                   "job"};
  size_t max_label_value_bytes = 1024;
  size_t max_labels = 30;              // per stream, service_name included
  size_t max_line_bytes = 256 * 1024;  // an entry's body; 0 = unlimited
  size_t max_fields = 256;             // per entry

  // Checks the configured names (label_fields and the sanitized OTLP names must be valid label
  // names) and limits.
  absl::Status Validate() const;
};

// True when `name` needs no sanitizing (it is a valid label name).
inline bool IsSanitizedName(std::string_view name) { return IsValidLabelName(name); }
// Appends the sanitized form of `name` (see the file comment); "" becomes "_".
void AppendSanitizedName(std::string_view name, std::string* out);

// Derived names for one decode call: sanitized and flattened names are copied into the
// batch's arena once per distinct name, not once per entry.
class NameTable {
 public:
  void Reset(LogBatch* batch);
  // `name` itself when already valid, else its sanitized form (arena).
  std::string_view Sanitized(std::string_view name);
  // A stable copy of `name` (arena), shared by every call with the same text.
  std::string_view Intern(std::string_view name);

 private:
  LogBatch* batch_ = nullptr;
  absl::flat_hash_map<std::string, std::string_view> sanitized_;
  absl::flat_hash_map<std::string, std::string_view> interned_;
  std::string scratch_;
};

// The service_name of a stream, per the rules above (without OTLP's service.name, which the
// OTLP decoders resolve themselves). Labels are searched before fields for each source name.
// Returns "" when no source is present (the caller then uses kUnknownService). `*from_field`
// is set to the index of the field it came from, or -1.
std::string_view FindServiceName(const StreamLabelConfig& config, std::span<const LabelView> labels,
                                 std::span<const LogFieldView> fields, int* from_field);

// Interns stream label sets into a batch, validating them once per distinct set: valid names,
// unique names, non-empty UTF-8 values within max_label_value_bytes, at most max_labels.
class StreamTable {
 public:
  explicit StreamTable(const StreamLabelConfig* config) : config_(config) {}
  void Reset(LogBatch* batch);
  // `labels` (any order; sorted in place) must already hold service_name. Returns the stream
  // index, or InvalidArgument naming the offending label.
  absl::StatusOr<uint32_t> Intern(std::vector<LabelView>* labels);

 private:
  absl::Status Validate(std::span<const LabelView> sorted) const;

  const StreamLabelConfig* config_;
  LogBatch* batch_ = nullptr;
  absl::flat_hash_map<std::string, uint32_t> index_;  // packed labels -> stream
  std::string scratch_;
};

// `{a="b", c="d"}` for error messages; values quoted with escapes and cut to a sane length.
std::string FormatLabelsForError(std::span<const LabelView> labels);

}  // namespace vigil
