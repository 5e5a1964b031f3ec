#include "storage/metric_type.h"

#include <array>

namespace vigil {
namespace {
constexpr std::array<std::string_view, kMetricTypeCount> kNames = {
    "unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"};
}  // namespace

std::string_view MetricTypeName(MetricType t) {
  auto i = static_cast<size_t>(t);
  return i < kNames.size() ? kNames[i] : kNames[0];
}

bool ParseMetricType(std::string_view word, MetricType* out) {
  if (word == "untyped") {
    *out = MetricType::kUnknown;
    return true;
  }
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == word) {
      *out = static_cast<MetricType>(i);
      return true;
    }
  }
  return false;
}

MetricType MetricTypeFromNumber(uint64_t v) {
  return v < kMetricTypeCount ? static_cast<MetricType>(v) : MetricType::kUnknown;
}

}  // namespace vigil
