// The head: the in-memory, writable part of the metrics store. It holds recent samples of
// every active series in compressed chunks, indexed by an inverted postings index, until a
// time range is persisted into an immutable block.
//
// Series are sharded by label hash (lookup) and by ref (access from postings) into striped
// maps, so concurrent appenders rarely contend. Writes go through a HeadAppender, which
// validates samples, logs them through a `HeadLog` (the WAL) and only then applies them.
//
// Thread-safety: all public methods are thread-safe. Lock order: commit gate -> stripe -> series.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/labels.h"
#include "common/self_metrics.h"
#include "storage/metrics/head/mem_series.h"
#include "storage/metrics/index/mem_postings.h"
#include "storage/metrics_appender.h"

namespace vigil {

struct HeadOptions {
  // Width of the ranges persisted as blocks; chunks never straddle a multiple of it.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  uint32_t samples_per_chunk = 120;
  size_t exemplars_per_series = 10;
  // Samples newer than now + this are refused (0 disables the check).
  int64_t max_future_ms = 10 * 60 * 1000;
  // Cardinality guard: 0 means unlimited.
  uint64_t max_series = 0;
  uint64_t max_series_per_metric = 0;
  std::vector<std::string> label_denylist;
  // Hostile-input guards on new series (0 disables): label count and name/value sizes.
  uint32_t max_labels_per_series = 128;
  uint32_t max_label_value_bytes = 16 << 10;
  // Hash of a packed label set; null means HashPacked. Tests set a weak one to exercise
  // the hash-collision paths.
  uint64_t (*label_hash)(std::string_view packed) = nullptr;
};

// What a commit must make durable before its samples become visible.
struct HeadCommitBatch {
  std::vector<const MemSeries*> new_series;  // series not yet logged
  std::vector<RefSample> samples;
  std::vector<std::pair<SeriesRef, const Exemplar*>> exemplars;
};

// The durability hook (the WAL). Returns once the batch is durable.
using HeadLog = std::function<absl::Status(const HeadCommitBatch&)>;

class Head {
 public:
  Head(HeadOptions options, MetricsRegistry* metrics);
  ~Head();
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // Appender for one request. `log` may be empty (no durability, e.g. tests).
  std::unique_ptr<MetricsAppender> Appender(HeadLog log);

  struct Lookup {
    MemSeries* series = nullptr;  // null when refused
    bool created = false;
    RejectReason reason = RejectReason::kSeriesLimit;
    std::string detail;
    // Only a packed hint was given and no series has it: not a refusal, the caller must
    // look up again with the labels.
    bool needs_labels = false;
  };
  // Finds or creates a series and pins it (see Unpin) so garbage collection leaves it alone.
  // `labels` may be unsorted; `packed_hint` as in MetricsAppender::GetOrCreate, and
  // `hint_hash` its HashOf when the caller has it already (prefetching computed it).
  Lookup GetOrCreatePinned(std::span<const LabelView> labels, std::string_view packed_hint = {},
                           std::optional<uint64_t> hint_hash = std::nullopt);
  // The hash a packed label set is looked up by.
  uint64_t HashOf(std::string_view packed) const;
  // Prefetching for a lookup of `hash` coming soon, in two stages a caller spaces apart:
  // first the index slot, then (once that is in cache) the series and its label bytes.
  // Lookups of series already in the head are a chain of dependent cache misses (slot,
  // series, labels); issuing them for several series ahead overlaps the misses. Both are
  // hints: a busy stripe is skipped, not waited for. The second stage also returns the series
  // the slot holds, pinned (the caller unpins it when it is not the one it looks for), so the
  // lookup itself needs no second pass through the index; nullptr when there is none or the
  // stripe was busy.
  void PrefetchSlot(uint64_t hash);
  MemSeries* PrefetchSeries(uint64_t hash);
  MemSeries* GetPinned(SeriesRef ref);
  // One more pin on a series the caller already holds pinned (so it cannot be collected
  // meanwhile), for a reader that keeps it past that first pin.
  void AddPin(MemSeries* s) { s->pins.fetch_add(1, std::memory_order_relaxed); }
  void Unpin(MemSeries* s);
  // Replay: creates the series with a given ref (or returns the existing one).
  MemSeries* CreateForReplay(SeriesRef ref, Labels labels);
  MemSeries* GetForReplay(SeriesRef ref);

  // Checks a sample against the series' newest sample and the head's time bounds. Returns
  // nullopt when appendable; `*dup` is set for an exact duplicate (ignored, not an error).
  std::optional<RejectReason> CheckAppendable(int64_t prev_t, uint64_t prev_bits, int64_t t,
                                              double v, int64_t now_ms, bool* dup) const;
  // Appends to the series; the caller holds s->mu and has checked order.
  void AppendLocked(MemSeries& s, int64_t t, double v);

  // The commit gate: commits hold it shared across log + apply; Barrier() takes it
  // exclusively, so the caller sees no half-applied commit.
  std::shared_mutex& commit_gate() { return commit_gate_; }

  int64_t MinValidTime() const { return min_valid_time_.load(std::memory_order_acquire); }
  void SetMinValidTime(int64_t t);
  int64_t MinTime() const { return min_time_.load(std::memory_order_acquire); }
  int64_t MaxTime() const { return max_time_.load(std::memory_order_acquire); }
  void ExtendTimeBounds(int64_t mint, int64_t maxt);
  uint64_t NumSeries() const { return num_series_.load(std::memory_order_relaxed); }
  uint64_t NumChunks() const;

  const MemPostings& postings() const { return postings_; }
  // Calls fn for the series of each ref (skipping refs gone in between).
  void ForEachSeries(std::span<const uint64_t> refs, const std::function<void(MemSeries&)>& fn);
  // Every series ref, unsorted.
  std::vector<SeriesRef> AllRefs() const;

  // Drops chunks whose samples are all before `t`, then series left without data and not
  // pinned. Returns the number of series removed.
  size_t TruncateBefore(int64_t t);
  // Recomputes MinTime from the remaining chunks (after truncation).
  void RecomputeMinTime();

  void AddExemplar(MemSeries& s, const Exemplar& e);
  // Removes the series' samples in [mint, maxt] by re-encoding its chunks (delete_series).
  void DeleteRange(MemSeries& s, int64_t mint, int64_t maxt);
  uint64_t next_ref() const { return next_ref_.load(); }

  const HeadOptions& options() const { return options_; }
  MetricsRegistry* metrics() const { return metrics_; }

  // Self-metric counters shared by appenders.
  Counter* samples_appended = nullptr;
  Counter* series_created = nullptr;
  Counter* series_removed = nullptr;
  Counter* rejected[static_cast<size_t>(RejectReason::kCount)] = {};

 private:
  static constexpr size_t kStripes = 1024;
  // A series and its label bytes, so prefetching can reach both from the slot at once.
  struct SeriesSlot {
    MemSeries* series;
    const char* packed;
    size_t packed_size;
  };
  static SeriesSlot SlotOf(MemSeries* s) {
    return {s, s->labels.packed().data(), s->labels.packed().size()};
  }
  struct HashStripe {
    std::mutex mu;
    // Label hash -> series. The pointer sits in the map slot (no list to chase) because
    // this lookup runs for every series of every write; the rare second series with the
    // same 64-bit hash goes to `collisions`.
    absl::flat_hash_map<uint64_t, SeriesSlot> by_hash;
    absl::flat_hash_map<uint64_t, std::vector<MemSeries*>> collisions;
  };
  struct RefStripe {
    std::mutex mu;
    absl::flat_hash_map<SeriesRef, std::unique_ptr<MemSeries>> by_ref;
  };
  std::optional<std::string> CheckLimits(std::span<const LabelView> labels, RejectReason* reason);
  // The series with exactly these packed labels and hash, pinned; the caller holds the
  // stripe's lock.
  static MemSeries* FindLocked(HashStripe& hs, uint64_t hash, std::string_view packed);
  MemSeries* Insert(uint64_t hash, SeriesRef ref, Labels labels);
  void CountMetricSeries(std::string_view metric, int delta);

  const HeadOptions options_;
  MetricsRegistry* metrics_;
  std::unique_ptr<HashStripe[]> hash_stripes_;
  std::unique_ptr<RefStripe[]> ref_stripes_;
  MemPostings postings_;
  absl::flat_hash_set<std::string> denylist_;

  std::atomic<SeriesRef> next_ref_{1};
  std::atomic<uint64_t> num_series_{0};
  std::atomic<int64_t> min_time_{INT64_MAX};
  std::atomic<int64_t> max_time_{INT64_MIN};
  std::atomic<int64_t> min_valid_time_{INT64_MIN};
  std::shared_mutex commit_gate_;

  std::mutex limits_mu_;
  absl::flat_hash_map<std::string, uint64_t> series_per_metric_;
  absl::flat_hash_set<std::string> limit_logged_;  // metrics whose refusal was logged once
};

}  // namespace vigil
