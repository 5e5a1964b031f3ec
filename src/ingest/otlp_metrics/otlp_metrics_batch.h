// What decoding one OTLP metrics request yields before anything reaches the store: the
// Prometheus series it maps to, each with its samples and exemplars, and the metadata of the
// metric families. Samples of one series are gathered from wherever they appear in the request
// and sorted by time (Finish), so the store sees each series once, in order.
//
// Series are keyed by their packed labels (Labels::packed(): sorted, canonical), which is also
// how the store finds a series it already has without decoding its labels.
//
// Thread-safety: one request at a time. Clearing keeps the allocations for the next request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/string_arena.h"
#include "storage/metrics_store.h"
#include "storage/sample.h"

namespace vigil {

class OtlpMetricsBatch {
 public:
  struct Series {
    std::string packed;  // Labels::packed()
    std::vector<Sample> samples;
    std::vector<Exemplar> exemplars;
  };

  void Clear();

  // The series with these packed labels, created when new.
  Series& Get(std::string_view packed);
  // Records a family's metadata (the last one given for a name wins).
  void SetMetadata(std::string_view family, MetricMetadata md);
  // Sorts every series' samples by time (stable: equal times keep request order).
  void Finish();

  std::span<const Series> series() const { return {series_.data(), used_}; }
  const std::vector<std::pair<std::string, MetricMetadata>>& metadata() const { return metadata_; }
  size_t num_samples() const;
  bool empty() const { return used_ == 0; }
  // Storage for text the decoders render (attribute values that are not plain strings).
  StringArena* arena() { return &arena_; }

 private:
  absl::flat_hash_map<std::string, uint32_t> index_;  // packed labels -> series_ index
  std::vector<Series> series_;                        // [0, used_) in use; the rest spare
  size_t used_ = 0;
  std::vector<std::pair<std::string, MetricMetadata>> metadata_;
  absl::flat_hash_map<std::string, uint32_t> metadata_index_;
  StringArena arena_;
};

}  // namespace vigil
