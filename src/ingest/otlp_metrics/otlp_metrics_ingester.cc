#include "ingest/otlp_metrics/otlp_metrics_ingester.h"

#include <algorithm>
#include <vector>

#include "common/strings.h"
#include "common/time_util.h"
#include "ingest/otlp/otlp_response.h"
#include "ingest/otlp_metrics/otlp_metrics_batch.h"
#include "ingest/otlp_metrics/otlp_metrics_json.h"
#include "ingest/otlp_metrics/otlp_metrics_proto.h"

namespace vigil {

int64_t OtlpMetricsResult::rejected_data_points() const {
  const uint64_t n = points.rejected + samples.TotalRejected();
  return static_cast<int64_t>(std::min<uint64_t>(n, points.total));
}

std::string OtlpMetricsResult::error_message() const {
  std::string out;
  if (points.rejected > 0) out = points.Summary("data points");
  if (samples.TotalRejected() > 0) {
    if (!out.empty()) out.append("; ");
    out.append(DescribeRejections(samples));
  }
  return out;
}

std::string OtlpMetricsResult::ResponseProto() const {
  return EncodeOtlpExportResponse(rejected_data_points(), error_message());
}

std::string OtlpMetricsResult::ResponseJson() const {
  return OtlpExportResponseJson("rejectedDataPoints", rejected_data_points(), error_message());
}

OtlpMetricsIngester::OtlpMetricsIngester(MetricsStore& store, MetricsRegistry* registry,
                                         OtlpMetricsOptions options)
    : store_(store), counters_(registry, "otlp"), deltas_(options.max_delta_series) {
  if (registry != nullptr) {
    points_refused_ = &registry->GetCounter(
        "vigil_otlp_metric_points_refused_total",
        "OTLP metric data points refused before reaching the store (invalid or unsupported).");
  }
}

absl::StatusOr<OtlpMetricsResult> OtlpMetricsIngester::IngestProto(std::string_view body) {
  return Ingest(Format::kProto, body, NowMs());
}
absl::StatusOr<OtlpMetricsResult> OtlpMetricsIngester::IngestProto(std::string_view body,
                                                                   int64_t now_ms) {
  return Ingest(Format::kProto, body, now_ms);
}
absl::StatusOr<OtlpMetricsResult> OtlpMetricsIngester::IngestJson(std::string_view body) {
  return Ingest(Format::kJson, body, NowMs());
}
absl::StatusOr<OtlpMetricsResult> OtlpMetricsIngester::IngestJson(std::string_view body,
                                                                  int64_t now_ms) {
  return Ingest(Format::kJson, body, now_ms);
}

absl::StatusOr<OtlpMetricsResult> OtlpMetricsIngester::Ingest(Format format, std::string_view body,
                                                              int64_t now_ms) {
  // Reused across requests on the same worker thread: no per-request setup once warm.
  thread_local OtlpMetricsProtoDecoder proto_decoder;
  thread_local OtlpMetricsJsonDecoder json_decoder;
  thread_local OtlpMetricsBatch batch;
  thread_local std::vector<LabelView> labels;

  DeltaToCumulative::Session deltas(deltas_);
  OtlpMetricsResult result;
  result.points = format == Format::kProto ? proto_decoder.Decode(body, now_ms, &deltas, &batch)
                                           : json_decoder.Decode(body, now_ms, &deltas, &batch);
  if (!result.points.status.ok()) return result.points.status;
  if (points_refused_ != nullptr && result.points.rejected > 0) {
    points_refused_->Inc(result.points.rejected);
  }

  SeriesWriter writer(store_, &counters_);
  for (const OtlpMetricsBatch::Series& s : batch.series()) {
    // A series the store knows is found by its label bytes; only new ones are decoded.
    if (writer.WriteKnown(s.packed, s.samples, s.exemplars)) continue;
    const Labels decoded = Labels::FromPacked(s.packed);
    labels.assign(decoded.begin(), decoded.end());
    writer.Write(labels, s.samples, s.exemplars, s.packed);
  }
  for (const auto& [family, md] : batch.metadata()) store_.SetMetadata(family, md);
  absl::Status commit = writer.Commit();
  batch.Clear();
  if (!commit.ok()) return commit;  // the delta totals stay as they were: the sender retries
  deltas.Commit();
  result.samples = writer.stats();
  return result;
}

}  // namespace vigil
