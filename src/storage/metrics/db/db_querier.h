// The MetricsDb read path: a querier over a snapshot of the block list plus the head,
// merging a series found in several of them into one, sorted and de-duplicated.
//
// Thread-safety: one querier per request; it holds references to its blocks, so compaction
// may replace them meanwhile.
#pragma once

#include <map>
#include <memory>
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

  // Where one series' data lives.
  struct Sources {
    std::vector<std::pair<const block::Block*, uint32_t>> blocks;
    SeriesRef head_ref = 0;  // 0: not in the head
  };
  using SeriesMap = std::map<Labels, Sources>;

 private:
  absl::Status Collect(const Matchers& matchers, int64_t mint, int64_t maxt, SeriesMap* out);
  bool HeadOverlaps(int64_t mint, int64_t maxt) const;

  Head& head_;
  std::vector<std::shared_ptr<const block::Block>> blocks_;
  int64_t mint_, maxt_;
};

}  // namespace vigil
