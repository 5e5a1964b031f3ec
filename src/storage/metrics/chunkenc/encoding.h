// The chunk encodings vigil stores. The numeric values are written to disk (block chunk
// records, docs/formats/block.md), so they never change meaning.
//
// Thread-safety: constants only.
#pragma once

#include <cstdint>

namespace vigil::chunkenc {

enum class Encoding : uint8_t {
  // Gorilla XOR (xor_chunk.h): appendable; the head's in-memory chunks.
  kXor = 1,
  // Bit-packed deltas with decimal value detection (dense_chunk.h): write-once, for blocks.
  kDense = 2,
};

inline bool IsKnownEncoding(uint8_t e) {
  return e == static_cast<uint8_t>(Encoding::kXor) || e == static_cast<uint8_t>(Encoding::kDense);
}

}  // namespace vigil::chunkenc
