// MetricsDb: the embedded metrics store — a head (recent data in memory), a write-ahead log
// (durability), and immutable blocks on disk (history) — behind the MetricsStore interface.
//
// Layout of `dir`: `wal/` (segments and checkpoints), one folder per block (named by its
// id), `snapshots/` (hard-linked copies made by Snapshot()).
//
// Lifecycle: Open() loads blocks, replays the WAL into the head and starts a maintenance
// thread that persists old head ranges into blocks, compacts blocks and applies retention.
// Close() stops it and closes the WAL cleanly.
//
// Thread-safety: every public method is thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/self_metrics.h"
#include "storage/metrics/block/block.h"
#include "storage/metrics/head/head.h"
#include "storage/metrics/wal/records.h"
#include "storage/wal/wal.h"
#include "storage/metrics_store.h"

namespace vigil {

struct MetricsDbOptions {
  std::string dir;
  HeadOptions head;
  bool wal_sync = true;
  uint64_t wal_segment_bytes = 128ull << 20;
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;  // 0 = keep forever
  uint64_t retention_bytes = 0;                    // 0 = no size limit
  // How often the maintenance thread runs (0 = never; tests drive maintenance by hand).
  int64_t maintenance_interval_ms = 60 * 1000;
};

class MetricsDb final : public MetricsStore, public ExemplarQuerier {
 public:
  static absl::StatusOr<std::unique_ptr<MetricsDb>> Open(MetricsDbOptions options,
                                                         MetricsRegistry* metrics);
  ~MetricsDb() override;
  absl::Status Close();

  // MetricsStore
  std::unique_ptr<MetricsAppender> Appender() override;
  std::unique_ptr<MetricsQuerier> Querier(int64_t mint, int64_t maxt) override;
  ExemplarQuerier& Exemplars() override { return *this; }
  void SetMetadata(std::string_view metric, const MetricMetadata& md) override;
  std::vector<std::pair<std::string, MetricMetadata>> Metadata(std::string_view metric,
                                                               size_t limit) override;
  StoreStats Stats() override;
  absl::Status Flush() override;
  absl::StatusOr<std::string> Snapshot() override;
  absl::Status DeleteSeries(const std::vector<Matchers>& selectors, int64_t mint,
                            int64_t maxt) override;

  // ExemplarQuerier
  absl::StatusOr<std::vector<SeriesExemplars>> SelectExemplars(const std::vector<Matchers>& selectors,
                                                               int64_t mint, int64_t maxt) override;

  // Maintenance steps, run by the background thread and callable from tests.
  // Persists head ranges that are older than 1.5 block ranges behind the newest sample.
  absl::Status CompactHead();
  // Merges adjacent blocks into larger ranges and rewrites overlapping blocks.
  absl::Status CompactBlocks();
  absl::Status ApplyRetention();

  Head& head() { return *head_; }
  std::vector<std::shared_ptr<const block::Block>> Blocks() const;
  uint64_t WalSizeBytes() const { return wal_->SizeBytes(); }

 private:
  MetricsDb(MetricsDbOptions options, MetricsRegistry* metrics);
  absl::Status LoadBlocks();
  absl::Status Replay();
  absl::Status LogBatch(const HeadCommitBatch& batch);
  // Writes head chunks within [mint, maxt] as a block under `parent` (the data folder or a
  // snapshot folder). With `cut`, the caller has raised the head's lower bound first.
  absl::StatusOr<block::BlockMeta> WriteHeadBlock(const std::string& parent, int64_t mint,
                                                  int64_t maxt);
  // Persists [.., maxt] of the head as a block, truncates the head and the WAL.
  absl::Status PersistHead(int64_t maxt);
  absl::Status TruncateWal(int64_t before);
  absl::Status AddBlock(const std::string& id);
  void RemoveBlocks(const std::vector<std::string>& ids);
  void MaintenanceLoop();

  const MetricsDbOptions options_;
  MetricsRegistry* metrics_;
  std::unique_ptr<Head> head_;
  std::unique_ptr<Wal> wal_;

  mutable std::mutex blocks_mu_;
  std::vector<std::shared_ptr<const block::Block>> blocks_;  // sorted by min_time

  // Serializes maintenance (head persistence, compaction, retention, deletion, snapshots).
  std::mutex maintenance_mu_;

  std::mutex wal_seg_mu_;
  std::map<int, int64_t> segment_max_t_;  // newest sample time written to each segment

  std::mutex metadata_mu_;
  std::map<std::string, MetricMetadata, std::less<>> metadata_;
  // Changed metadata not yet in the WAL: written with the next batch of samples (or at
  // Close), so a scrape or import that announces many families costs no fsync of its own.
  std::vector<wal::RefMetadata> pending_metadata_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread maintenance_;
  bool closed_ = false;

  Counter* compactions_ = nullptr;
  Counter* head_persists_ = nullptr;
  Counter* replay_unknown_refs_ = nullptr;
};

}  // namespace vigil
