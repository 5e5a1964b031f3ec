// Byte-level building blocks of the block format (docs/formats/block.md): magic numbers,
// section numbering, little-endian and varint encoding, and a bounds-checked decoder.
//
// Thread-safety: stateless functions; Encoder/Decoder are single-threaded values.
#pragma once

#include "common/coding.h"
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xxhash.h"

namespace vigil::block {

// "VGIX" / "VGCK" read as little-endian u32.
inline constexpr uint32_t kIndexMagic = 0x58494756;
inline constexpr uint32_t kChunksMagic = 0x4b434756;
inline constexpr uint8_t kIndexVersion = 1;
inline constexpr uint8_t kChunksVersion = 1;
inline constexpr size_t kFileHeaderSize = 8;  // magic u32, version u8, 3 zero bytes

// A chunk segment file never grows past this (a single larger chunk gets its own file).
inline constexpr uint64_t kMaxSegmentSize = uint64_t{512} << 20;
inline constexpr size_t kChunkChecksumSize = 4;

// Index sections, in file order.
enum IndexSection : int {
  kSymbolsSection = 0,
  kSeriesSection,
  kSeriesOffsetsSection,
  kPostingsSection,
  kPostingsTableSection,
  kLabelNamesSection,
  kNumSections,
};
inline constexpr size_t kPostingsTableEntrySize = 16;  // name u32, value u32, offset u64
inline constexpr size_t kLabelNamesEntrySize = 12;     // name u32, first u32, count u32
// Footer: per section {offset, length, xxh3} u64s, num_series u64, num_symbols u64,
// xxh3 of everything before it in the footer u64, magic u32, version u8, 3 zero bytes.
inline constexpr size_t kIndexFooterSize = kNumSections * 24 + 8 + 8 + 8 + 8;

// A chunk reference: segment file number (1-based) in the high 32 bits, byte offset of the
// chunk record within that file in the low 32 bits.
inline uint64_t MakeChunkRef(uint32_t segment, uint32_t offset) {
  return (uint64_t{segment} << 32) | offset;
}
inline uint32_t ChunkRefSegment(uint64_t ref) { return static_cast<uint32_t>(ref >> 32); }
inline uint32_t ChunkRefOffset(uint64_t ref) { return static_cast<uint32_t>(ref); }

inline uint64_t Checksum64(std::span<const uint8_t> b) { return XXH3_64bits(b.data(), b.size()); }
inline uint32_t Checksum32(std::span<const uint8_t> b) {
  return static_cast<uint32_t>(XXH3_64bits(b.data(), b.size()));
}

inline void PutU32At(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t GetU32At(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t GetU64At(const uint8_t* p) {
  return uint64_t{GetU32At(p)} | (uint64_t{GetU32At(p + 4)} << 32);
}

class Encoder {
 public:
  void U8(uint8_t v) { buf_.push_back(v); }
  void U32(uint32_t v) {
    uint8_t b[4];
    PutU32At(b, v);
    buf_.insert(buf_.end(), b, b + 4);
  }
  void U64(uint64_t v) {
    U32(static_cast<uint32_t>(v));
    U32(static_cast<uint32_t>(v >> 32));
  }
  void Uvarint(uint64_t v) {
    uint8_t b[10];
    buf_.insert(buf_.end(), b, b + EncodeUvarint(v, b));
  }
  void Varint(int64_t v) { Uvarint(ZigZag(v)); }
  void Bytes(std::span<const uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void Bytes(std::string_view s) { buf_.insert(buf_.end(), s.begin(), s.end()); }

  std::vector<uint8_t>& buf() { return buf_; }
  size_t size() const { return buf_.size(); }
  void clear() { buf_.clear(); }

 private:
  std::vector<uint8_t> buf_;
};

// Reads from a span; every method returns false instead of reading past the end.
class Decoder {
 public:
  explicit Decoder(std::span<const uint8_t> b) : b_(b) {}

  bool U32(uint32_t* v) {
    if (left() < 4) return false;
    *v = GetU32At(b_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t* v) {
    if (left() < 8) return false;
    *v = GetU64At(b_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool Uvarint(uint64_t* out) {
    const uint8_t* p = b_.data() + pos_;
    if (!DecodeUvarint(&p, b_.data() + b_.size(), out)) return false;
    pos_ = static_cast<size_t>(p - b_.data());
    return true;
  }
  bool Uvarint32(uint32_t* out) {
    uint64_t v;
    if (!Uvarint(&v) || v > 0xffffffffu) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  bool Varint(int64_t* out) {
    uint64_t u;
    if (!Uvarint(&u)) return false;
    *out = UnZigZag(u);
    return true;
  }
  bool Bytes(size_t n, std::span<const uint8_t>* out) {
    if (left() < n) return false;
    *out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

  size_t pos() const { return pos_; }
  size_t left() const { return b_.size() - pos_; }

 private:
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

}  // namespace vigil::block
