// HeadAppender: one write transaction against the head (MetricsAppender).
//
// Append() validates samples against the series' newest sample at once, so the sender
// learns which samples were refused; Commit() logs the accepted ones (WAL) and applies them
// under the head's commit gate. Series touched by the appender stay pinned until it ends.
//
// Thread-safety: one appender per thread; many appenders may run concurrently.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "storage/metrics/head/head.h"

namespace vigil {

class HeadAppender final : public MetricsAppender {
 public:
  HeadAppender(Head& head, HeadLog log);
  ~HeadAppender() override;

  absl::StatusOr<SeriesRef> GetOrCreate(std::span<const LabelView> labels,
                                        std::string_view packed_hint = {}) override;
  void Prefetch(std::string_view packed_hint) override;
  void Append(SeriesRef ref, std::span<const Sample> samples) override;
  void AppendExemplar(SeriesRef ref, const Exemplar& e) override;
  absl::Status Commit() override;
  void Rollback() override;
  const AppendStats& stats() const override { return stats_; }

 private:
  struct Pending {
    MemSeries* series;
    uint32_t begin;  // range in samples_
    uint32_t end;
  };
  MemSeries* Resolve(SeriesRef ref);
  struct Hint;
  // The hint Prefetch recorded for these bytes, if they are among the recent ones.
  Hint* FindHint(std::string_view packed);
  void DropCandidate(Hint& h);
  void Reject(RejectReason reason, const MemSeries& s, int64_t t, uint64_t n);
  void Release();

  Head& head_;
  HeadLog log_;
  const int64_t now_ms_;  // one clock read per request, for the far-future check
  AppendStats stats_;
  std::vector<MemSeries*> pinned_;
  std::vector<Pending> pending_;
  std::vector<Sample> samples_;
  std::vector<std::pair<MemSeries*, Exemplar>> exemplars_;
  bool done_ = false;

  // The last kHints hints, oldest at hints_seen_ % kHints: the series' slot is prefetched
  // when it is hinted, the series itself half the distance later, and its lookup finds the
  // hash and that series here. One more than the distance, so a series' hint is still held
  // when its lookup comes (the ingest loop hints kPrefetchAhead series ahead first).
  struct Hint {
    const char* data = nullptr;
    size_t size = 0;
    uint64_t hash = 0;
    MemSeries* candidate = nullptr;  // pinned: the series the hash led to, if any
  };
  static constexpr size_t kHints = kPrefetchAhead + 1;
  std::array<Hint, kHints> hints_{};
  size_t hints_seen_ = 0;
};

}  // namespace vigil
