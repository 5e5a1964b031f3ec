#include "ingest/exposition/format.h"

#include <array>
#include <cctype>

namespace vigil {
namespace {

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() &&
           std::tolower(static_cast<unsigned char>(haystack[i + k])) == needle[k]) {
      ++k;
    }
    if (k == needle.size()) return true;
  }
  return false;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string_view ExpositionFormatName(ExpositionFormat f) {
  switch (f) {
    case ExpositionFormat::kAuto:
      return "auto";
    case ExpositionFormat::kPrometheusText:
      return "prometheus-text-0.0.4";
    case ExpositionFormat::kOpenMetrics:
      return "openmetrics-1.0";
  }
  return "unknown";
}

ExpositionFormat DetectFormat(std::string_view content_type, std::string_view body) {
  if (ContainsIgnoreCase(content_type, "application/openmetrics-text")) {
    return ExpositionFormat::kOpenMetrics;
  }
  if (ContainsIgnoreCase(content_type, "text/plain")) return ExpositionFormat::kPrometheusText;
  // Only the tail is looked at, so detection is O(1) in the body size.
  size_t end = body.size();
  while (end > 0 && IsBlank(body[end - 1])) --end;
  std::string_view trimmed = body.substr(0, end);
  constexpr std::string_view kEof = "# EOF";
  if (trimmed.size() >= kEof.size() && trimmed.substr(trimmed.size() - kEof.size()) == kEof &&
      (trimmed.size() == kEof.size() || trimmed[trimmed.size() - kEof.size() - 1] == '\n')) {
    return ExpositionFormat::kOpenMetrics;
  }
  return ExpositionFormat::kPrometheusText;
}

bool BelongsToFamily(std::string_view metric, std::string_view family, MetricType type) {
  if (family.empty()) return false;
  if (metric == family) return true;
  if (metric.size() <= family.size() || metric.substr(0, family.size()) != family) return false;
  std::string_view suffix = metric.substr(family.size());
  switch (type) {
    case MetricType::kCounter:
      return suffix == "_total" || suffix == "_created";
    case MetricType::kHistogram:
      return suffix == "_bucket" || suffix == "_sum" || suffix == "_count" || suffix == "_created";
    case MetricType::kGaugeHistogram:
      return suffix == "_bucket" || suffix == "_gsum" || suffix == "_gcount";
    case MetricType::kSummary:
      return suffix == "_sum" || suffix == "_count" || suffix == "_created";
    case MetricType::kInfo:
      return suffix == "_info";
    case MetricType::kGauge:
    case MetricType::kStateset:
    case MetricType::kUnknown:
      return false;
  }
  return false;
}

}  // namespace vigil
