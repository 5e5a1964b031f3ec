// The embedded trace store: WAL -> head -> immutable span segments
// (docs/formats/trace_segment.md).
//
// Append checks each span's time against the accepted window, writes the accepted spans to the
// WAL as one record (group-committed, fdatasync'd), then adds the record to the head, and
// returns once they are durable. A background thread cuts the head when it passes
// `head_max_bytes` or `head_max_age`: the head is frozen and replaced under a brief exclusive
// lock (which also rolls the WAL), its spans are grouped into time sections, sorted by trace id
// within each, and written as one segment file `<cut>-<wal upto>.tseg`, renamed into place (the commit point), and the WAL segments it
// covers are deleted. On open, segments are loaded, unfinished ones (`.tmp`) removed, and the
// rest of the WAL replayed into the head: `kill -9` loses nothing Append acknowledged. While a
// cut is behind (the previous head still being written and the live one already full),
// appends wait for it, so memory stays bounded under sustained overload.
//
// Retention deletes whole segments whose newest span ended before now - retention. Tail-based
// sampling (trace_sampling.h), when configured, is applied at the cut.
//
// Thread-safety: every public method may be called concurrently.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/periodic_thread.h"
#include "common/self_metrics.h"
#include "storage/traces/segment.h"
#include "storage/traces/segment_writer.h"
#include "storage/traces/trace_head.h"
#include "storage/traces/trace_sampling.h"
#include "storage/traces_store.h"
#include "storage/wal/wal.h"

namespace vigil {

struct TracesDbOptions {
  std::string dir;
  bool wal_sync = true;
  int64_t retention_ns = 14 * 24 * 3600 * 1'000'000'000LL;
  int64_t max_future_ns = 10 * 60 * 1'000'000'000LL;
  uint64_t head_max_bytes = 64 << 20;
  // Back-pressure: while a cut is still writing the previous head and the live one is full
  // too, appends wait (at most this long, then fail as Unavailable, 503 over HTTP), so a
  // sender faster than the cut holds one head in memory being cut and one filling instead
  // of a live head that grows with every cycle.
  int64_t append_max_wait_ns = 30'000'000'000;
  int64_t head_max_age_ns = 10 * 60 * 1'000'000'000LL;
  int64_t maintenance_interval_ns = 1'000'000'000LL;
  bool background = true;  // off in tests that drive Flush/ApplyRetention themselves
  // Threads one ScanSpans reads segments with.
  size_t query_threads = std::max(1u, std::thread::hardware_concurrency());
  traces::SegmentWriterOptions segment;
  traces::TraceSamplingOptions sampling;
};

class TracesDb final : public TracesStore {
 public:
  static absl::StatusOr<std::unique_ptr<TracesDb>> Open(const TracesDbOptions& options,
                                                        MetricsRegistry* metrics = nullptr);
  ~TracesDb() override;

  absl::StatusOr<SpanAppendStats> Append(const SpanBatch& batch) override;
  absl::Status GetTrace(const TraceId& trace_id, int64_t start_ns, int64_t end_ns,
                        std::vector<Span>* out) override;
  absl::Status ScanSpans(const SpanScanRequest& request,
                         const std::function<bool(std::span<const SpanRow>)>& fn) override;
  absl::Status ScanTrace(const TraceId& trace_id, int64_t start_ns, int64_t end_ns,
                         const std::function<void(std::span<const SpanRow>)>& fn) override;
  absl::StatusOr<std::vector<std::string>> Services(int64_t start_ns, int64_t end_ns) override;
  absl::StatusOr<std::vector<std::string>> SpanNames(std::string_view service, int64_t start_ns,
                                                     int64_t end_ns) override;
  TracesStoreStats Stats() override;
  absl::Status Flush() override;

  // Deletes segments whose newest span ended before now_ns - retention.
  absl::Status ApplyRetention(int64_t now_ns);
  // Cuts the head, stops the background thread and closes the WAL. Idempotent.
  absl::Status Close();

 private:
  struct Key {};

 public:
  TracesDb(Key, TracesDbOptions options, MetricsRegistry* metrics);

 private:
  struct View {
    std::vector<std::shared_ptr<const traces::Segment>> segments;
    std::vector<std::shared_ptr<traces::TraceHead>> heads;  // frozen ones, then the live one
  };
  View Snapshot();
  // Writes spans (already accepted) to the WAL and the live head. `wait_for_cut`: apply the
  // back-pressure (not for the cut's own re-logging of carried spans).
  absl::Status WriteAccepted(const SpanBatch& batch, std::span<const uint32_t> spans,
                             bool wait_for_cut);
  absl::Status Load();
  absl::Status Replay();
  absl::Status CutHead();
  // A cut with tail sampling on: decides the head's spans' fates, carries the undecided ones
  // into the live head and writes the kept ones to `path`. Requires cut_mu_.
  absl::StatusOr<uint64_t> WriteSampledSegment(const traces::TraceHead& head,
                                               const std::string& path, uint64_t* dropped);
  // One round of background maintenance: a due cut, retention once a minute.
  void Maintain();

  const TracesDbOptions options_;
  std::unique_ptr<Wal> wal_;

  // Appends hold it shared across "WAL append + head add"; a cut holds it exclusively to swap
  // the head and roll the WAL, so the frozen head holds exactly the WAL segments it covers.
  absl::Mutex append_mu_;

  std::mutex mu_;  // guards the fields below
  std::condition_variable cut_done_;  // notified when a frozen head has been written
  std::shared_ptr<traces::TraceHead> head_;
  std::vector<std::shared_ptr<traces::TraceHead>> frozen_;  // oldest first
  std::vector<int> frozen_wal_upto_;
  std::vector<std::shared_ptr<const traces::Segment>> segments_;
  uint64_t next_cut_id_ = 1;

  std::mutex cut_mu_;  // one cut or retention pass at a time
  traces::SegmentScratch cut_scratch_;  // guarded by cut_mu_

  std::atomic<bool> closed_{false};
  int64_t last_retention_ns_ = 0;  // monotonic; maintenance thread only
  PeriodicThread maintenance_;

  Counter* spans_accepted_ = nullptr;
  std::array<Counter*, static_cast<size_t>(SpanRejectReason::kCount)> spans_rejected_{};
  Counter* cuts_ = nullptr;
  Counter* sampled_out_ = nullptr;
  Counter* segments_deleted_ = nullptr;
  Counter* append_waits_ = nullptr;
};

}  // namespace vigil
