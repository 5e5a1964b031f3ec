// Writing an immutable block: chunk segment files, the index and meta.json, into
// `<parent>/<id>.tmp/`, fsynced and then renamed to `<parent>/<id>/`, so a crash never leaves a
// half-written block under a valid block name. The format is in docs/formats/block.md.
//
// Thread-safety: WriteBlock is reentrant; one SeriesSource is used by one writer at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/metrics/block/block_meta.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

namespace vigil::block {

// One chunk to write: its sample time range (both inclusive) and encoded bytes.
struct ChunkData {
  int64_t mint = 0;
  int64_t maxt = 0;
  std::span<const uint8_t> bytes;
  chunkenc::Encoding encoding = chunkenc::Encoding::kXor;
};

// Yields the series of a new block in strictly ascending label order (Labels' operator<).
class SeriesSource {
 public:
  virtual ~SeriesSource() = default;
  // Fills the next series' labels and chunks (sorted by mint) and returns true, or returns
  // false at the end. The chunk bytes must stay valid until the following call. A series
  // with no chunks is skipped by the writer.
  virtual absl::StatusOr<bool> Next(Labels* labels, std::vector<ChunkData>* chunks) = 0;
};

// A series held in memory, for VectorSeriesSource.
struct OwnedChunk {
  int64_t mint = 0;
  int64_t maxt = 0;
  std::vector<uint8_t> bytes;
};
struct OwnedSeries {
  Labels labels;
  std::vector<OwnedChunk> chunks;
};

// Serves series from memory; sorts them by labels on construction.
class VectorSeriesSource : public SeriesSource {
 public:
  explicit VectorSeriesSource(std::vector<OwnedSeries> series);
  absl::StatusOr<bool> Next(Labels* labels, std::vector<ChunkData>* chunks) override;

 private:
  std::vector<OwnedSeries> series_;
  size_t next_ = 0;
};

// Writes `source` as block `meta.id` under `parent_dir` and returns the meta as written:
// stats are computed, and unset min/max times (kUnsetTime) are taken from the chunks
// (max_time = largest chunk maxt + 1; both 0 for an empty block). `meta.id` must be a valid
// block id (see NewBlockId) and `<parent_dir>/<id>` must not exist yet. On error nothing is
// left under the final name (the .tmp folder is removed).
absl::StatusOr<BlockMeta> WriteBlock(const std::string& parent_dir, const BlockMeta& meta,
                                     SeriesSource& source);

}  // namespace vigil::block
