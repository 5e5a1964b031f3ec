// The embedded log store: WAL -> head -> immutable column segments (docs/formats/log_segment.md).
//
// Append validates records (time window, line size, stream limit), writes the accepted ones to
// the WAL as one record (group-committed, fdatasync'd) and then into the head, and returns once
// they are durable. A background thread cuts the head into segments when it passes
// `head_max_bytes` or `head_max_age`: the head is frozen and replaced under a brief exclusive
// lock (which also rolls the WAL to a new segment), its rows are sorted by stream and time and
// written, grouped by retention rule and time window, into one directory per cut; the
// directory is renamed into place (the cut's commit point), then the WAL segments it covers are
// deleted. On open, cut directories are loaded, unfinished ones removed, WAL segments already
// covered deleted, and the rest of the WAL replayed into the head. `kill -9` loses nothing that
// Append acknowledged.
//
// Retention: each stream belongs to the first rule whose selector matches it (else the default
// period); a cut writes the streams of each rule into their own segments, so expired data goes
// by deleting whole segment files.
//
// Thread-safety: every public method may be called concurrently.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/periodic_thread.h"
#include "common/self_metrics.h"
#include "storage/logs/log_head.h"
#include "storage/logs/segment.h"
#include "storage/logs/segment_writer.h"
#include "storage/logs_store.h"
#include "storage/wal/wal.h"

namespace vigil {

struct LogRetentionRule {
  std::string selector;  // as configured, for messages
  Matchers matchers;
  int64_t period_ns = 0;
};

struct LogsDbOptions {
  std::string dir;
  bool wal_sync = true;
  size_t max_streams = 100000;              // active streams in the head; 0 = unlimited
  size_t max_line_bytes = 256 << 10;
  int64_t reject_older_than_ns = 7 * 24 * 3600 * 1'000'000'000LL;
  int64_t max_future_ns = 10 * 60 * 1'000'000'000LL;
  uint64_t head_max_bytes = 64 << 20;
  int64_t head_max_age_ns = 30 * 60 * 1'000'000'000LL;
  int64_t segment_window_ns = 3600 * 1'000'000'000LL;
  int64_t retention_ns = 90 * 24 * 3600 * 1'000'000'000LL;  // default rule
  std::vector<LogRetentionRule> retention_rules;            // first match wins
  int64_t maintenance_interval_ns = 1'000'000'000LL;
  bool background = true;  // off in tests that drive Flush/ApplyRetention themselves
  // Threads one unordered Select (metric queries, aggregations) reads segments with.
  size_t query_threads = std::max(1u, std::thread::hardware_concurrency());
  logs::SegmentWriterOptions segment;
};

class LogsDb final : public LogsStore {
 public:
  static absl::StatusOr<std::unique_ptr<LogsDb>> Open(const LogsDbOptions& options,
                                                      MetricsRegistry* metrics = nullptr);
  ~LogsDb() override;

  absl::StatusOr<LogAppendStats> Append(const LogBatch& batch) override;
  absl::Status Select(const LogSelectRequest& req, const LogRecordsFn& fn) override;
  absl::StatusOr<std::vector<Labels>> Streams(const Matchers& matchers, int64_t start_ns,
                                              int64_t end_ns) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(int64_t start_ns, int64_t end_ns) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name, int64_t start_ns,
                                                       int64_t end_ns) override;
  LogStoreStats Stats() override;
  absl::Status Flush() override;

  // Deletes segments whose newest record is older than their rule's period at `now_ns`.
  absl::Status ApplyRetention(int64_t now_ns);
  // Cuts the head (Flush), stops the background thread and closes the WAL. Idempotent.
  absl::Status Close();

 private:
  struct Key {};

 public:
  LogsDb(Key, LogsDbOptions options, MetricsRegistry* metrics);

 private:
  // What a reader sees: the published segments, the heads being cut, the head.
  struct View {
    std::vector<std::shared_ptr<const logs::Segment>> segments;
    std::vector<std::shared_ptr<logs::LogHead>> heads;  // frozen ones, then the live one
  };
  View Snapshot();

  absl::Status Load();
  absl::Status Replay();
  absl::Status CutHead();
  absl::StatusOr<std::vector<std::shared_ptr<const logs::Segment>>> WriteCut(
      logs::LogHead& head, int wal_upto, uint64_t cut_id);
  size_t RuleOf(const Labels& stream) const;
  int64_t PeriodOf(size_t rule) const;
  // One round of background maintenance: a due cut, retention once a minute.
  void Maintain();

  const LogsDbOptions options_;
  std::unique_ptr<Wal> wal_;

  // Appends hold it shared across "WAL append + head append"; a cut holds it exclusively to
  // swap the head and roll the WAL, so every record in the WAL segments the cut covers is in
  // the frozen head. absl::Mutex keeps a waiting cut from starving behind a stream of appends.
  absl::Mutex append_mu_;

  mutable std::mutex mu_;  // guards the fields below
  std::shared_ptr<logs::LogHead> head_;
  std::vector<std::shared_ptr<logs::LogHead>> frozen_;  // oldest first
  std::vector<int> frozen_wal_upto_;  // per frozen head: the first WAL segment it does not cover
  std::vector<std::shared_ptr<const logs::Segment>> segments_;
  uint64_t next_cut_id_ = 1;

  std::mutex cut_mu_;  // one cut (or retention pass) at a time

  std::atomic<bool> closed_{false};
  int64_t last_retention_ns_ = 0;  // monotonic; maintenance thread only
  PeriodicThread maintenance_;

  Counter* lines_accepted_ = nullptr;
  Counter* bytes_accepted_ = nullptr;
  std::array<Counter*, static_cast<size_t>(LogRejectReason::kCount)> lines_rejected_{};
  Counter* cuts_ = nullptr;
  Counter* segments_deleted_ = nullptr;
};

}  // namespace vigil
