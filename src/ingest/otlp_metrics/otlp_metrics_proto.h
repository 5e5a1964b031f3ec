// OTLP metrics, binary protobuf (OTLP/HTTP `POST /v1/metrics` with application/x-protobuf,
// and the gRPC MetricsService/Export payload), decoded into an OtlpMetricsBatch through the
// mapper (otlp_metrics_mapper.h says how metrics become series):
//
//   ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
//   ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
//   Resource { repeated KeyValue attributes = 1; }
//   ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
//   InstrumentationScope { string name = 1; string version = 2; }
//   Metric { string name = 1; string description = 2; string unit = 3;
//            oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9;
//                         ExponentialHistogram exponential_histogram = 10;
//                         Summary summary = 11; }
//            repeated KeyValue metadata = 12; }
//   Gauge { repeated NumberDataPoint data_points = 1; }
//   Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality
//         aggregation_temporality = 2; bool is_monotonic = 3; }
//   Histogram { repeated HistogramDataPoint data_points = 1; aggregation_temporality = 2; }
//   Summary { repeated SummaryDataPoint data_points = 1; }
//   NumberDataPoint { attributes = 7; fixed64 start_time_unix_nano = 2, time_unix_nano = 3;
//                     oneof value { double as_double = 4; sfixed64 as_int = 6; }
//                     repeated Exemplar exemplars = 5; uint32 flags = 8; }
//   HistogramDataPoint { attributes = 9; start_time_unix_nano = 2; time_unix_nano = 3;
//                        fixed64 count = 4; optional double sum = 5;
//                        repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
//                        exemplars = 8; flags = 10; optional double min = 11, max = 12; }
//   SummaryDataPoint { attributes = 7; start_time_unix_nano = 2; time_unix_nano = 3;
//                      fixed64 count = 4; double sum = 5;
//                      repeated ValueAtQuantile quantile_values = 6 {double quantile = 1;
//                      double value = 2;}; flags = 8; }
//   Exemplar { filtered_attributes = 7; fixed64 time_unix_nano = 2;
//              oneof value { double as_double = 3; sfixed64 as_int = 6; }
//              bytes span_id = 4; bytes trace_id = 5; }
//
// Repeated scalars are read packed or unpacked. Unknown fields are skipped; for a oneof given
// several members the last one wins.
//
// Errors: broken framing (a truncated body, a length running past its message) or a wrong
// wire type anywhere above the data points fails the whole request and leaves the batch
// empty. Anything wrong inside a data point (its framing, a wrong wire type, invalid UTF-8,
// a bad id, a histogram whose buckets and bounds disagree) refuses that point alone:
// `metric "http.server.duration": data point 3: bucket_counts has 4 entries for 2 explicit
// bounds`. A resource with bad attributes, a scope with an invalid name, or a metric that
// cannot be stored (empty name, exponential histogram, ...) refuses its points with one error.
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/common/decode_result.h"
#include "ingest/otlp/otlp_proto_envelope.h"
#include "ingest/otlp/otlp_proto_values.h"
#include "ingest/otlp_metrics/delta_to_cumulative.h"
#include "ingest/otlp_metrics/otlp_metric_points.h"
#include "ingest/otlp_metrics/otlp_metrics_batch.h"
#include "ingest/otlp_metrics/otlp_metrics_mapper.h"

namespace vigil {

class OtlpMetricsProtoDecoder {
 public:
  OtlpMetricsProtoDecoder() = default;
  OtlpMetricsProtoDecoder(const OtlpMetricsProtoDecoder&) = delete;
  OtlpMetricsProtoDecoder& operator=(const OtlpMetricsProtoDecoder&) = delete;

  // Decodes `body` into `batch` (cleared first; left empty when the request fails), counting
  // data points. `now_ms` stands in for a point without a time.
  DecodeResult Decode(std::string_view body, int64_t now_ms, DeltaToCumulative::Session* deltas,
                      OtlpMetricsBatch* batch);

 private:
  struct Visitor;
  // Metric `index` of the current scope. False with *fatal when the request cannot be decoded
  // further.
  bool DecodeMetric(std::string_view pb, size_t index, std::string* fatal);
  // False with *error when the point is refused.
  bool DecodePoint(std::string_view pb, OtlpMetricKind kind, std::string* error);
  bool DecodeExemplar(std::string_view pb, std::string* error);
  bool AppendAttribute(std::string_view kv, std::vector<OtlpAttribute>* out, std::string* error);

  OtlpProtoValues values_;
  OtlpProtoEnvelope envelope_{kOtlpMetricsEnvelope, &values_};
  OtlpMetricsMapper mapper_;
  OtlpMetricsBatch* batch_ = nullptr;
  OtlpDataPoint point_;
  std::string error_;
};

}  // namespace vigil
