// Writing an immutable block: chunk segment files, the index and meta.json, into
// `<parent>/<id>.tmp/`, fsynced and then renamed to `<parent>/<id>/`, so a crash never leaves a
// half-written block under a valid block name. The format is in docs/formats/block.md.
//
// By default the writer re-encodes each series' chunks (XOR from the head, or anything else
// it is given) into dense chunks (chunkenc/dense_chunk.h) of up to 480 samples, about half
// the bytes of XOR chunks; dense chunks that are already large enough are copied as they are.
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
#include "storage/metrics/chunkenc/dense_chunk.h"
#include "storage/metrics/chunkenc/encoding.h"
#include "storage/sample.h"

namespace vigil::block {

// Samples per dense chunk in a block: 2 h of 15 s scrapes, so a 2 h block holds one chunk per
// series. Larger chunks amortize each chunk's header and framing (bytes per sample on the
// benchmark workload: 1.29 at 120, 1.19 at 240, 1.13 at 480) while a whole chunk still
// decodes in about 1.5 µs.
inline constexpr uint32_t kDenseSamplesPerChunk = 480;

struct BlockWriteOptions {
  // Re-encode every series' chunks as dense chunks; false writes the chunks as given.
  bool dense_chunks = true;
  // With dense_chunks: consecutive chunks are merged and split evenly into chunks of at most
  // this many samples (1..chunkenc::kDenseMaxSamples). Dense chunks holding at least half
  // of it are kept as they are.
  uint32_t max_samples_per_chunk = kDenseSamplesPerChunk;
};

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
  chunkenc::Encoding encoding = chunkenc::Encoding::kXor;
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

// Encodes `samples` as ceil(n / max_samples) dense chunks of evenly split sizes (1000 samples
// at most 480 a chunk become 334 + 333 + 333), appending their bytes to *owned and a
// ChunkData pointing into them, with the chunk's smallest and largest timestamp, to *out.
// A moved vector keeps its buffer, so the spans stay valid while *owned grows.
absl::Status AppendDenseChunks(std::span<const Sample> samples, uint32_t max_samples,
                               chunkenc::DenseChunkEncoder* encoder,
                               std::vector<std::vector<uint8_t>>* owned,
                               std::vector<ChunkData>* out);

// Writes `source` as block `meta.id` under `parent_dir` and returns the meta as written:
// stats are computed, and unset min/max times (kUnsetTime) are taken from the chunks
// (max_time = largest chunk maxt + 1; both 0 for an empty block). `meta.id` must be a valid
// block id (see NewBlockId) and `<parent_dir>/<id>` must not exist yet. On error nothing is
// left under the final name (the .tmp folder is removed). Chunks that do not decode are an
// error (DataLoss) when they have to be re-encoded.
absl::StatusOr<BlockMeta> WriteBlock(const std::string& parent_dir, const BlockMeta& meta,
                                     SeriesSource& source,
                                     const BlockWriteOptions& options = {});

}  // namespace vigil::block
