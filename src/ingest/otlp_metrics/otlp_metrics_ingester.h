// Ingests OTLP metrics (ExportMetricsServiceRequest, protobuf or OTLP/JSON) into a
// MetricsStore: the entry point the OTLP/HTTP `/v1/metrics` handler and the gRPC
// MetricsService/Export handler call.
//
// A request is decoded whole before anything is written (otlp_metrics_proto.h,
// otlp_metrics_json.h; the mapping to series is in otlp_metrics_mapper.h). A malformed request
// (truncated protobuf, invalid JSON, wrong structure) stores nothing and fails with
// InvalidArgument: the sender must not retry it (HTTP 400, gRPC INVALID_ARGUMENT). Otherwise
// the valid part is committed; points refused by the decoder (bad histogram, exponential
// histogram, ...) and samples refused by the store (out of order, series limits, ...) are
// reported in the result, which the handler turns into OTLP's partial_success. A storage
// failure returns its Status (HTTP 5xx / gRPC UNAVAILABLE-like codes: the sender retries),
// and then the running totals of delta series are not advanced, so the retry does not count
// twice.
//
// Thread-safety: Ingest* may be called concurrently; decoders and scratch are per thread.
// Requests that carry delta points are serialized by the delta converter while they run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/self_metrics.h"
#include "ingest/common/decode_result.h"
#include "ingest/common/series_writer.h"
#include "ingest/otlp_metrics/delta_to_cumulative.h"
#include "storage/metrics_store.h"

namespace vigil {

struct OtlpMetricsOptions {
  // Delta series whose running totals are kept (see delta_to_cumulative.h).
  size_t max_delta_series = DeltaToCumulative::kDefaultMaxSeries;
};

struct OtlpMetricsResult {
  DecodeResult points;  // OTLP data points: total, refused by the decoder and why
  AppendStats samples;  // Prometheus samples: accepted, refused by the store by reason

  // ExportMetricsServiceResponse.partial_success.rejected_data_points: the points the decoder
  // refused plus the samples the store refused (a histogram point spans several samples, so
  // this may overcount; it never exceeds the points of the request).
  int64_t rejected_data_points() const;
  // partial_success.error_message: "" when everything was stored, else what was refused and
  // why (decoder refusals first, then the store's).
  std::string error_message() const;
  // The response bodies for a successful (2xx) answer.
  std::string ResponseProto() const;
  std::string ResponseJson() const;
};

class OtlpMetricsIngester {
 public:
  OtlpMetricsIngester(MetricsStore& store, MetricsRegistry* registry,
                      OtlpMetricsOptions options = {});
  OtlpMetricsIngester(const OtlpMetricsIngester&) = delete;
  OtlpMetricsIngester& operator=(const OtlpMetricsIngester&) = delete;

  // `body` is the (decompressed) request. Points without a time get `now_ms`, by default the
  // wall clock.
  absl::StatusOr<OtlpMetricsResult> IngestProto(std::string_view body);
  absl::StatusOr<OtlpMetricsResult> IngestProto(std::string_view body, int64_t now_ms);
  absl::StatusOr<OtlpMetricsResult> IngestJson(std::string_view body);
  absl::StatusOr<OtlpMetricsResult> IngestJson(std::string_view body, int64_t now_ms);

  // Delta series with a running total (for tests and status pages).
  size_t delta_series() const { return deltas_.size(); }

 private:
  enum class Format { kProto, kJson };
  absl::StatusOr<OtlpMetricsResult> Ingest(Format format, std::string_view body, int64_t now_ms);

  MetricsStore& store_;
  IngestCounters counters_;
  Counter* points_refused_ = nullptr;
  DeltaToCumulative deltas_;
};

}  // namespace vigil
