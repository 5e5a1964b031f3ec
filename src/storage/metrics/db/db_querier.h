// The MetricsDb read path: a querier over a snapshot of the block list plus the head,
// merging a series found in several of them into one, sorted and de-duplicated.
//
// Thread-safety: one querier per request; it holds references to its blocks, so compaction
// may replace them meanwhile.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "storage/metrics/block/block.h"
#include "storage/metrics/head/head.h"
#include "storage/metrics_querier.h"

namespace vigil {

class DbQuerier final : public MetricsQuerier {
 public:
  DbQuerier(Head& head, std::vector<std::shared_ptr<const block::Block>> blocks, int64_t mint,
            int64_t maxt);

  std::unique_ptr<SeriesSet> Select(const Matchers& matchers, const SelectHints& hints) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       const Matchers& matchers) override;

  // A head series pinned for as long as a query may read it: the querier finds it once and
  // reads it without looking it up again, and garbage collection leaves it alone meanwhile.
  class PinnedSeries {
   public:
    PinnedSeries() = default;
    PinnedSeries(Head* head, MemSeries* s) : head_(head), s_(s) { head_->AddPin(s_); }
    PinnedSeries(PinnedSeries&& o) noexcept
        : head_(o.head_), s_(std::exchange(o.s_, nullptr)) {}
    PinnedSeries& operator=(PinnedSeries&& o) noexcept {
      if (this != &o) {
        Release();
        head_ = o.head_;
        s_ = std::exchange(o.s_, nullptr);
      }
      return *this;
    }
    ~PinnedSeries() { Release(); }
    MemSeries* get() const { return s_; }

   private:
    void Release() {
      if (s_ != nullptr) head_->Unpin(s_);
      s_ = nullptr;
    }
    Head* head_ = nullptr;
    MemSeries* s_ = nullptr;
  };

  // Where one series' data lives.
  struct Sources {
    std::vector<std::pair<const block::Block*, uint32_t>> blocks;
    PinnedSeries head;  // empty: not in the head
  };
  struct Selected {
    Labels labels;
    Sources sources;
  };
  // Selected series in ascending label order, one entry per label set.
  using SeriesList = std::vector<Selected>;

 private:
  absl::Status Collect(const Matchers& matchers, int64_t mint, int64_t maxt, SeriesList* out);
  bool HeadOverlaps(int64_t mint, int64_t maxt) const;

  Head& head_;
  std::vector<std::shared_ptr<const block::Block>> blocks_;
  int64_t mint_, maxt_;
};

}  // namespace vigil
