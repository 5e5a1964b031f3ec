// StalenessTracker remembers which series one pass (a scrape, a probe run) wrote, so the
// next pass can write Prometheus staleness markers (StaleNaN) for the series it no longer
// writes, and so a failed pass or a removed target can mark everything it wrote before.
//
// A pass calls Seen() for every series it writes, then either Commit() (the pass
// succeeded: its series become "previous") or Reset() (the pass failed: the caller has
// marked every previous series stale, so nothing is previous any more). Series are keyed by
// their label hash; label sets are stored once per series and moved, not copied, from pass
// to pass, so a steady target allocates nothing here.
//
// Series written with an explicit timestamp are recorded with track=false: Prometheus
// never marks them stale, because their timestamps are the exporter's to manage.
//
// Thread-safety: none; the owner serializes passes.
#pragma once

#include <cstdint>
#include <span>

#include "absl/container/flat_hash_map.h"
#include "common/labels.h"

namespace vigil {

class StalenessTracker {
 public:
  // Records a series written by the pass in progress (`hash` = HashLabels(labels)). Returns
  // true when the previous pass did not write it and this pass had not seen it yet.
  bool Seen(uint64_t hash, std::span<const LabelView> labels, bool track);

  // Calls fn(const Labels&) for each tracked series of the previous pass that this pass has
  // not written (so far).
  template <typename F>
  void ForEachVanished(F&& fn) const {
    for (const auto& [hash, e] : previous_) {
      if (e.track) fn(e.labels);
    }
  }
  // Calls fn(const Labels&) for each tracked series of the previous pass, whether or not this
  // pass wrote it again: what a failed pass must mark stale.
  template <typename F>
  void ForEachPrevious(F&& fn) const {
    for (const auto& [hash, e] : previous_) {
      if (e.track) fn(e.labels);
    }
    for (const auto& [hash, e] : current_) {
      if (e.from_previous && e.previous_track) fn(e.labels);
    }
  }

  void Commit();
  void Reset();

  size_t previous_size() const { return previous_.size(); }
  size_t current_size() const { return current_.size(); }

 private:
  struct Entry {
    Labels labels;
    bool track = true;
    bool from_previous = false;
    bool previous_track = false;
  };
  absl::flat_hash_map<uint64_t, Entry> previous_;
  absl::flat_hash_map<uint64_t, Entry> current_;
};

}  // namespace vigil
