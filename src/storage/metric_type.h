// The metric types of Prometheus' data model (as OpenMetrics names them). The numeric values
// are shared by every format vigil reads or writes: remote_write's MetricMetadata.type, the
// WAL's metadata records.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil {

enum class MetricType : uint8_t {
  kUnknown = 0,
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateset = 7,
};
inline constexpr uint64_t kMetricTypeCount = 8;

// The name Prometheus' metadata API uses ("counter", "gaugehistogram", "unknown" …).
std::string_view MetricTypeName(MetricType t);
// Accepts the TYPE words of both text formats ("untyped" is kUnknown), case-sensitively.
bool ParseMetricType(std::string_view word, MetricType* out);
// A numeric value from a wire format; unknown values map to kUnknown.
MetricType MetricTypeFromNumber(uint64_t v);

}  // namespace vigil
