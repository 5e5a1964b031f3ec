// The data of the PromQL differential test: ~190 series over 6 hours at a 15 s interval,
// generated from a fixed seed (the same bytes on every machine: no std distributions), and
// its two encodings — OpenMetrics for `promtool tsdb create-blocks-from openmetrics` and
// Prometheus text with millisecond timestamps, in time order, for vigil's import API.
//
// Series: counters with resets (`http_requests_total{job,instance,status_code,method}`), a
// classic histogram (`http_request_duration_seconds_{bucket,sum,count}{job,instance}`),
// gauges (`node_cpu_utilisation`, `process_resident_memory_bytes`, `temperature_celsius` with
// negative values, `up` with an outage, `build_info`), and `queue_depth{queue}` with gaps
// longer than the lookback, a late start, an early end and a sparser interval.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/labels.h"
#include "storage/sample.h"

namespace vigil::testing::promql_diff {

struct DataSeries {
  Labels labels;
  std::vector<Sample> samples;
};

struct Dataset {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 0;
  std::vector<DataSeries> series;
  size_t SampleCount() const;
};

// 2026-01-01T00:00:00Z: the end of the data.
inline constexpr int64_t kDataEndMs = 1767225600000;

Dataset GenerateDataset(uint64_t seed = 20260101);

// OpenMetrics text: each series' samples in time order, timestamps in seconds, `# EOF`.
std::string ToOpenMetrics(const Dataset& d);

// Prometheus text bodies (`name{labels} value timestamp_ms` lines) ordered by time across
// series — every series at t0, then t1 … — cut every `steps_per_body` timestamps, so a
// store that refuses samples far behind its newest one takes them all.
std::vector<std::string> ToImportBodies(const Dataset& d, int steps_per_body);

}  // namespace vigil::testing::promql_diff
