// Which text exposition a body is written in, and the metric types its TYPE lines name.
//
// Two formats share one line grammar: the Prometheus text format 0.0.4 (timestamps are
// integer milliseconds, `#` lines other than HELP/TYPE are comments) and OpenMetrics 1.0
// (timestamps are float seconds, UNIT lines, a mandatory `# EOF` terminator, exemplars).
//
// Thread-safety: free functions without state.
#pragma once

#include <cstdint>
#include <string_view>

#include "storage/metric_type.h"

namespace vigil {

enum class ExpositionFormat : uint8_t {
  kAuto,            // decide from the content type, then from the body (see DetectFormat)
  kPrometheusText,  // text/plain; version=0.0.4
  kOpenMetrics,     // application/openmetrics-text; version=1.0.0
};

std::string_view ExpositionFormatName(ExpositionFormat f);

// `application/openmetrics-text` selects OpenMetrics and `text/plain` the Prometheus text
// format. Any other (or no) content type is decided by the body: OpenMetrics when its last
// non-blank line is `# EOF`. Never returns kAuto.
ExpositionFormat DetectFormat(std::string_view content_type, std::string_view body);

// The union of both formats' types; `untyped` (0.0.4) and `unknown` (OpenMetrics) are one.
// Whether a sample named `metric` belongs to the family `family` of type `type`: the family
// name itself or the family name plus a suffix the type allows (`_bucket`, `_sum`, `_count`,
// `_created` for histograms, `_total` and `_created` for counters, `_gsum`/`_gcount` for
// gauge histograms, `_info` for info metrics).
bool BelongsToFamily(std::string_view metric, std::string_view family, MetricType type);

}  // namespace vigil
