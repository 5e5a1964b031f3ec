// The writable part of the log store: the streams seen since the last cut and their records
// in head blocks. Appends go to the active block; Snapshot() seals it and returns the sealed
// blocks and the stream table as they stand, so a reader scans without holding the lock while
// appends go on into a new block.
//
// A head lives until it is cut: LogsDb then freezes it (no more appends), writes its records
// into segments and drops it; until the segments are published the frozen head stays
// readable through its snapshots.
//
// Thread-safety: every method may be called concurrently (one internal mutex, held briefly).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/log_record.h"
#include "storage/logs/head_block.h"

namespace vigil::logs {

struct HeadStream {
  std::shared_ptr<const Labels> labels;
  int64_t min_time = INT64_MAX;
  int64_t max_time = INT64_MIN;
};

struct HeadSnapshot {
  std::vector<std::shared_ptr<const HeadBlock>> blocks;
  std::vector<HeadStream> streams;  // indexed by the rows' stream ids
};

class LogHead {
 public:
  // `max_streams` 0 = unlimited.
  explicit LogHead(size_t max_streams) : max_streams_(max_streams) {}
  // WAL replay creates the head without a limit (nothing acknowledged may be refused), then
  // sets it.
  void set_max_streams(size_t n) {
    std::lock_guard lock(mu_);
    max_streams_ = n;
  }

  // The id of the stream with these labels, created if new; ResourceExhausted when a new
  // stream would pass the limit.
  absl::StatusOr<uint32_t> ResolveStream(const Labels& labels);
  // Appends batch.entries()[i] for every i in `entries`, taking `record` (their WAL record,
  // from EncodeWalRecord with `offsets`); `stream_ids[s]` is the id ResolveStream gave batch
  // stream s. The rows are prepared before the lock is taken, so appends from many requests
  // contend only for moving a string and a few words per row.
  void Append(const LogBatch& batch, std::span<const uint32_t> entries,
              std::span<const uint32_t> stream_ids, std::string record,
              std::span<const uint32_t> offsets);

  HeadSnapshot Snapshot();

  size_t num_streams() const;
  uint64_t rows() const;
  uint64_t bytes() const;  // of the blocks' string buffers
  // Monotonic time of the first append, 0 while empty: the head is cut once it is old enough.
  int64_t first_append_monotonic_ns() const;

 private:
  void SealActiveLocked();

  mutable std::mutex mu_;
  size_t max_streams_;
  absl::flat_hash_map<std::string, uint32_t> stream_ids_;  // packed labels -> id
  std::vector<HeadStream> streams_;
  std::unique_ptr<HeadBlock> active_;
  std::vector<std::shared_ptr<const HeadBlock>> sealed_;
  uint64_t rows_ = 0;
  uint64_t sealed_bytes_ = 0;
  int64_t first_append_ns_ = 0;
};

}  // namespace vigil::logs
