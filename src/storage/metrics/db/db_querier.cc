#include "storage/metrics/db/db_querier.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "absl/container/flat_hash_map.h"

#include "storage/metrics/chunkenc/chunk.h"
#include "storage/metrics/head/head_index.h"

namespace vigil {
namespace {

class DbSeriesSet final : public SeriesSet {
 public:
  DbSeriesSet(Head& head, std::vector<std::shared_ptr<const block::Block>> blocks,
              DbQuerier::SeriesList series, const SelectHints& hints, absl::Status status)
      : head_(head),
        blocks_(std::move(blocks)),
        series_(std::move(series)),
        hints_(hints),
        status_(std::move(status)) {}

  bool Next() override {
    if (!status_.ok()) return false;
    if (started_) ++pos_;
    started_ = true;
    if (pos_ >= series_.size()) return false;
    buf_.clear();
    if (hints_.labels_only) return true;
    PrefetchAhead(pos_);
    if (absl::Status st = Decode(series_[pos_].sources, &buf_); !st.ok()) {
      status_ = st;
      return false;
    }
    return true;
  }

  const Labels& labels() const override { return series_[pos_].labels; }
  std::span<const Sample> samples() const override { return buf_; }
  absl::Status status() const override { return status_; }

  int64_t Size() const override {
    return status_.ok() && !started_ ? static_cast<int64_t>(series_.size()) : -1;
  }
  const Labels& LabelsAt(size_t i) const override { return series_[i].labels; }
  absl::Status SamplesAt(size_t i, std::vector<Sample>* out) const override {
    PrefetchAhead(i);
    return Decode(series_[i].sources, out);
  }

 private:
  // Series are read in order (by one thread, or in runs by several): the head series a few
  // places ahead is requested now, so its lock and chunk list are in cache when its turn
  // comes instead of each read starting with a miss.
  void PrefetchAhead(size_t i) const {
    constexpr size_t kAhead = 4;
    if (i + kAhead >= series_.size()) return;
    if (const MemSeries* s = series_[i + kAhead].sources.head.get()) {
      __builtin_prefetch(s);
      __builtin_prefetch(reinterpret_cast<const char*>(s) + 64);
    }
  }

  // Appends a series' samples from its blocks and the head, in time order, one per timestamp.
  // Blocks and head series are safe to read concurrently, so this may run on many threads.
  absl::Status Decode(const DbQuerier::Sources& src, std::vector<Sample>* buf) const {
    const size_t base = buf->size();
    for (const auto& [b, id] : src.blocks) {
      auto chunks = b->SeriesChunks(id);
      if (!chunks.ok()) return chunks.status();
      for (const auto& c : *chunks) {
        if (c.maxt < hints_.mint || c.mint > hints_.maxt) continue;
        auto chunk = b->Chunk(c.ref);
        if (!chunk.ok()) return chunk.status();
        if (absl::Status st = chunkenc::DecodeChunk(*chunk, buf, hints_.mint, hints_.maxt);
            !st.ok()) {
          return st;
        }
      }
    }
    if (MemSeries* s = src.head.get()) {
      std::lock_guard lock(s->mu);
      s->SamplesLocked(hints_.mint, hints_.maxt, buf);
    }
    // Blocks come in time order and rarely overlap, so the concatenation is usually already
    // strictly increasing: one scan confirms it, and only overlapping sources pay for a sort.
    auto first = buf->begin() + static_cast<std::ptrdiff_t>(base);
    const bool strictly_increasing =
        std::adjacent_find(first, buf->end(), [](const Sample& a, const Sample& b) {
          return a.t >= b.t;
        }) == buf->end();
    if (!strictly_increasing) {
      // Overlapping sources: order by time and keep one sample per timestamp (the later
      // source, the head, wins; it holds the same value unless data was rewritten).
      std::stable_sort(first, buf->end(),
                       [](const Sample& a, const Sample& b) { return a.t < b.t; });
      size_t out = base;
      for (size_t i = base; i < buf->size(); ++i) {
        if (out > base && (*buf)[out - 1].t == (*buf)[i].t) {
          (*buf)[out - 1] = (*buf)[i];
        } else {
          (*buf)[out++] = (*buf)[i];
        }
      }
      buf->resize(out);
    }
    return absl::OkStatus();
  }

  Head& head_;
  std::vector<std::shared_ptr<const block::Block>> blocks_;  // keeps the blocks alive
  DbQuerier::SeriesList series_;
  SelectHints hints_;
  absl::Status status_;
  size_t pos_ = 0;
  bool started_ = false;
  std::vector<Sample> buf_;
};

// Merges two runs sorted by labels. A series in both keeps a's sources first (the blocks in
// the order they were added, the head last), as Decode expects.
DbQuerier::SeriesList MergeRuns(DbQuerier::SeriesList a, DbQuerier::SeriesList b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  DbQuerier::SeriesList out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int c = Labels::Compare(a[i].labels, b[j].labels);
    if (c < 0) {
      out.push_back(std::move(a[i++]));
    } else if (c > 0) {
      out.push_back(std::move(b[j++]));
    } else {
      DbQuerier::Selected& merged = out.emplace_back(std::move(a[i++]));
      DbQuerier::Sources& from = b[j++].sources;
      merged.sources.blocks.insert(merged.sources.blocks.end(), from.blocks.begin(),
                                   from.blocks.end());
      if (from.head.get() != nullptr) merged.sources.head = std::move(from.head);
    }
  }
  std::move(a.begin() + static_cast<std::ptrdiff_t>(i), a.end(), std::back_inserter(out));
  std::move(b.begin() + static_cast<std::ptrdiff_t>(j), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

DbQuerier::DbQuerier(Head& head, std::vector<std::shared_ptr<const block::Block>> blocks,
                     int64_t mint, int64_t maxt)
    : head_(head), blocks_(std::move(blocks)), mint_(mint), maxt_(maxt) {}

bool DbQuerier::HeadOverlaps(int64_t mint, int64_t maxt) const {
  return head_.NumSeries() > 0 && head_.MinTime() <= maxt && head_.MaxTime() >= mint;
}

absl::Status DbQuerier::Collect(const Matchers& matchers, int64_t mint, int64_t maxt,
                                SeriesList* out) {
  // One sorted run per block, merged: blocks number their series in label order, so their
  // runs come sorted. This costs fewer label comparisons (and no tree nodes) than inserting
  // every series into a sorted map. (The block writer refuses series out of order and the
  // index is checksummed when a block opens; a run out of order anyway would give series out
  // of order, never an out-of-bounds read.)
  out->clear();
  std::vector<block::ChunkMeta> chunks;
  for (const auto& b : blocks_) {
    // Block max_time is exclusive.
    if (b->meta().max_time <= mint || b->meta().min_time > maxt) continue;
    auto ids = b->PostingsForMatchers(matchers);
    if (!ids.ok()) return ids.status();
    SeriesList run;
    run.reserve(ids->size());
    Labels labels;
    for (uint32_t id : *ids) {
      if (absl::Status st = b->Series(id, &labels, &chunks); !st.ok()) return st;
      bool overlaps = std::any_of(chunks.begin(), chunks.end(), [&](const block::ChunkMeta& c) {
        return c.maxt >= mint && c.mint <= maxt;
      });
      if (!overlaps) continue;
      Selected& sel = run.emplace_back();
      sel.labels = std::move(labels);
      sel.sources.blocks.emplace_back(b.get(), id);
    }
    *out = MergeRuns(std::move(*out), std::move(run));
  }
  if (!HeadOverlaps(mint, maxt)) return absl::OkStatus();
  // Head series come in creation order. Most of them are also in the blocks (a series lives
  // on across block boundaries): those are found by label hash and join their block entry in
  // place. Only the rest (series newer than the blocks, or a range the blocks do not reach)
  // are sorted by labels and merged, which spares a query over the recent hours most of its
  // label comparisons.
  absl::flat_hash_map<uint64_t, size_t> in_blocks;
  in_blocks.reserve(out->size());
  for (size_t i = 0; i < out->size(); ++i) {
    in_blocks.try_emplace(head_.HashOf((*out)[i].labels.packed()), i);
  }
  HeadIndex index(head_);
  Postings refs = PostingsForMatchers(index, matchers);
  SeriesList head_only;
  head_.ForEachSeries(refs, [&](MemSeries& s) {
    bool overlaps;
    {
      std::lock_guard lock(s.mu);
      overlaps = s.NumChunksLocked() > 0 && s.MinTimeLocked() <= maxt && s.max_time >= mint;
    }
    if (!overlaps) return;
    if (!in_blocks.empty()) {
      // A hash shared by two block series maps to the first: the other one's head series
      // then misses here and still finds its entry by label comparison in the merge below.
      auto it = in_blocks.find(head_.HashOf(s.labels.packed()));
      if (it != in_blocks.end() && (*out)[it->second].labels == s.labels) {
        (*out)[it->second].sources.head = PinnedSeries(&head_, &s);
        return;
      }
    }
    Selected& sel = head_only.emplace_back();
    sel.labels = s.labels;
    sel.sources.head = PinnedSeries(&head_, &s);
  });
  std::sort(head_only.begin(), head_only.end(), [](const Selected& a, const Selected& b) {
    return Labels::Compare(a.labels, b.labels) < 0;
  });
  *out = MergeRuns(std::move(*out), std::move(head_only));
  return absl::OkStatus();
}

std::unique_ptr<SeriesSet> DbQuerier::Select(const Matchers& matchers, const SelectHints& hints) {
  SeriesList series;
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
    SeriesList series;
    if (absl::Status st = Collect(matchers, mint_, maxt_, &series); !st.ok()) return st;
    for (const Selected& sel : series) {
      for (const auto& l : sel.labels) names.emplace(l.name);
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
    SeriesList series;
    if (absl::Status st = Collect(matchers, mint_, maxt_, &series); !st.ok()) return st;
    for (const Selected& sel : series) {
      std::string_view v = sel.labels.Get(name);
      if (!v.empty()) values.emplace(v);
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace vigil
