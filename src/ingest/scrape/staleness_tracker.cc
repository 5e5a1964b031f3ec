#include "ingest/scrape/staleness_tracker.h"

namespace vigil {

bool StalenessTracker::Seen(uint64_t hash, std::span<const LabelView> labels, bool track) {
  if (auto it = current_.find(hash); it != current_.end()) {
    it->second.track = it->second.track && track;
    return false;
  }
  if (auto it = previous_.find(hash); it != previous_.end()) {
    Entry e;
    e.labels = std::move(it->second.labels);
    e.track = track;
    e.from_previous = true;
    e.previous_track = it->second.track;
    previous_.erase(it);
    current_.emplace(hash, std::move(e));
    return false;
  }
  Entry e;
  e.labels = Labels::FromViews(labels);
  e.track = track;
  current_.emplace(hash, std::move(e));
  return true;
}

void StalenessTracker::Commit() {
  previous_.swap(current_);
  current_.clear();
  for (auto& [hash, e] : previous_) e.from_previous = false;
}

void StalenessTracker::Reset() {
  previous_.clear();
  current_.clear();
}

}  // namespace vigil
