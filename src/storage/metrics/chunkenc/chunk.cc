#include "storage/metrics/chunkenc/chunk.h"

#include "common/strings.h"
#include "storage/metrics/chunkenc/dense_chunk.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

namespace vigil::chunkenc {

absl::Status DecodeChunk(Encoding encoding, std::span<const uint8_t> bytes,
                         std::vector<Sample>* out, int64_t mint, int64_t maxt) {
  switch (encoding) {
    case Encoding::kXor:
      return DecodeXorChunk(bytes, out, mint, maxt);
    case Encoding::kDense:
      return DecodeDenseChunk(bytes, out, mint, maxt);
  }
  return absl::DataLossError(StrCat("unknown chunk encoding ", static_cast<int>(encoding)));
}

absl::StatusOr<uint32_t> ChunkNumSamples(Encoding encoding, std::span<const uint8_t> bytes) {
  switch (encoding) {
    case Encoding::kXor:
      if (bytes.empty()) return 0u;
      if (bytes.size() < kXorHeaderSize) return absl::DataLossError("xor chunk: truncated header");
      return (uint32_t{bytes[0]} << 8) | bytes[1];
    case Encoding::kDense:
      return DenseChunkNumSamples(bytes);
  }
  return absl::DataLossError(StrCat("unknown chunk encoding ", static_cast<int>(encoding)));
}

}  // namespace vigil::chunkenc
