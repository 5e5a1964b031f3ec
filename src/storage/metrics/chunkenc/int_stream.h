// Packed integer sequences, the building block of dense chunks (docs/formats/chunk.md):
// a sequence of int64 is stored as its first `order` values (0, 1 or 2) followed by the
// residuals of that order (the values, their deltas, or their deltas of deltas), less their
// minimum, divided by their greatest common divisor, and bit-packed in mini-blocks of 64 with
// one bit width per mini-block or per stream (or nothing at all when every residual is 0).
// All arithmetic wraps modulo 2^64, so any int64
// sequence round-trips.
//
//   IntStreamWriter picks the cheapest order and width layout and appends the bytes.
//   ReadIntStream   decodes a stream from hostile bytes: bounds-checked, never reads past
//                   `end`, and returns false with a reason on corrupt or truncated input.
//   ReadIntStreamRange  the same, handing over only the values with index in [lo, hi).
//
// Thread-safety: an IntStreamWriter keeps scratch space, one per thread; ReadIntStream and
// ReadIntStreamRange are reentrant.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/coding.h"

namespace vigil::chunkenc {

inline constexpr size_t kMiniBlockSize = 64;

// Head byte of a stream.
inline constexpr uint8_t kIntStreamOrderMask = 0x03;     // 0, 1 or 2
inline constexpr uint8_t kIntStreamHasDivisor = 0x04;    // a uvarint divisor follows the base
inline constexpr uint8_t kIntStreamBlockWidths = 0x08;   // one width byte per mini-block
inline constexpr uint8_t kIntStreamAllZero = 0x10;       // every residual is 0: no more bytes
inline constexpr uint8_t kIntStreamReservedBits = 0xe0;  // must be zero

class IntStreamWriter {
 public:
  // Appends the encoding of `xs` to *out, choosing the cheapest order <= max_order (and
  // <= xs.size()).
  void Write(std::span<const int64_t> xs, int max_order, std::vector<uint8_t>* out);
  // The number of bytes Write would append.
  size_t EncodedSize(std::span<const int64_t> xs, int max_order);

 private:
  struct Plan {
    int order = 0;
    uint64_t base = 0;     // minimum residual (as int64 bits)
    uint64_t divisor = 1;  // gcd of residual - base
    bool block_widths = false;
    bool all_zero = false;  // no residual section
    uint8_t max_width = 0;
    size_t size = 0;  // encoded bytes
  };
  // Sizes every order up to max_order in a few fused passes and returns the smallest.
  Plan BestPlan(std::span<const int64_t> xs, int max_order);

  std::vector<uint64_t> block_max_[3];  // per order: largest residual - base per mini-block
  std::vector<uint64_t> residuals_;     // (residual - base) / divisor of the plan being written
  std::vector<uint8_t> widths_;         // per mini-block, of the plan being written
};

namespace int_stream_internal {

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// Unpacks `count` values of `width` bits (1..64), LSB first, from `p`, which must have
// (count * width + 7) / 8 + 9 readable bytes.
//
// The loop runs on the bit position alone, and widths up to 57 (all a value needs after a
// shift of at most 7) never touch a ninth byte: fewer live values, so the loop's state stays
// in registers (a spilled counter put a store-to-load chain on every value).
template <typename Fn>
inline void Unpack(const uint8_t* p, size_t count, int width, Fn&& fn) {
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  const size_t w = static_cast<size_t>(width);
  const size_t end_bit = count * w;
  if (width <= 57) {
    for (size_t bit = 0; bit != end_bit; bit += w) {
      fn((Load64(p + (bit >> 3)) >> (bit & 7)) & mask);
    }
    return;
  }
  for (size_t bit = 0; bit != end_bit; bit += w) {
    const uint8_t* q = p + (bit >> 3);
    const int shift = static_cast<int>(bit & 7);
    uint64_t v = Load64(q) >> shift;
    if (shift + width > 64) v |= uint64_t{q[8]} << (64 - shift);
    fn(v & mask);
  }
}

// Decodes one mini-block of `count` packed values (`width` bits each, 0 for all-zero) into
// the running state of an order-kOrder stream, handing x to sink(i, x) for kCheck ? i in
// [lo, lo + span) : every i. The running state is copied into locals and back so that the
// per-value loop keeps it in registers: the compiler otherwise spilled the index, and the
// store-to-load chain through it bounded the whole loop.
template <int kOrder, bool kCheck, typename Sink>
inline void DecodeBlock(const uint8_t* src, size_t count, int width, uint64_t base,
                        uint64_t divisor, size_t lo, size_t span, size_t* i_io, uint64_t* x_io,
                        uint64_t* d_io, Sink& sink) {
  size_t i = *i_io;
  uint64_t x = *x_io, d = *d_io;
  auto step = [&](uint64_t packed) {
    const uint64_t r = base + packed * divisor;
    if constexpr (kOrder == 0) {
      x = r;
    } else if constexpr (kOrder == 1) {
      x += r;
    } else {
      d += r;
      x += d;
    }
    if (!kCheck || i - lo < span) sink(i, static_cast<int64_t>(x));
    ++i;
  };
  if (width == 0) {
    for (size_t k = 0; k < count; ++k) step(0);
  } else {
    Unpack(src, count, width, step);
  }
  *i_io = i;
  *x_io = x;
  *d_io = d;
}

}  // namespace int_stream_internal

// Decodes a stream of `n` values starting at *p (advanced past it), calling sink(i, x) in
// order for the indices i in [lo, hi) only. Values before `lo` are still decoded where the
// later ones depend on them (orders 1 and 2), but only summed; mini-blocks wholly before `lo`
// (order 0) or from `hi` on are stepped over; a steady or constant stream is positioned on
// `lo` directly. Every byte is still bounds-checked, so hostile input is refused whatever the
// range. Returns false and sets *error on malformed input; sink may then have been called
// for a prefix.
template <typename Sink>
bool ReadIntStreamRange(const uint8_t** p, const uint8_t* end, size_t n, size_t lo, size_t hi,
                        Sink&& sink, const char** error) {
  using int_stream_internal::Unpack;
  if (n == 0) return true;
  hi = std::min(hi, n);
  lo = std::min(lo, hi);
  auto put = [&](size_t i, uint64_t x) {
    if (i - lo < hi - lo) sink(i, static_cast<int64_t>(x));
  };
  if (*p >= end) {
    *error = "truncated int stream";
    return false;
  }
  const uint8_t head = *(*p)++;
  const int order = head & kIntStreamOrderMask;
  if ((head & kIntStreamReservedBits) != 0 || order == 3) {
    *error = "bad int stream header";
    return false;
  }
  if (static_cast<size_t>(order) > n) {
    *error = "int stream order exceeds its length";
    return false;
  }
  uint64_t x = 0, d = 0, u;
  if (order >= 1) {
    if (!DecodeUvarint(p, end, &u)) {
      *error = "truncated int stream start";
      return false;
    }
    x = static_cast<uint64_t>(UnZigZag(u));
    put(0, x);
  }
  if (order == 2) {
    if (!DecodeUvarint(p, end, &u)) {
      *error = "truncated int stream start";
      return false;
    }
    d = static_cast<uint64_t>(UnZigZag(u));
    x += d;
    put(1, x);
  }
  const size_t first = static_cast<size_t>(order);  // index of the first residual
  const size_t residuals = n - first;
  if (residuals == 0) return true;
  if ((head & kIntStreamAllZero) != 0) {
    // A steady interval (delta-of-delta 0), a constant (delta 0), or zeros: x_i in closed
    // form, x_i = x_1 + (i - 1) * d for order 2 (modulo 2^64, as the running sum would wrap).
    for (size_t i = std::max(lo, first); i < hi; ++i) {
      if (order == 2) {
        put(i, x + static_cast<uint64_t>(i - 1) * d);
      } else {
        put(i, order == 1 ? x : 0);
      }
    }
    return true;
  }
  uint64_t base, divisor = 1;
  if (!DecodeUvarint(p, end, &u)) {
    *error = "truncated int stream base";
    return false;
  }
  base = static_cast<uint64_t>(UnZigZag(u));
  if ((head & kIntStreamHasDivisor) != 0 && !DecodeUvarint(p, end, &divisor)) {
    *error = "truncated int stream divisor";
    return false;
  }
  const size_t blocks = (residuals + kMiniBlockSize - 1) / kMiniBlockSize;
  const bool block_widths = (head & kIntStreamBlockWidths) != 0;
  const size_t width_bytes = block_widths ? blocks : 1;
  if (static_cast<size_t>(end - *p) < width_bytes) {
    *error = "truncated int stream widths";
    return false;
  }
  const uint8_t* widths = *p;
  *p += width_bytes;
  for (size_t i = 0; i < width_bytes; ++i) {
    if (widths[i] > 64) {
      *error = "int stream bit width above 64";
      return false;
    }
  }
  size_t i = first;
  // One mini-block through the decoder specialized for the stream's order, checking each
  // index against [lo, hi) only where the block straddles a bound.
  auto decode = [&](const uint8_t* src, size_t count, int width) {
    auto block = [&]<int kOrder, bool kCheck>(std::integral_constant<int, kOrder>,
                                              std::bool_constant<kCheck>) {
      int_stream_internal::DecodeBlock<kOrder, kCheck>(src, count, width, base, divisor, lo,
                                                       hi - lo, &i, &x, &d, sink);
    };
    auto by_order = [&](auto check) {
      if (order == 0) {
        block(std::integral_constant<int, 0>{}, check);
      } else if (order == 1) {
        block(std::integral_constant<int, 1>{}, check);
      } else {
        block(std::integral_constant<int, 2>{}, check);
      }
    };
    if (i >= lo && i + count <= hi) {
      by_order(std::false_type{});
    } else {
      by_order(std::true_type{});
    }
  };
  uint8_t scratch[kMiniBlockSize * 8 + 16];
  for (size_t b = 0; b < blocks; ++b) {
    const size_t count = b + 1 < blocks ? kMiniBlockSize : residuals - b * kMiniBlockSize;
    const int width = widths[block_widths ? b : 0];
    const size_t bytes = (count * static_cast<size_t>(width) + 7) / 8;
    const size_t left = static_cast<size_t>(end - *p);
    if (left < bytes) {
      *error = "truncated int stream data";
      return false;
    }
    const bool before = i + count <= lo;
    if (i >= hi || (before && order == 0)) {
      // Nothing wanted here, and nothing later depends on it.
      i += count;
      *p += bytes;
      continue;
    }
    const uint8_t* src = *p;
    if (width > 0 && left < bytes + 9) {
      // Near the end of the input: unpack from a zero-padded copy, never past `end`.
      std::memcpy(scratch, *p, bytes);
      std::memset(scratch + bytes, 0, 16);
      src = scratch;
    }
    if (before && order == 1) {
      // Only the running value matters: the block's residuals summed, mod 2^64. (Order 2
      // needs every running delta: emit below steps through them, handing over none.)
      uint64_t sum = 0;
      if (width > 0) Unpack(src, count, width, [&sum](uint64_t v) { sum += v; });
      x += static_cast<uint64_t>(count) * base + sum * divisor;
      i += count;
    } else {
      decode(src, count, width);
    }
    *p += bytes;
  }
  return true;
}

// The whole stream: sink(i, x) for i = 0..n-1.
template <typename Sink>
bool ReadIntStream(const uint8_t** p, const uint8_t* end, size_t n, Sink&& sink,
                   const char** error) {
  return ReadIntStreamRange(p, end, n, 0, n, std::forward<Sink>(sink), error);
}

}  // namespace vigil::chunkenc
