// Little-endian fixed-width integers, LEB128 varints and length-prefixed strings: the
// building blocks of every binary format vigil writes (WAL frames and records, block index,
// packed label sets) and of the protobuf wire reader.
//
// Writers append to a caller-owned std::string (no allocation beyond its growth). `ByteReader`
// walks an untrusted byte slice: every getter bounds-checks and returns false on truncation
// or a malformed varint, so decoders built on it never read out of bounds.
//
// Thread-safety: free functions are pure; a ByteReader is a cursor owned by one thread.
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vigil {

// Writes v little-endian into p[0..3].
inline void StoreFixed32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v);
  p[1] = static_cast<char>(v >> 8);
  p[2] = static_cast<char>(v >> 16);
  p[3] = static_cast<char>(v >> 24);
}

inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  StoreFixed32(b, v);
  out->append(b, 4);
}

inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

inline void PutDouble(std::string* out, double v) { PutFixed64(out, std::bit_cast<uint64_t>(v)); }

// Writes v as a LEB128 varint into buf (room for 10 bytes); returns the bytes used.
inline size_t EncodeUvarint(uint64_t v, uint8_t* buf) {
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<uint8_t>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<uint8_t>(v);
  return n;
}

// Reads a LEB128 varint at *p, advancing it; false on truncation, on more than 10 bytes,
// or on a value overflowing 64 bits (then *p is unspecified).
inline bool DecodeUvarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  // Most values in the column formats (ids, counts, small deltas) take one byte.
  if (*p < end && **p < 0x80) {
    *v = *(*p)++;
    return true;
  }
  uint64_t r = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    if (shift == 63 && b > 1) return false;
    r |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) {
      *v = r;
      return true;
    }
  }
  return false;
}

// The bytes EncodeUvarint writes for v (1 to 10).
inline size_t UvarintSize(uint64_t v) {
  return (static_cast<size_t>(std::bit_width(v | 1)) + 6) / 7;
}

inline void PutUvarint(std::string* out, uint64_t v) {
  if (v < 0x80) {  // most lengths and deltas: one byte, and a call the compiler inlines
    out->push_back(static_cast<char>(v));
    return;
  }
  uint8_t b[10];
  out->append(reinterpret_cast<const char*>(b), EncodeUvarint(v, b));
}

// Signed values are zigzag-mapped so small negative deltas stay short.
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t u) {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}
inline void PutVarint(std::string* out, int64_t v) { PutUvarint(out, ZigZag(v)); }

// Delta coding of int64 values with two's-complement wrap-around: defined for any pair
// (decoded input may hold anything), and DeltaAdd(a, DeltaSub(b, a)) == b always.
inline int64_t DeltaSub(int64_t v, int64_t prev) {
  return static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(prev));
}
inline int64_t DeltaAdd(int64_t prev, int64_t delta) {
  return static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
}

// The bytes PutString writes for s.
inline size_t StringSize(std::string_view s) { return UvarintSize(s.size()) + s.size(); }

inline void PutString(std::string* out, std::string_view s) {
  PutUvarint(out, s.size());
  out->append(s);
}

// Writes into memory sized beforehand, without the capacity checks of appending to a string
// one piece at a time. Its twin SizeCounter takes the same calls and only adds up their
// sizes, so one templated walk can size a buffer and then fill it.
class SizedWriter {
 public:
  static constexpr bool kWrites = true;
  // Writes from base + at; offset() counts from base.
  SizedWriter(char* base, size_t at) : base_(base), p_(base + at) {}
  void Byte(char c) { *p_++ = c; }
  void Uvarint(uint64_t v) { p_ += EncodeUvarint(v, reinterpret_cast<uint8_t*>(p_)); }
  void Varint(int64_t v) { Uvarint(ZigZag(v)); }
  void Bytes(std::string_view s) {
    if (s.empty()) return;
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void String(std::string_view s) {
    Uvarint(s.size());
    Bytes(s);
  }
  size_t offset() const { return static_cast<size_t>(p_ - base_); }

 private:
  char* base_;
  char* p_;
};

class SizeCounter {
 public:
  static constexpr bool kWrites = false;
  void Byte(char) { ++n_; }
  void Uvarint(uint64_t v) { n_ += UvarintSize(v); }
  void Varint(int64_t v) { Uvarint(ZigZag(v)); }
  void Bytes(std::string_view s) { n_ += s.size(); }
  void String(std::string_view s) { n_ += StringSize(s); }
  size_t offset() const { return n_; }

 private:
  size_t n_ = 0;
};

// Appends what `write(sink)` writes to *out: one pass with a SizeCounter to size it, one
// with a SizedWriter to fill it. `write` must make the same calls both times.
template <typename Write>
void AppendSized(std::string* out, const Write& write) {
  SizeCounter count;
  write(count);
  const size_t at = out->size();
  out->resize(at + count.offset());
  SizedWriter w(out->data(), at);
  write(w);
  assert(w.offset() == out->size());
}

inline uint32_t LoadFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

inline uint64_t LoadFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  size_t remaining() const { return in_.size() - pos_; }
  size_t offset() const { return pos_; }

  bool Byte(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Fixed32(uint32_t* v) {
    if (remaining() < 4) return false;
    *v = LoadFixed32(in_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    *v = LoadFixed64(in_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool Double(double* v) {
    uint64_t u;
    if (!Fixed64(&u)) return false;
    *v = std::bit_cast<double>(u);
    return true;
  }
  // Rejects varints longer than 10 bytes or overflowing 64 bits.
  bool Uvarint(uint64_t* v) {
    const auto* begin = reinterpret_cast<const uint8_t*>(in_.data());
    const uint8_t* p = begin + pos_;
    if (!DecodeUvarint(&p, begin + in_.size(), v)) return false;
    pos_ = static_cast<size_t>(p - begin);
    return true;
  }
  bool Varint(int64_t* v) {
    uint64_t u;
    if (!Uvarint(&u)) return false;
    *v = UnZigZag(u);
    return true;
  }
  // The next n bytes, as a view into the input.
  bool Bytes(size_t n, std::string_view* s) {
    if (n > remaining()) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // A uvarint length followed by that many bytes; the view points into the input.
  bool String(std::string_view* s) {
    uint64_t n;
    if (!Uvarint(&n) || n > remaining()) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace vigil
