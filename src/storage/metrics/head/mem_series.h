// One series in the head: its labels, closed (full) chunks and the open chunk being
// appended to, plus a small ring of recent exemplars.
//
// Thread-safety: the fields below `mu` are guarded by it; `ref` and `labels` are immutable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/labels.h"
#include "storage/metrics/chunkenc/xor_chunk.h"
#include "storage/sample.h"

namespace vigil {

// A full, immutable chunk kept in memory until the head range it covers is persisted.
struct ClosedChunk {
  int64_t mint;
  int64_t maxt;
  std::vector<uint8_t> bytes;
};

// Exemplars of one series; overwritten oldest-first once full.
class ExemplarRing {
 public:
  explicit ExemplarRing(size_t capacity) : items_(capacity) {}
  // Ignores an exemplar equal to the newest (clients resend the same one every scrape).
  void Add(const Exemplar& e);
  void Collect(int64_t mint, int64_t maxt, std::vector<Exemplar>* out) const;

 private:
  std::vector<Exemplar> items_;
  size_t next_ = 0;
  size_t size_ = 0;
};

struct MemSeries {
  MemSeries(SeriesRef r, Labels l) : ref(r), labels(std::move(l)) {}

  const SeriesRef ref;
  const Labels labels;
  // Set once the series record has been written to the WAL, so later appenders referring to
  // the series need not write it again.
  std::atomic<bool> logged{false};
  // Appenders holding this series; garbage collection skips pinned series. Changed under
  // the lock of the stripe the series was reached through.
  std::atomic<int32_t> pins{0};

  std::mutex mu;
  std::vector<ClosedChunk> closed;
  chunkenc::XorChunk open;
  // Newest sample (INT64_MIN while empty) and its value. Written under `mu`; atomic so that
  // appenders can pre-check order without taking the lock.
  std::atomic<int64_t> max_time{INT64_MIN};
  std::atomic<uint64_t> last_value_bits{0};
  std::unique_ptr<ExemplarRing> exemplars;
  // Where the open chunk's bytes were after the last append: only a prefetch hint for the
  // next appender (read without `mu`, possibly stale; prefetching a stale address is
  // harmless), so appending a sample does not wait on a cache miss for the chunk.
  std::atomic<const uint8_t*> open_bytes_hint{nullptr};
  std::atomic<uint32_t> open_size_hint{0};

  int64_t MinTimeLocked() const;
  // Samples in [mint, maxt] appended to *out (in order).
  void SamplesLocked(int64_t mint, int64_t maxt, std::vector<Sample>* out) const;
  size_t NumChunksLocked() const { return closed.size() + (open.empty() ? 0 : 1); }
};

}  // namespace vigil
