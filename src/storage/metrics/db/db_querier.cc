#include "storage/metrics/db/db_querier.h"

#include <algorithm>
#include <set>

#include "storage/metrics/chunkenc/chunk.h"
#include "storage/metrics/head/head_index.h"

namespace vigil {
namespace {

class DbSeriesSet final : public SeriesSet {
 public:
  DbSeriesSet(Head& head, std::vector<std::shared_ptr<const block::Block>> blocks,
              DbQuerier::SeriesMap series, const SelectHints& hints, absl::Status status)
      : head_(head),
        blocks_(std::move(blocks)),
        series_(std::move(series)),
        hints_(hints),
        status_(std::move(status)),
        it_(series_.begin()) {}

  bool Next() override {
    if (!status_.ok()) return false;
    if (started_) ++it_;
    started_ = true;
    if (it_ == series_.end()) return false;
    buf_.clear();
    if (hints_.labels_only) return true;
    const DbQuerier::Sources& src = it_->second;
    for (const auto& [b, id] : src.blocks) {
      auto chunks = b->SeriesChunks(id);
      if (!chunks.ok()) return Fail(chunks.status());
      for (const auto& c : *chunks) {
        if (c.maxt < hints_.mint || c.mint > hints_.maxt) continue;
        auto chunk = b->Chunk(c.ref);
        if (!chunk.ok()) return Fail(chunk.status());
        if (absl::Status st = chunkenc::DecodeChunk(*chunk, &buf_, hints_.mint, hints_.maxt);
            !st.ok()) {
          return Fail(st);
        }
      }
    }
    if (src.head_ref != 0) {
      if (MemSeries* s = head_.GetPinned(src.head_ref)) {
        {
          std::lock_guard lock(s->mu);
          s->SamplesLocked(hints_.mint, hints_.maxt, &buf_);
        }
        head_.Unpin(s);
      }
    }
    // Blocks come in time order and rarely overlap, so the concatenation is usually already
    // strictly increasing: one scan confirms it, and only overlapping sources pay for a sort.
    const bool strictly_increasing =
        std::adjacent_find(buf_.begin(), buf_.end(), [](const Sample& a, const Sample& b) {
          return a.t >= b.t;
        }) == buf_.end();
    if (!strictly_increasing) {
      // Overlapping sources: order by time and keep one sample per timestamp (the later
      // source, the head, wins; it holds the same value unless data was rewritten).
      std::stable_sort(buf_.begin(), buf_.end(), ByTime);
      size_t out = 0;
      for (size_t i = 0; i < buf_.size(); ++i) {
        if (out > 0 && buf_[out - 1].t == buf_[i].t) {
          buf_[out - 1] = buf_[i];
        } else {
          buf_[out++] = buf_[i];
        }
      }
      buf_.resize(out);
    }
    return true;
  }

  const Labels& labels() const override { return it_->first; }
  std::span<const Sample> samples() const override { return buf_; }
  absl::Status status() const override { return status_; }

 private:
  static bool ByTime(const Sample& a, const Sample& b) { return a.t < b.t; }
  bool Fail(const absl::Status& st) {
    status_ = st;
    return false;
  }

  Head& head_;
  std::vector<std::shared_ptr<const block::Block>> blocks_;  // keeps the blocks alive
  DbQuerier::SeriesMap series_;
  SelectHints hints_;
  absl::Status status_;
  DbQuerier::SeriesMap::iterator it_;
  bool started_ = false;
  std::vector<Sample> buf_;
};

}  // namespace

DbQuerier::DbQuerier(Head& head, std::vector<std::shared_ptr<const block::Block>> blocks,
                     int64_t mint, int64_t maxt)
    : head_(head), blocks_(std::move(blocks)), mint_(mint), maxt_(maxt) {}

bool DbQuerier::HeadOverlaps(int64_t mint, int64_t maxt) const {
  return head_.NumSeries() > 0 && head_.MinTime() <= maxt && head_.MaxTime() >= mint;
}

absl::Status DbQuerier::Collect(const Matchers& matchers, int64_t mint, int64_t maxt,
                                SeriesMap* out) {
  Labels labels;
  std::vector<block::ChunkMeta> chunks;
  for (const auto& b : blocks_) {
    // Block max_time is exclusive.
    if (b->meta().max_time <= mint || b->meta().min_time > maxt) continue;
    auto ids = b->PostingsForMatchers(matchers);
    if (!ids.ok()) return ids.status();
    for (uint32_t id : *ids) {
      if (absl::Status st = b->Series(id, &labels, &chunks); !st.ok()) return st;
      bool overlaps = std::any_of(chunks.begin(), chunks.end(), [&](const block::ChunkMeta& c) {
        return c.maxt >= mint && c.mint <= maxt;
      });
      if (overlaps) (*out)[labels].blocks.emplace_back(b.get(), id);
    }
  }
  if (HeadOverlaps(mint, maxt)) {
    HeadIndex index(head_);
    Postings refs = PostingsForMatchers(index, matchers);
    head_.ForEachSeries(refs, [&](MemSeries& s) {
      bool overlaps;
      {
        std::lock_guard lock(s.mu);
        overlaps = s.NumChunksLocked() > 0 && s.MinTimeLocked() <= maxt && s.max_time >= mint;
      }
      if (overlaps) (*out)[s.labels].head_ref = s.ref;
    });
  }
  return absl::OkStatus();
}

std::unique_ptr<SeriesSet> DbQuerier::Select(const Matchers& matchers, const SelectHints& hints) {
  SeriesMap series;
  absl::Status st = Collect(matchers, hints.mint, hints.maxt, &series);
  return std::make_unique<DbSeriesSet>(head_, blocks_, std::move(series), hints, st);
}

absl::StatusOr<std::vector<std::string>> DbQuerier::LabelNames(const Matchers& matchers) {
  std::set<std::string> names;
  if (matchers.empty()) {
    for (const auto& b : blocks_) {
      if (b->meta().max_time <= mint_ || b->meta().min_time > maxt_) continue;
      for (auto& n : b->LabelNames()) names.insert(std::move(n));
    }
    if (HeadOverlaps(mint_, maxt_)) {
      for (auto& n : head_.postings().LabelNames()) names.insert(std::move(n));
    }
  } else {
    SeriesMap series;
    if (absl::Status st = Collect(matchers, mint_, maxt_, &series); !st.ok()) return st;
    for (const auto& [labels, src] : series) {
      for (const auto& l : labels) names.emplace(l.name);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::vector<std::string>> DbQuerier::LabelValues(std::string_view name,
                                                                const Matchers& matchers) {
  std::set<std::string> values;
  if (matchers.empty()) {
    for (const auto& b : blocks_) {
      if (b->meta().max_time <= mint_ || b->meta().min_time > maxt_) continue;
      for (auto& v : b->LabelValues(name)) values.insert(std::move(v));
    }
    if (HeadOverlaps(mint_, maxt_)) {
      for (auto& v : head_.postings().LabelValues(name)) values.insert(std::move(v));
    }
  } else {
    SeriesMap series;
    if (absl::Status st = Collect(matchers, mint_, maxt_, &series); !st.ok()) return st;
    for (const auto& [labels, src] : series) {
      std::string_view v = labels.Get(name);
      if (!v.empty()) values.emplace(v);
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace vigil
