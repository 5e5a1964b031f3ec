// The `traces:` section of the configuration: the embedded trace store's retention and head
// sizing.
//
//   traces:
//     retention: 14d
//     max_future: 10m
//     head_max_size: 64MiB
//     head_max_age: 10m
//     wal_sync: true
//     max_attribute_value_size: 64KiB  # longer values are truncated (counted)
//     sampling:                        # tail-based, decided when the head is cut
//       fraction: 0.1                  # of traces no rule below keeps (default 1: keep all)
//       keep_errors: true
//       latency_threshold: 2s          # a span this long keeps its trace
//       decision_wait: 30s             # traces still receiving spans wait for a later cut
//     span_metrics:
//       enabled: true
//       buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]   # seconds
//       max_series: 10000
//       flush_interval: 15s
//
// Thread-safety: value types.
#pragma once

#include "absl/status/status.h"
#include "common/yaml_util.h"
#include "ingest/spanmetrics/span_metrics.h"
#include "ingest/traces/span_validation.h"
#include "storage/traces/traces_db.h"

namespace vigil {

struct TracesConfig {
  TracesDbOptions db;  // dir is derived from data_dir
  SpanLimits limits;
  SpanMetricsOptions span_metrics;
};

// Reads root["traces"] (when present) into *out, refusing unknown keys and bad values.
absl::Status ParseTracesSection(const YAML::Node& root, const YamlReader& r, TracesConfig* out);

}  // namespace vigil
