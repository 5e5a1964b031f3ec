// Encoding-independent access to stored chunks: what a block reader hands out (a chunk's
// encoding and bytes) and one entry point to decode any encoding, for the query path and
// compaction. Hostile input gives an error status, never an out-of-bounds read.
//
// Thread-safety: stateless functions; reentrant.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/metrics/chunkenc/encoding.h"
#include "storage/sample.h"

namespace vigil::chunkenc {

// A stored chunk: its encoding and encoded bytes (owned elsewhere, e.g. a mapped block file).
struct ChunkView {
  Encoding encoding = Encoding::kXor;
  std::span<const uint8_t> bytes;
};

// Appends the samples of a chunk with mint <= t <= maxt to *out, in stored order. On error a
// DataLoss status is returned and *out may hold a prefix of the chunk's samples (XOR) or
// nothing of it (dense).
absl::Status DecodeChunk(Encoding encoding, std::span<const uint8_t> bytes,
                         std::vector<Sample>* out,
                         int64_t mint = std::numeric_limits<int64_t>::min(),
                         int64_t maxt = std::numeric_limits<int64_t>::max());
inline absl::Status DecodeChunk(const ChunkView& c, std::vector<Sample>* out,
                                int64_t mint = std::numeric_limits<int64_t>::min(),
                                int64_t maxt = std::numeric_limits<int64_t>::max()) {
  return DecodeChunk(c.encoding, c.bytes, out, mint, maxt);
}

// The sample count a chunk's header announces (DataLoss for a malformed header or an unknown
// encoding).
absl::StatusOr<uint32_t> ChunkNumSamples(Encoding encoding, std::span<const uint8_t> bytes);

}  // namespace vigil::chunkenc
