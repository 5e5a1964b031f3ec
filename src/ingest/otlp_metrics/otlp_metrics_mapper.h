// Maps decoded OTLP metrics to Prometheus series, per OpenTelemetry's "Prometheus and
// OpenMetrics compatibility" specification; both decoders (protobuf, JSON) feed it.
//
// Series and labels:
//  * Names per otlp_metric_names.h. Point attributes become labels (names sanitized; when two
//    keys sanitize to one name, their values are joined with `;` in the order of the original
//    keys; empty values are dropped).
//  * Resource: `job` = `service.namespace/service.name` (or `service.name`), `instance` =
//    `service.instance.id`, on every series of the resource (they override point attributes
//    of those names). The other resource attributes go on one `target_info` series (value 1)
//    per resource, labelled with them plus job and instance, at the latest time of the
//    resource's stored points.
//  * Scope: `otel_scope_name` and `otel_scope_version` labels when set.
//  * Gauges and cumulative sums: one sample per point; monotonic sums are counters (`_total`),
//    non-monotonic ones gauges. Histograms: `_bucket{le=...}` with cumulative counts and a
//    final `le="+Inf"` equal to count, `_sum` (when the point has one) and `_count`.
//    Summaries: `{quantile=...}` series, `_sum` and `_count`. `le` and `quantile` values are
//    the shortest plain decimal (`0.005`, `250`, `+Inf`).
//  * Delta monotonic sums and delta histograms become cumulative through DeltaToCumulative;
//    a delta point older than its series' last one is refused, as are NaN, infinite and
//    negative deltas on sums. Delta non-monotonic sums, sums and histograms with unspecified
//    temporality, and exponential histograms (no native histograms yet) are refused.
//  * Timestamps: nanoseconds to milliseconds; a point without a time gets the receive time.
//    DataPointFlags NO_RECORDED_VALUE writes Prometheus' staleness marker on every series of
//    the point.
//  * Exemplars (histograms and monotonic sums; dropped elsewhere, as the specification
//    says): labels `trace_id` and `span_id` (hex) plus the filtered attributes while the label
//    set stays within OpenMetrics' 128 characters; on histograms each goes to the `_bucket`
//    series whose bound is the first at or above its value.
//
// A point is stored whole or refused whole (AddPoint returns false with the reason).
//
// Thread-safety: one mapper per decoder; one request at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/labels.h"
#include "common/string_arena.h"
#include "ingest/otlp/otlp_values.h"
#include "ingest/otlp_metrics/delta_to_cumulative.h"
#include "ingest/otlp_metrics/otlp_metric_names.h"
#include "ingest/otlp_metrics/otlp_metric_points.h"
#include "ingest/otlp_metrics/otlp_metrics_batch.h"

namespace vigil {

// OpenMetrics' limit on the characters of an exemplar's label names and values together.
inline constexpr size_t kMaxExemplarLabelChars = 128;

class OtlpMetricsMapper {
 public:
  // Starts a request. `deltas` turns delta points cumulative.
  void Reset(OtlpMetricsBatch* batch, DeltaToCumulative::Session* deltas, int64_t now_ms);

  void BeginResource(std::span<const OtlpAttribute> attrs);
  // Writes the resource's target_info sample when it has one.
  void EndResource();
  void BeginScope(std::string_view name, std::string_view version);
  // False with *error when no point of the metric can be stored (the caller refuses them).
  bool BeginMetric(const OtlpMetricInfo& metric, std::string* error);
  // Maps one point of the current metric; false with *error refuses it.
  bool AddPoint(const OtlpDataPoint& p, std::string* error);

 private:
  struct Attr {
    std::string_view name, key, value;
  };
  struct PendingSample {
    uint32_t key_begin, key_size;  // packed labels in pending_keys_
    double v;
  };

  std::string_view LabelName(std::string_view key);
  // Sanitized, merged labels of `attrs` (skipping `skip` keys) into *out, sorted by name.
  void AttributeLabels(std::span<const OtlpAttribute> attrs, std::span<const std::string_view> skip,
                       std::vector<LabelView>* out);
  void BuildPointLabels(const OtlpDataPoint& p);
  // Queues a sample of series `name` + point labels (+ `extra` label when it has a name).
  void Emit(std::string_view name, LabelView extra, double v);
  bool AddExemplars(const OtlpDataPoint& p, int64_t t_ms, std::span<const double> bounds,
                    std::string* error);
  bool AddNumber(const OtlpDataPoint& p, bool stale, std::string* error);
  bool AddHistogram(const OtlpDataPoint& p, bool stale, int64_t t_ms, std::string* error);
  bool AddSummary(const OtlpDataPoint& p, bool stale, std::string* error);
  // Applies delta conversion and moves the queued samples into the batch.
  bool Flush(int64_t t_ms, bool delta, std::string* error);

  OtlpMetricsBatch* batch_ = nullptr;
  DeltaToCumulative::Session* deltas_ = nullptr;
  int64_t now_ms_ = 0;

  // Resource.
  std::string job_;
  std::string_view instance_;
  std::vector<LabelView> target_labels_;
  int64_t resource_max_t_ = 0;
  size_t resource_points_ = 0;
  // Scope.
  std::string_view scope_name_, scope_version_;
  // Metric.
  OtlpMetricInfo metric_;
  PromFamilyKind family_kind_ = PromFamilyKind::kGauge;
  std::string family_, bucket_name_, sum_name_, count_name_;
  bool delta_ = false;

  // Per point.
  std::vector<LabelView> labels_;         // the point's labels without __name__, sorted
  std::vector<LabelView> series_labels_;  // scratch for one series
  std::vector<Attr> attrs_;
  std::string pending_keys_;
  std::vector<PendingSample> pending_;
  std::vector<Exemplar> pending_exemplars_;
  std::vector<uint32_t> pending_exemplar_target_;  // index into pending_ of each exemplar
  std::vector<Label> exemplar_labels_;
  std::string scratch_;

  // Sanitized attribute keys, kept across requests (bounded).
  absl::flat_hash_map<std::string, std::string_view> names_;
  StringArena names_arena_;
};

// The label value for a bucket bound or quantile: shortest plain decimal, "+Inf", "-Inf".
std::string FormatBoundLabel(double v);

}  // namespace vigil
