// A metrics store: the composition the server wires up. The embedded TSDB
// (storage/metrics) implements it; later backends implement the same.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "storage/metric_type.h"
#include "storage/metrics_appender.h"
#include "storage/metrics_querier.h"

namespace vigil {

struct MetricMetadata {
  MetricType type = MetricType::kUnknown;
  std::string help;
  std::string unit;
  friend bool operator==(const MetricMetadata&, const MetricMetadata&) = default;
};

// What /api/v1/status/tsdb shows.
struct StoreStats {
  uint64_t head_series = 0;
  uint64_t head_chunks = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  struct Count {
    std::string name;
    uint64_t value;
  };
  std::vector<Count> series_by_metric;      // top 10
  std::vector<Count> series_by_label_pair;  // top 10, "name=value"
  std::vector<Count> label_value_count_by_name;
  std::vector<Count> memory_by_label_name;
};

class MetricsStore {
 public:
  virtual ~MetricsStore() = default;
  virtual std::unique_ptr<MetricsAppender> Appender() = 0;
  virtual std::unique_ptr<MetricsQuerier> Querier(int64_t mint, int64_t maxt) = 0;
  virtual ExemplarQuerier& Exemplars() = 0;

  virtual void SetMetadata(std::string_view metric, const MetricMetadata& md) = 0;
  // Metadata of `metric` ("" for all), at most `limit` metrics (0 for all).
  virtual std::vector<std::pair<std::string, MetricMetadata>> Metadata(std::string_view metric,
                                                                       size_t limit) = 0;
  virtual StoreStats Stats() = 0;

  // Administration, as Prometheus' admin API offers it.
  virtual absl::Status Flush() = 0;
  virtual absl::StatusOr<std::string> Snapshot() = 0;  // returns the snapshot's folder name
  virtual absl::Status DeleteSeries(const std::vector<Matchers>& selectors, int64_t mint,
                                    int64_t maxt) = 0;
};

}  // namespace vigil
