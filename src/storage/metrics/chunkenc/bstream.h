// Bit streams for the chunk encodings: a writer that appends bits most-significant first into
// a byte vector, and a bounds-checked reader over a byte span.
//
// The writer keeps every written bit in `bytes()` at all times (no hidden accumulator), so a
// chunk can be read while it is being appended to. The reader never reads past the span it
// was given: every read reports failure instead, so corrupt or truncated chunks are errors.
//
// Thread-safety: none; one writer or reader per thread. A reader over bytes that a writer
// keeps appending to must be synchronized by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace vigil::chunkenc {

class BitWriter {
 public:
  BitWriter() = default;

  void Reserve(size_t bytes) { bytes_.reserve(bytes); }
  // Empties the stream, keeping its capacity.
  void Clear() {
    bytes_.clear();
    free_ = 0;
  }

  void WriteBit(bool bit) {
    if (free_ == 0) {
      bytes_.push_back(0);
      free_ = 8;
    }
    --free_;
    if (bit) bytes_.back() |= static_cast<uint8_t>(1u << free_);
  }

  // Writes the low `nbits` bits of `v` (0 <= nbits <= 64), most significant first.
  void WriteBits(uint64_t v, int nbits) {
    if (nbits <= 0) return;
    if (nbits < 64) v &= (uint64_t{1} << nbits) - 1;
    if (free_ > 0) {  // top up the partial last byte
      if (nbits <= free_) {
        free_ -= nbits;
        bytes_.back() |= static_cast<uint8_t>(v << free_);
        return;
      }
      nbits -= free_;
      bytes_.back() |= static_cast<uint8_t>(v >> nbits);
      free_ = 0;
    }
    while (nbits >= 8) {
      nbits -= 8;
      bytes_.push_back(static_cast<uint8_t>(v >> nbits));
    }
    if (nbits > 0) {
      free_ = 8 - nbits;
      bytes_.push_back(static_cast<uint8_t>(v << free_));
    }
  }

  void WriteByte(uint8_t b) { WriteBits(b, 8); }

  // Unsigned LEB128 varint, byte by byte (the bytes need not be byte-aligned in the stream).
  void WriteUvarint(uint64_t v) {
    while (v >= 0x80) {
      WriteByte(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    WriteByte(static_cast<uint8_t>(v));
  }
  // Zig-zag signed varint.
  void WriteVarint(int64_t v) {
    WriteUvarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }

  std::vector<uint8_t>& bytes() { return bytes_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  // Unused low bits in the last byte (0..7; 0 when the stream ends on a byte boundary).
  int free_bits() const { return free_; }
  // Restores a writer over existing bytes whose last byte has `free_bits` unused low bits,
  // which must be zero.
  void Reset(std::vector<uint8_t> bytes, int free_bits) {
    bytes_ = std::move(bytes);
    free_ = bytes_.empty() ? 0 : free_bits;
  }

 private:
  std::vector<uint8_t> bytes_;
  int free_ = 0;
};

class BitReader {
 public:
  BitReader() = default;
  explicit BitReader(std::span<const uint8_t> data) : data_(data.data()), size_(data.size()) {}

  bool ReadBit(bool* bit) {
    if (valid_ == 0 && !Refill()) return false;
    --valid_;
    *bit = (buf_ >> valid_) & 1;
    return true;
  }

  // Reads `nbits` (0..64) bits into the low bits of *out.
  bool ReadBits(int nbits, uint64_t* out) {
    if (nbits <= valid_) {
      valid_ -= nbits;
      *out = nbits == 0 ? 0 : (nbits == 64 ? buf_ : (buf_ >> valid_) & Mask(nbits));
      return true;
    }
    // Take what is left in the buffer, then the rest from a refill.
    uint64_t v = valid_ == 0 ? 0 : (buf_ & Mask(valid_));
    int need = nbits - valid_;
    valid_ = 0;
    if (!Refill() || need > valid_) return false;
    valid_ -= need;
    uint64_t rest = need == 64 ? buf_ : (buf_ >> valid_) & Mask(need);
    *out = need == 64 ? rest : (v << need) | rest;
    return true;
  }

  bool ReadByte(uint8_t* b) {
    uint64_t v;
    if (!ReadBits(8, &v)) return false;
    *b = static_cast<uint8_t>(v);
    return true;
  }

  // False on truncation or on a varint longer than 64 bits.
  bool ReadUvarint(uint64_t* out) {
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      uint8_t b;
      if (!ReadByte(&b)) return false;
      if (shift == 63 && b > 1) return false;  // overflow
      x |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *out = x;
        return true;
      }
    }
    return false;
  }
  bool ReadVarint(int64_t* out) {
    uint64_t u;
    if (!ReadUvarint(&u)) return false;
    *out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }

  // Bits consumed so far from the start of the span.
  size_t BitPosition() const { return pos_ * 8 - static_cast<size_t>(valid_); }

 private:
  static uint64_t Mask(int n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

  // Loads up to 8 more bytes into the buffer; only called when the buffer is empty.
  bool Refill() {
    size_t left = size_ - pos_;
    if (left >= 8) {
      const uint8_t* p = data_ + pos_;
      buf_ = (uint64_t{p[0]} << 56) | (uint64_t{p[1]} << 48) | (uint64_t{p[2]} << 40) |
             (uint64_t{p[3]} << 32) | (uint64_t{p[4]} << 24) | (uint64_t{p[5]} << 16) |
             (uint64_t{p[6]} << 8) | uint64_t{p[7]};
      pos_ += 8;
      valid_ = 64;
      return true;
    }
    if (left == 0) return false;
    buf_ = 0;
    for (size_t i = 0; i < left; ++i) buf_ = (buf_ << 8) | data_[pos_ + i];
    pos_ += left;
    valid_ = static_cast<int>(left * 8);
    return true;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;   // next byte to load
  uint64_t buf_ = 0;  // the low `valid_` bits are unread, most significant first
  int valid_ = 0;
};

}  // namespace vigil::chunkenc
