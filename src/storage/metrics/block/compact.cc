#include "storage/metrics/block/compact.h"

#include <algorithm>
#include <memory>

#include "common/strings.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/block/block_writer.h"
#include "storage/metrics/chunkenc/chunk.h"
#include "storage/metrics/chunkenc/dense_chunk.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

namespace vigil::block {

std::vector<std::pair<int64_t, int64_t>> DeletedIntervals(const Labels& labels,
                                                          std::span<const Deletion> deletions) {
  std::vector<std::pair<int64_t, int64_t>> iv;
  for (const auto& d : deletions) {
    if (d.mint > d.maxt) continue;
    bool all = std::all_of(d.matchers.begin(), d.matchers.end(), [&](const LabelMatcher& m) {
      return m.Matches(labels.Get(m.name()));
    });
    if (all) iv.emplace_back(d.mint, d.maxt);
  }
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& i : iv) {
    if (!out.empty() && (i.first <= out.back().second ||
                         (out.back().second != std::numeric_limits<int64_t>::max() &&
                          i.first == out.back().second + 1))) {
      out.back().second = std::max(out.back().second, i.second);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

namespace {

using Intervals = std::vector<std::pair<int64_t, int64_t>>;

bool Overlaps(const Intervals& iv, int64_t mint, int64_t maxt) {
  for (const auto& [a, b] : iv) {
    if (a <= maxt && mint <= b) return true;
  }
  return false;
}
bool Covers(const Intervals& iv, int64_t mint, int64_t maxt) {
  for (const auto& [a, b] : iv) {
    if (a <= mint && maxt <= b) return true;
  }
  return false;
}
bool Deleted(const Intervals& iv, int64_t t) {
  for (const auto& [a, b] : iv) {
    if (a <= t && t <= b) return true;
  }
  return false;
}

// Merges the inputs' series in label order, yielding each merged series once.
class MergingSource : public SeriesSource {
 public:
  MergingSource(std::span<const Block* const> in, std::span<const Deletion> deletions,
                const BlockWriteOptions& write)
      : deletions_(deletions), write_(write) {
    for (const Block* b : in) cursors_.push_back({b});
  }

  absl::Status Init() {
    for (auto& c : cursors_) {
      if (auto s = Load(&c); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Next(Labels* labels, std::vector<ChunkData>* chunks) override {
    while (true) {
      const Labels* min = nullptr;
      for (const auto& c : cursors_) {
        if (c.valid && (min == nullptr || c.labels < *min)) min = &c.labels;
      }
      if (min == nullptr) return false;
      *labels = *min;
      parts_.clear();
      for (size_t i = 0; i < cursors_.size(); ++i) {
        Cursor& c = cursors_[i];
        if (!c.valid || !(c.labels == *labels)) continue;
        for (size_t j = 0; j < c.chunks.size(); ++j) {
          parts_.push_back({c.chunks[j], static_cast<uint32_t>(i), static_cast<uint32_t>(j)});
        }
        if (auto s = Load(&c); !s.ok()) return s;
      }
      chunks->clear();
      owned_.clear();
      if (auto s = Build(*labels, chunks); !s.ok()) return s;
      if (!chunks->empty()) return true;
    }
  }

 private:
  struct Cursor {
    const Block* block;
    uint32_t next = 0;
    bool valid = false;
    Labels labels;
    std::vector<ChunkMeta> chunks;
  };
  struct Part {
    ChunkMeta meta;
    uint32_t block;  // index into cursors_: higher wins on equal timestamps
    uint32_t order;  // chunk index within the series in that block
  };

  absl::Status Load(Cursor* c) {
    c->valid = c->next < c->block->NumSeries();
    if (!c->valid) return absl::OkStatus();
    Labels prev = std::move(c->labels);
    if (auto s = c->block->Series(c->next++, &c->labels, &c->chunks); !s.ok()) return s;
    if (c->next > 1 && !(prev < c->labels)) {
      return absl::DataLossError(
          StrCat("block ", c->block->dir(), ": series not in label order"));
    }
    return absl::OkStatus();
  }

  absl::Status Build(const Labels& labels, std::vector<ChunkData>* out) {
    Intervals deleted = DeletedIntervals(labels, deletions_);
    std::sort(parts_.begin(), parts_.end(), [](const Part& a, const Part& b) {
      if (a.meta.mint != b.meta.mint) return a.meta.mint < b.meta.mint;
      if (a.block != b.block) return a.block < b.block;
      return a.order < b.order;
    });
    for (size_t g = 0; g < parts_.size();) {
      // A group: chunks whose time ranges overlap, transitively.
      int64_t gmin = parts_[g].meta.mint, gmax = parts_[g].meta.maxt;
      size_t end = g + 1;
      while (end < parts_.size() && parts_[end].meta.mint <= gmax) {
        gmax = std::max(gmax, parts_[end].meta.maxt);
        ++end;
      }
      if (Covers(deleted, gmin, gmax)) {
        g = end;
        continue;
      }
      if (end == g + 1 && !Overlaps(deleted, gmin, gmax)) {
        const Part& p = parts_[g];
        auto chunk = cursors_[p.block].block->Chunk(p.meta.ref);
        if (!chunk.ok()) return chunk.status();
        out->push_back({p.meta.mint, p.meta.maxt, chunk->bytes, chunk->encoding});
      } else if (auto s = MergeGroup(g, end, deleted, out); !s.ok()) {
        return s;
      }
      g = end;
    }
    return absl::OkStatus();
  }

  absl::Status MergeGroup(size_t begin, size_t end, const Intervals& deleted,
                          std::vector<ChunkData>* out) {
    // Decode in priority order, then a stable sort by time keeps the winner last per t.
    std::vector<const Part*> order;
    for (size_t i = begin; i < end; ++i) order.push_back(&parts_[i]);
    std::sort(order.begin(), order.end(), [](const Part* a, const Part* b) {
      return a->block != b->block ? a->block < b->block : a->order < b->order;
    });
    samples_.clear();
    for (const Part* p : order) {
      auto chunk = cursors_[p->block].block->Chunk(p->meta.ref);
      if (!chunk.ok()) return chunk.status();
      decoded_.clear();
      if (auto s = chunkenc::DecodeChunk(*chunk, &decoded_); !s.ok()) {
        return absl::DataLossError(StrCat("block ", cursors_[p->block].block->dir(), ": chunk ",
                                          p->meta.ref, ": ", ToStd(s.message())));
      }
      for (const Sample& x : decoded_) {
        if (!Deleted(deleted, x.t)) samples_.push_back(x);
      }
    }
    std::stable_sort(samples_.begin(), samples_.end(),
                     [](const Sample& a, const Sample& b) { return a.t < b.t; });
    // Keep the last sample of each timestamp (the winner), in place.
    size_t kept = 0;
    for (size_t i = 0; i < samples_.size(); ++i) {
      if (i + 1 < samples_.size() && samples_[i + 1].t == samples_[i].t) continue;  // superseded
      samples_[kept++] = samples_[i];
    }
    samples_.resize(kept);
    if (write_.dense_chunks) return AppendDense(out);
    chunkenc::XorChunk c;
    auto flush = [&]() {
      if (c.empty()) return;
      owned_.emplace_back(c.bytes().begin(), c.bytes().end());
      out->push_back({c.first_t(), c.last_t(), owned_.back(), chunkenc::Encoding::kXor});
      c = chunkenc::XorChunk();
    };
    for (const Sample& x : samples_) {
      if (c.NumSamples() >= kMaxSamplesPerChunk) flush();
      c.Append(x.t, x.v);
    }
    flush();
    return absl::OkStatus();
  }

  // Dense chunks of the merged samples, split evenly; the writer keeps them as they are or
  // merges a small one with its neighbours.
  absl::Status AppendDense(std::vector<ChunkData>* out) {
    return AppendDenseChunks(samples_, write_.max_samples_per_chunk, &encoder_, &owned_, out);
  }

  std::span<const Deletion> deletions_;
  BlockWriteOptions write_;
  chunkenc::DenseChunkEncoder encoder_;
  std::vector<Cursor> cursors_;
  std::vector<Part> parts_;
  std::vector<Sample> decoded_;
  std::vector<Sample> samples_;
  // Re-encoded chunks of the current series; a moved vector keeps its buffer, so the spans
  // handed out stay valid until the next series.
  std::vector<std::vector<uint8_t>> owned_;
};

}  // namespace

absl::StatusOr<BlockMeta> CompactBlocks(std::span<const Block* const> in,
                                        const std::string& parent_dir,
                                        const CompactOptions& options) {
  if (in.empty()) return absl::InvalidArgumentError("compaction needs at least one block");
  BlockMeta meta;
  meta.id = options.id.empty() ? NewBlockId() : options.id;
  int level = 0;
  int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
  for (const Block* b : in) {
    const BlockMeta& m = b->meta();
    level = std::max(level, m.compaction_level);
    mint = std::min(mint, m.min_time);
    maxt = std::max(maxt, m.max_time);
    if (m.sources.empty()) {
      meta.sources.push_back(m.id);
    } else {
      meta.sources.insert(meta.sources.end(), m.sources.begin(), m.sources.end());
    }
    meta.parents.push_back(m.id);
  }
  std::sort(meta.sources.begin(), meta.sources.end());
  meta.sources.erase(std::unique(meta.sources.begin(), meta.sources.end()), meta.sources.end());
  meta.compaction_level = options.compaction_level > 0 ? options.compaction_level : level + 1;
  meta.min_time = options.min_time != kUnsetTime ? options.min_time : mint;
  meta.max_time = options.max_time != kUnsetTime ? options.max_time : maxt;

  const BlockWriteOptions& w = options.write;
  if (w.dense_chunks &&
      (w.max_samples_per_chunk == 0 || w.max_samples_per_chunk > chunkenc::kDenseMaxSamples)) {
    return absl::InvalidArgumentError(
        StrCat("max_samples_per_chunk must be 1..", chunkenc::kDenseMaxSamples));
  }
  MergingSource source(in, options.deletions, options.write);
  if (auto s = source.Init(); !s.ok()) return s;
  return WriteBlock(parent_dir, meta, source, options.write);
}

}  // namespace vigil::block
