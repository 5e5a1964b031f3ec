// Compaction: merges N blocks (which may overlap in time) into one new block, optionally
// dropping deleted data on the way, so delete_series is implemented by rewriting blocks.
//
// Series are merged by label set. A series' chunks that do not overlap any other chunk of it
// (and are untouched by deletions) are passed to the block writer as they are; overlapping
// chunks are decoded, merged by timestamp — for equal timestamps the sample from the block
// later in `in` wins, then the chunk later within that block — and re-encoded. By default
// (CompactOptions::write) the output holds dense chunks: the writer keeps dense chunks that
// are large enough byte for byte and re-encodes the rest (XOR chunks of older blocks, small
// chunks), so blocks of either encoding compact into dense ones. With
// write.dense_chunks = false, chunks are copied byte for byte and merged samples re-encoded
// as XOR chunks of at most kMaxSamplesPerChunk samples. Series left without samples are
// dropped.
//
// Thread-safety: reentrant; the input blocks are only read.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/matcher.h"
#include "storage/metrics/block/block.h"
#include "storage/metrics/block/block_meta.h"
#include "storage/metrics/block/block_writer.h"

namespace vigil::block {

// XOR chunks written by compaction with write.dense_chunks = false.
inline constexpr uint32_t kMaxSamplesPerChunk = 120;

// Deletes the samples with mint <= t <= maxt of every series that all matchers select (an
// absent label matches as "", as in PromQL). Empty matchers select every series.
struct Deletion {
  Matchers matchers;
  int64_t mint = std::numeric_limits<int64_t>::min();
  int64_t maxt = std::numeric_limits<int64_t>::max();
};

struct CompactOptions {
  std::string id;  // the new block's id; empty = NewBlockId()
  // Defaults (kUnsetTime / 0): the union of the inputs' ranges, and 1 + the highest input
  // level. Sources are always the union of the inputs' sources (an input without sources
  // counts as its own source); parents are the input ids.
  int64_t min_time = kUnsetTime;
  int64_t max_time = kUnsetTime;
  int compaction_level = 0;
  std::vector<Deletion> deletions;
  // How the new block stores its chunks.
  BlockWriteOptions write;
};

// Writes the merged block under `parent_dir` and returns its meta. The block is written even
// when no series survive (numSeries 0), so its time range stays accounted for; callers that
// prefer to drop empty blocks can check meta.stats.num_series and delete it.
absl::StatusOr<BlockMeta> CompactBlocks(std::span<const Block* const> in,
                                        const std::string& parent_dir,
                                        const CompactOptions& options = {});

// The [mint, maxt] intervals deleted from the series `labels`, sorted and merged (empty when
// no deletion selects it).
std::vector<std::pair<int64_t, int64_t>> DeletedIntervals(const Labels& labels,
                                                          std::span<const Deletion> deletions);

}  // namespace vigil::block
