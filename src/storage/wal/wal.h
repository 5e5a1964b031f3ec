// A segmented, checksummed write-ahead log with group commit (format: docs/formats/wal.md).
//
// Records are opaque byte strings (the metrics head encodes them with records.h). They are
// appended to numbered segment files of at most `segment_bytes` each (a record larger than
// that gets a segment of its own) and read back in order by Replay.
//
// Durability: Append returns OK only once its records are written and fdatasync'd (unless
// `sync` is off). Appenders that arrive while a write is in flight queue up; the next one
// to run writes the whole queue with one write and one fdatasync (leader/follower group
// commit), so throughput grows with concurrency instead of being one fsync per request.
// When Append fails the records may or may not be in the log; the caller must not treat
// them as durable. A failed write is cut back off the segment; a failed fdatasync (or a
// failed cut) poisons the log: every later Append fails, since what reached the disk is no
// longer known.
//
// Recovery (Replay): the latest checkpoint is read first, then every segment after it. A
// damaged frame (torn write, checksum mismatch, zero fill) ends the valid data of its file;
// when nothing but zeros follows, that is the room the writer had reserved, not damage.
// In the newest segment that predates this instance, the damaged tail is truncated away and
// logged. In an older segment or a checkpoint the rest of that file is skipped, logged and
// counted, and replay continues with the next file: later segments hold acknowledged data,
// and a record that refers to something lost (a sample of an unknown series) is the reader's
// to drop. I/O errors and unsupported format versions fail Replay without modifying files.
// New records always go to a fresh segment, never after an old tail.
//
// Thread-safety: Append may be called from many threads at once. The maintenance calls
// (Replay, NextSegment, TruncateBefore, WriteCheckpoint, Close) may run concurrently with
// Append and with each other; they are serialized internally. One directory is locked
// (flock) by at most one open Wal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/self_metrics.h"
#include "storage/wal/aligned_buffer.h"

namespace vigil {
namespace wal {
enum class FileKind : uint8_t;
}

struct WalOptions {
  // Segments are cut before a record would take them past this size.
  uint64_t segment_bytes = 128ull << 20;
  // Off only for tests and benchmarks: nothing is fsync'd, so a crash can lose anything.
  bool sync = true;
  // Observes the duration of each fdatasync in seconds. May be null.
  Histogram* fsync_seconds = nullptr;
  // With `sync`, the segment being written is extended with zeros at least this far ahead of
  // its data (up to segment_bytes), so that most fdatasyncs find the file's size unchanged
  // and flush the data alone. A sync after the file grew must also write its inode, a second
  // synchronous write per append; under remote_write load that cost about a tenth of the
  // server's CPU. The zeros are written once before the data overwrites them, and count in
  // SizeBytes. Closed segments are cut back to their data, and replay takes an all-zero
  // segment tail no longer than this for the clean end it is. 0 turns it off.
  uint64_t preallocate_bytes = 4 << 20;
  // With `sync`, segments are written with O_DIRECT where the file system allows it: the
  // frames go from the writer's buffer to the device, not through the page cache. Buffered,
  // every byte is copied into the cache twice (once as reserved zeros, once as data): under
  // log ingest load the largest kernel cost of the server. Writes then cover whole
  // blocks: the partial block at the end of the data is kept in memory and written again,
  // with the next frames, by the next batch; what follows the data in its last block is
  // zeros, as in the reserved room. Without O_DIRECT support (tmpfs, say) segments are
  // written through the cache as before.
  bool direct_io = true;
};

// The fsync latency histogram of one store's WAL (`vigil_wal_fsync_duration_seconds{store=…}`,
// one bucket layout for every store), for WalOptions::fsync_seconds; null without a registry.
Histogram* WalFsyncHistogram(MetricsRegistry* registry, std::string_view store);

struct WalReplayStats {
  int checkpoint = 0;           // index of the checkpoint read, 0 for none
  int segments = 0;             // segment files read
  uint64_t records = 0;         // records passed to the callback, checkpoint included
  uint64_t bytes = 0;           // payload bytes of those records
  int damaged_files = 0;        // files whose valid data ended early, not in reserved zeros
  uint64_t dropped_bytes = 0;   // bytes after the first bad frame of those files and of a
                                // truncated tail
  bool truncated_tail = false;  // the newest segment was cut back to its valid prefix
};

class Wal {
  struct Key {
    explicit Key() = default;
  };

 public:
  using RecordFn = std::function<absl::Status(std::string_view record)>;

  // Opens (creating if needed) the WAL in `dir`, removes unfinished checkpoint files and
  // starts a fresh segment for appends. Does not read old records: call Replay for that.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(const std::string& dir, WalOptions options = {});
  Wal(Key, std::string dir, WalOptions options, int dir_fd);  // use Open
  ~Wal();                                                     // Close(), logging a failure
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends the records as one unit of durability. Records are at most 256 MiB each.
  absl::Status Append(std::span<const std::string_view> records);
  absl::Status Append(std::string_view record) { return Append({&record, 1}); }

  // Calls `fn` for every record of the latest checkpoint and of every segment after it that
  // precedes the current segment, in order. An error from `fn` stops replay and is returned.
  // Meant to run once after Open, before appends; records this instance appended are seen
  // only once NextSegment has closed their segment.
  absl::Status Replay(const RecordFn& fn, WalReplayStats* stats = nullptr);

  // Closes the current segment and starts the next; returns the new segment's index.
  absl::StatusOr<int> NextSegment();
  // The index of the segment appends currently go to.
  int CurrentSegment() const { return current_segment_.load(std::memory_order_acquire); }

  // Deletes the segments with index < `segment` (at most CurrentSegment()). For use once
  // their content is persisted elsewhere (a block, a checkpoint).
  absl::Status TruncateBefore(int segment);

  // Atomically writes `checkpoint.<upto_segment>` holding `records` (for the metrics head:
  // the definitions of series still live), then deletes older checkpoints. Replay then
  // starts from it and skips segments <= upto_segment, which the caller may delete with
  // TruncateBefore(upto_segment + 1). `upto_segment` must be below CurrentSegment().
  absl::Status WriteCheckpoint(int upto_segment, std::span<const std::string_view> records);

  // Waits for queued appends, syncs and closes the segment, releases the directory lock.
  // Idempotent; later Appends fail with FailedPrecondition.
  absl::Status Close();

  // Bytes of segments and checkpoints on disk, the current segment's reserved room included.
  uint64_t SizeBytes() const;
  const std::string& dir() const { return dir_; }
  // Whether the segment being written is written with O_DIRECT (WalOptions::direct_io).
  bool direct_io_active() const;

 private:
  struct Request {
    std::span<const std::string_view> records;
    absl::Status status;
    bool done = false;
  };

  // Segment I/O; all require io_mu_.
  absl::Status WriteBatchLocked(const std::vector<Request*>& batch);
  absl::Status FlushLocked();
  // Writes buf_[0, len) at `offset`; on a direct write the file refuses (EINVAL), turns
  // O_DIRECT off for the segment and writes through the cache.
  absl::Status WriteBufferLocked(size_t len, uint64_t offset);
  absl::Status SyncLocked();
  absl::Status RollLocked();
  // Keeps the zero-filled room after the data (see WalOptions::preallocate_bytes).
  absl::Status PreallocateLocked();
  // Cuts the current segment back to its data before it is closed.
  absl::Status TrimLocked();
  absl::Status CreateSegmentLocked(int index);
  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  // Replay helper: reads one file, reports damage through `stats`.
  absl::Status ReplayFile(const std::string& name, wal::FileKind kind, bool may_truncate,
                          const RecordFn& fn, WalReplayStats* stats);

  const std::string dir_;
  const WalOptions options_;
  int dir_fd_;  // held open for the flock and for fsyncing the directory

  // Group commit queue.
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request*> pending_;  // guarded by mu_
  std::vector<Request*> batch_;    // owned by the current leader
  bool leader_active_ = false;     // guarded by mu_
  bool closing_ = false;           // guarded by mu_
  bool closed_ = false;            // guarded by mu_

  // The segment being written.
  mutable std::mutex io_mu_;
  int fd_ = -1;                // guarded by io_mu_
  int segment_ = 0;            // guarded by io_mu_
  std::string segment_path_;   // guarded by io_mu_
  uint64_t segment_size_ = 0;  // bytes written to segment_, guarded by io_mu_
  uint64_t file_size_ = 0;     // segment_'s size with its zero-filled room, guarded by io_mu_
  bool preallocation_failed_ = false;  // for segment_, guarded by io_mu_
  // [the lead_ bytes of segment_'s last partial block, kept for the next direct write |
  // frames not yet written], guarded by io_mu_. lead_ is 0 unless direct_.
  wal::AlignedBuffer buf_;
  size_t lead_ = 0;            // guarded by io_mu_
  bool direct_ = false;        // segment_ is written with O_DIRECT, guarded by io_mu_
  absl::Status failed_;        // sticky: see the class comment; guarded by io_mu_
  std::atomic<int> current_segment_{0};
  int first_own_segment_ = 0;  // segments from here on were created by this instance

  // Serializes Replay, TruncateBefore and WriteCheckpoint (directory-level changes).
  std::mutex maint_mu_;
};

}  // namespace vigil
