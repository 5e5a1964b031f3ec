// Turns OTLP delta points (monotonic sums, histograms) into the cumulative series Prometheus
// stores, by keeping a running total per series in memory.
//
// Each series (keyed by its packed labels, Labels::packed()) holds its total and the time of
// the last point added. A request works through a Session: it reads the totals, stages its own
// additions, and publishes them with Commit only once its samples are durable in the store —
// a request that fails (malformed, or a storage error the sender will retry) leaves the totals
// as they were, so a retried request is not counted twice. A Session holds the converter's
// lock from its first use until Commit or destruction, which serializes the requests that
// carry delta points (their running totals would otherwise interleave).
//
// Limits and restarts: at most `max_series` totals are kept; past that, the least recently
// used tenth is dropped, and those series start again from their next delta (Prometheus'
// rate() reads that as a counter reset). Totals live only in memory: after a restart every
// delta series starts again from zero, which queries also see as a counter reset.
//
// Thread-safety: DeltaToCumulative is safe for concurrent Sessions; a Session is used by one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace vigil {

class DeltaToCumulative {
 public:
  static constexpr size_t kDefaultMaxSeries = 200'000;

  explicit DeltaToCumulative(size_t max_series = kDefaultMaxSeries);
  DeltaToCumulative(const DeltaToCumulative&) = delete;
  DeltaToCumulative& operator=(const DeltaToCumulative&) = delete;

  class Session {
   public:
    explicit Session(DeltaToCumulative& owner) : owner_(owner) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() = default;  // uncommitted additions are dropped; the lock is released

    // False when `t_ms` is before the last point added to series `key`; *last_t_ms is then
    // that point's time.
    bool CanAdd(std::string_view key, int64_t t_ms, int64_t* last_t_ms);
    // Adds `delta` at `t_ms` (which CanAdd accepted) and returns the series' new total.
    double Add(std::string_view key, int64_t t_ms, double delta);
    // Publishes the staged totals.
    void Commit();

   private:
    struct Staged {
      double total;
      int64_t last_t;
    };
    const Staged* Find(std::string_view key);

    DeltaToCumulative& owner_;
    std::unique_lock<std::mutex> lock_;
    absl::flat_hash_map<std::string, Staged> staged_;
  };

  // Series whose totals are kept.
  size_t size() const;

 private:
  struct State {
    double total = 0;
    int64_t last_t = 0;
    uint64_t last_used = 0;  // value of clock_ when last updated
  };
  void EvictLocked();

  const size_t max_series_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, State> series_;
  uint64_t clock_ = 0;
};

}  // namespace vigil
