// Gorilla-style XOR chunks for float samples (int64 ms timestamp, double value), laid out as
// Prometheus lays out its XOR chunks; the format is written up in docs/formats/chunk.md.
//
//   XorChunk     appends samples to a growing chunk (the head's open chunk).
//   XorIterator  decodes a chunk from bytes; hostile input gives an error status, never an
//                out-of-bounds read.
//   DecodeXorChunk appends a chunk's samples (optionally only those in [mint, maxt]) to a vector.
//
// Values round-trip bit-exactly, including NaN payloads such as the staleness marker; any
// int64 timestamps round-trip, including negative ones and out-of-order ones (delta arithmetic
// wraps modulo 2^64), though in-order samples with a steady interval compress best.
//
// Thread-safety: none. A chunk that is appended to while others read it needs external
// synchronization; an iterator over a span that is not being modified is independent of
// every other object.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/metrics/chunkenc/bstream.h"
#include "storage/metrics/chunkenc/encoding.h"
#include "storage/metrics/chunkenc/xor_values.h"
#include "storage/sample.h"

namespace vigil::chunkenc {

// Size of the sample-count header at the start of every XOR chunk.
inline constexpr size_t kXorHeaderSize = 2;

class XorChunk {
 public:
  // The header stores the count in 16 bits.
  static constexpr uint32_t kMaxSamples = 0xffff;

  XorChunk();
  // Reserves `reserve_bytes` up front (a regular series takes about 1-2 bytes a sample).
  explicit XorChunk(size_t reserve_bytes);

  // Rebuilds an appendable chunk from encoded bytes (e.g. a chunk read back from disk), so
  // more samples can be appended to it. Errors when the bytes do not decode.
  static absl::StatusOr<XorChunk> FromBytes(std::span<const uint8_t> bytes);

  // Appends one sample. Returns false (and leaves the chunk unchanged) only when the chunk
  // already holds kMaxSamples samples. Does not allocate beyond the vector's amortized growth.
  bool Append(int64_t t, double v);

  void Reserve(size_t bytes) { w_.Reserve(bytes); }

  uint32_t NumSamples() const { return num_; }
  bool empty() const { return num_ == 0; }
  // The encoded chunk, valid until the next Append.
  std::span<const uint8_t> bytes() const { return w_.bytes(); }
  size_t size() const { return w_.bytes().size(); }
  // First and last appended timestamps (undefined while empty).
  int64_t first_t() const { return first_t_; }
  int64_t last_t() const { return t_; }
  double last_v() const { return std::bit_cast<double>(vbits_); }

 private:
  BitWriter w_;
  uint32_t num_ = 0;
  int64_t first_t_ = 0;
  int64_t t_ = 0;
  uint64_t tdelta_ = 0;  // last timestamp delta, modulo 2^64
  uint64_t vbits_ = 0;
  XorWindow window_;
};

class XorIterator {
 public:
  XorIterator() = default;
  explicit XorIterator(std::span<const uint8_t> bytes);

  // Advances to the next sample. False at the end or on an error (see status()).
  bool Next();
  // Advances to the first sample with timestamp >= t (staying put if the current one is);
  // false when there is none. Only meaningful for chunks with ascending timestamps.
  bool Seek(int64_t t);

  int64_t t() const { return t_; }
  double v() const { return std::bit_cast<double>(vbits_); }
  uint64_t v_bits() const { return vbits_; }
  Sample At() const { return {t_, v()}; }

  // Samples the header announces (0 for a chunk too short to have a header).
  uint32_t NumSamples() const { return total_; }
  // OK unless the bytes turned out to be corrupt or truncated.
  const absl::Status& status() const { return status_; }

 private:
  friend class XorChunk;
  bool Fail(const char* what);
  bool ReadValue();

  BitReader r_;
  absl::Status status_;
  uint32_t total_ = 0;
  uint32_t read_ = 0;
  int64_t t_ = 0;
  uint64_t tdelta_ = 0;
  uint64_t vbits_ = 0;
  XorWindow window_;
};

// Inline: decoding a chunk is a loop over Next() on every query's path, and a call per sample
// kept the iterator's state in memory instead of registers.
inline bool XorIterator::Next() {
  if (read_ >= total_ || !status_.ok()) return false;
  if (read_ == 0) {
    if (!r_.ReadVarint(&t_)) return Fail("truncated first timestamp");
    if (!r_.ReadBits(64, &vbits_)) return Fail("truncated first value");
  } else if (read_ == 1) {
    if (!r_.ReadUvarint(&tdelta_)) return Fail("truncated timestamp delta");
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + tdelta_);
    if (!ReadValue()) return false;
  } else {
    // Delta-of-delta bucket: 0 | 10+14 | 110+17 | 1110+20 | 1111+64 bits.
    int prefix = 0;
    for (; prefix < 4; ++prefix) {
      bool bit;
      if (!r_.ReadBit(&bit)) return Fail("truncated timestamp");
      if (!bit) break;
    }
    int64_t dod = 0;
    if (prefix > 0) {
      static constexpr int kBits[5] = {0, 14, 17, 20, 64};
      int sz = kBits[prefix];
      uint64_t bits;
      if (!r_.ReadBits(sz, &bits)) return Fail("truncated timestamp");
      if (sz == 64) {
        dod = static_cast<int64_t>(bits);
      } else {
        dod = static_cast<int64_t>(bits);
        if (bits > (uint64_t{1} << (sz - 1))) dod -= int64_t{1} << sz;
      }
    }
    tdelta_ += static_cast<uint64_t>(dod);
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + tdelta_);
    if (!ReadValue()) return false;
  }
  ++read_;
  return true;
}

inline bool XorIterator::ReadValue() {
  const char* error = nullptr;
  return ReadXorValue(&r_, &vbits_, &window_, &error) || Fail(error);
}

// Appends the samples of an encoded chunk with mint <= t <= maxt to *out. On error, the
// samples decoded before the corruption are kept in *out and the error is returned.
absl::Status DecodeXorChunk(std::span<const uint8_t> bytes, std::vector<Sample>* out,
                            int64_t mint = std::numeric_limits<int64_t>::min(),
                            int64_t maxt = std::numeric_limits<int64_t>::max());

}  // namespace vigil::chunkenc
