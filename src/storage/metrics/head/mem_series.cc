#include "storage/metrics/head/mem_series.h"

namespace vigil {

void ExemplarRing::Add(const Exemplar& e) {
  if (size_ > 0) {
    const Exemplar& last = items_[(next_ + items_.size() - 1) % items_.size()];
    if (last.t == e.t && last.labels == e.labels &&
        std::bit_cast<uint64_t>(last.value) == std::bit_cast<uint64_t>(e.value)) {
      return;
    }
  }
  items_[next_] = e;
  next_ = (next_ + 1) % items_.size();
  if (size_ < items_.size()) ++size_;
}

void ExemplarRing::Collect(int64_t mint, int64_t maxt, std::vector<Exemplar>* out) const {
  size_t start = (next_ + items_.size() - size_) % items_.size();
  for (size_t i = 0; i < size_; ++i) {
    const Exemplar& e = items_[(start + i) % items_.size()];
    if (e.t >= mint && e.t <= maxt) out->push_back(e);
  }
}

int64_t MemSeries::MinTimeLocked() const {
  if (!closed.empty()) return closed.front().mint;
  if (!open.empty()) return open.first_t();
  return INT64_MAX;
}

void MemSeries::SamplesLocked(int64_t mint, int64_t maxt, std::vector<Sample>* out) const {
  for (const auto& c : closed) {
    if (c.maxt < mint || c.mint > maxt) continue;
    // Head chunks were encoded by this process; a decode error would be a bug, and the
    // samples decoded before it are still returned.
    (void)chunkenc::DecodeXorChunk(c.bytes, out, mint, maxt);
  }
  if (!open.empty() && open.last_t() >= mint && open.first_t() <= maxt) {
    (void)chunkenc::DecodeXorChunk(open.bytes(), out, mint, maxt);
  }
}

}  // namespace vigil
