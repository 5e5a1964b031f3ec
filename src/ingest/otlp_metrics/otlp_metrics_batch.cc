#include "ingest/otlp_metrics/otlp_metrics_batch.h"

#include <algorithm>

#include "common/strings.h"

namespace vigil {

void OtlpMetricsBatch::Clear() {
  for (size_t i = 0; i < used_; ++i) {
    series_[i].packed.clear();
    series_[i].samples.clear();
    series_[i].exemplars.clear();
  }
  used_ = 0;
  index_.clear();
  metadata_.clear();
  metadata_index_.clear();
  arena_.Clear();
}

OtlpMetricsBatch::Series& OtlpMetricsBatch::Get(std::string_view packed) {
  auto [it, inserted] = index_.try_emplace(ToAbsl(packed), static_cast<uint32_t>(used_));
  if (!inserted) return series_[it->second];
  if (used_ == series_.size()) series_.emplace_back();
  Series& s = series_[used_++];
  s.packed.assign(packed);
  return s;
}

void OtlpMetricsBatch::SetMetadata(std::string_view family, MetricMetadata md) {
  auto [it, inserted] =
      metadata_index_.try_emplace(ToAbsl(family), static_cast<uint32_t>(metadata_.size()));
  if (inserted) {
    metadata_.emplace_back(std::string(family), std::move(md));
  } else {
    metadata_[it->second].second = std::move(md);
  }
}

void OtlpMetricsBatch::Finish() {
  for (size_t i = 0; i < used_; ++i) {
    std::vector<Sample>& s = series_[i].samples;
    if (!std::is_sorted(s.begin(), s.end(),
                        [](const Sample& a, const Sample& b) { return a.t < b.t; })) {
      std::stable_sort(s.begin(), s.end(),
                       [](const Sample& a, const Sample& b) { return a.t < b.t; });
    }
  }
}

size_t OtlpMetricsBatch::num_samples() const {
  size_t n = 0;
  for (size_t i = 0; i < used_; ++i) n += series_[i].samples.size();
  return n;
}

}  // namespace vigil
