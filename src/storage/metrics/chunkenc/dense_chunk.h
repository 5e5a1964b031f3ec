// Dense chunks (Encoding::kDense): a write-once encoding for persisted blocks, denser than
// XOR chunks. Timestamps are a packed integer sequence (int_stream.h; a steady interval packs
// to a few bytes per chunk). Values take the smallest of: decimal integers (every value is
// m / 10^e or m × 10^-e for one e, stored as packed m, with the values that are not — NaNs,
// ±Inf, −0 — kept raw as exceptions), the IEEE bit patterns as packed integers, or Gorilla
// XOR coding. The layout is in docs/formats/chunk.md.
//
//   DenseChunkEncoder  encodes a whole chunk at once (chunks cannot be appended to).
//   DecodeDenseChunk   appends a chunk's samples to a vector; hostile input gives an error
//                      status, never an out-of-bounds read, and allocates at most
//                      kDenseMaxSamples samples.
//
// Values and timestamps round-trip bit-exactly (NaN payloads such as the staleness marker,
// −0, ±Inf, any int64 timestamps in any order).
//
// Thread-safety: an encoder keeps scratch space, one per thread; decoding is reentrant.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/metrics/chunkenc/bstream.h"
#include "storage/metrics/chunkenc/int_stream.h"
#include "storage/sample.h"

namespace vigil::chunkenc {

inline constexpr uint32_t kDenseMaxSamples = 0xffff;
// Largest decimal exponent tried: values m / 10^e with |m| < 2^63.
inline constexpr int kDenseMaxDecimalExponent = 18;

// How a dense chunk stores its values: the low bits of the flags byte.
enum class DenseValues : uint8_t {
  kXor = 0,         // Gorilla XOR bit stream
  kDecimalDiv = 1,  // v = m / 10^e
  kDecimalMul = 2,  // v = m * 10^-e (the double nearest 10^-e)
  kBits = 3,        // v = the IEEE bits m
};

class DenseChunkEncoder {
 public:
  // Appends the encoding of `samples` to *out. InvalidArgument (and nothing appended) for
  // more than kDenseMaxSamples samples.
  absl::Status Encode(std::span<const Sample> samples, std::vector<uint8_t>* out);

  // Which value representation the last Encode chose (for tests and measurements).
  DenseValues last_values() const { return last_values_; }

 private:
  // The decimal exponent and mode with the smallest estimated size, or false when too many
  // values need exceptions. Leaves the winner's integers in best_m_ and the values it cannot
  // hold marked in exception_ and best_fail_.
  bool ChooseDecimal(std::span<const Sample> samples, int* exponent, bool* multiply);
  void EncodeDecimal(std::span<const Sample> samples, int exponent);
  void EncodeXor(std::span<const Sample> samples);

  IntStreamWriter ints_;
  std::vector<int64_t> scratch_;
  std::vector<uint8_t> exception_;  // per sample: 1 when no decimal form can hold it
  std::vector<int64_t> pass_m_, best_m_;       // decimal integers of the current / best pass
  std::vector<uint8_t> pass_fail_, best_fail_;  // values those passes cannot hold
  std::vector<uint8_t> decimal_;    // encoded value sections of the candidates
  size_t decimal_exceptions_ = 0;
  std::vector<uint8_t> bits_;
  BitWriter xor_;
  DenseValues last_values_ = DenseValues::kXor;
};

// Appends the samples with mint <= t <= maxt of a dense chunk to *out. On error *out is left
// as it was and a DataLoss status is returned.
absl::Status DecodeDenseChunk(std::span<const uint8_t> bytes, std::vector<Sample>* out,
                              int64_t mint = std::numeric_limits<int64_t>::min(),
                              int64_t maxt = std::numeric_limits<int64_t>::max());

// The sample count in a dense chunk's header (DataLoss when the header is malformed).
absl::StatusOr<uint32_t> DenseChunkNumSamples(std::span<const uint8_t> bytes);

}  // namespace vigil::chunkenc
