// Label-set operations the engine needs per series (never per sample): dropping the metric
// name, grouping keys for aggregations and match signatures for vector matching.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"

namespace vigil::promql {

Labels DropMetricName(const Labels& l);

// The labels named in `names` (`include` true) or all but those (`include` false), as a
// label set. `names` need not be sorted.
Labels KeepLabels(const Labels& l, std::span<const std::string> names);
Labels RemoveLabels(const Labels& l, std::span<const std::string> names);

// The byte string two series share exactly when they match on the given labels: with `on`,
// the listed labels; otherwise every label except the listed ones and the metric name. An
// absent label and an empty one are the same, as in Prometheus.
void MatchSignature(const Labels& l, bool on, std::span<const std::string> names,
                    std::string* out);

}  // namespace vigil::promql
