// The OTLP metric model as both decoders (protobuf and JSON) hand it to the mapper: a metric's
// identity and type, and its data points with their exemplars. Strings are views of the
// request body or of the batch's arena, valid while the request is decoded.
//
// Thread-safety: value types; per-decoder scratch.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/otlp/otlp_values.h"

namespace vigil {

// Metric.data: which member of the oneof was set.
enum class OtlpMetricKind : uint8_t {
  kNone,  // no data (nothing to store)
  kGauge,
  kSum,
  kHistogram,
  kExponentialHistogram,
  kSummary,
};

// AggregationTemporality.
inline constexpr uint64_t kTemporalityUnspecified = 0;
inline constexpr uint64_t kTemporalityDelta = 1;
inline constexpr uint64_t kTemporalityCumulative = 2;

// DataPointFlags.FLAG_NO_RECORDED_VALUE: the series has no value at this time (stale).
inline constexpr uint64_t kFlagNoRecordedValue = 1;

struct OtlpMetricInfo {
  std::string_view name, description, unit;
  OtlpMetricKind kind = OtlpMetricKind::kNone;
  uint64_t temporality = kTemporalityUnspecified;  // sums and histograms
  bool monotonic = false;                          // sums
};

struct OtlpExemplarPoint {
  uint32_t attrs_begin = 0, attrs_end = 0;  // into OtlpDataPoint::exemplar_attrs
  uint64_t time_ns = 0;
  double value = 0;
  std::string_view trace_id, span_id;  // lowercase hex, or empty
};

// One data point of any kind; the members a kind does not use stay empty.
struct OtlpDataPoint {
  std::vector<OtlpAttribute> attrs;
  uint64_t start_ns = 0, time_ns = 0;
  uint64_t flags = 0;
  // NumberDataPoint.value (as_double or as_int).
  double value = 0;
  bool has_value = false;
  // HistogramDataPoint and SummaryDataPoint.
  uint64_t count = 0;
  double sum = 0;
  bool has_sum = false;
  std::vector<uint64_t> bucket_counts;
  std::vector<double> explicit_bounds;
  std::vector<std::pair<double, double>> quantiles;  // (quantile, value)
  // Exemplars (numbers and histograms).
  std::vector<OtlpExemplarPoint> exemplars;
  std::vector<OtlpAttribute> exemplar_attrs;

  void Clear() {
    attrs.clear();
    start_ns = time_ns = flags = count = 0;
    value = sum = 0;
    has_value = has_sum = false;
    bucket_counts.clear();
    explicit_bounds.clear();
    quantiles.clear();
    exemplars.clear();
    exemplar_attrs.clear();
  }
};

}  // namespace vigil
