#include "storage/metrics/chunkenc/int_stream.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "common/coding.h"

namespace vigil::chunkenc {
namespace {

void PutUvarint(uint64_t v, std::vector<uint8_t>* out) {
  uint8_t b[10];
  out->insert(out->end(), b, b + EncodeUvarint(v, b));
}

size_t PackedBytes(size_t count, int width) { return (count * static_cast<size_t>(width) + 7) / 8; }

// Appends `values` (each below 2^width) LSB first; the last byte is zero-padded.
void Pack(std::span<const uint64_t> values, int width, std::vector<uint8_t>* out) {
  if (width == 0) return;
  uint64_t acc = 0;
  int fill = 0;
  uint8_t word[8];
  auto put = [&](uint64_t w, size_t nbytes) {
    for (size_t i = 0; i < nbytes; ++i) word[i] = static_cast<uint8_t>(w >> (8 * i));
    out->insert(out->end(), word, word + nbytes);
  };
  for (uint64_t v : values) {
    acc |= v << fill;
    const int total = fill + width;
    if (total >= 64) {
      put(acc, 8);
      acc = fill == 0 ? 0 : v >> (64 - fill);
      fill = total - 64;
    } else {
      fill = total;
    }
  }
  put(acc, static_cast<size_t>((fill + 7) / 8));
}

}  // namespace

namespace {

// The residual of `order` at index i >= order, modulo 2^64.
inline uint64_t Residual(const uint64_t* u, size_t i, int order) {
  switch (order) {
    case 0:
      return u[i];
    case 1:
      return u[i] - u[i - 1];
    default:
      return (u[i] - u[i - 1]) - (u[i - 1] - u[i - 2]);
  }
}

// Folds r into a running divisor: most often 1 (after a value or two) or a fixed quantum that
// every later residual is a multiple of, so divisibility is tested before paying for a gcd.
inline void FoldDivisor(uint64_t r, uint64_t* g) {
  if (*g == 1) return;
  if (*g == 0) {
    *g = r;
  } else if ((*g & (*g - 1)) == 0 ? (r & (*g - 1)) != 0 : r % *g != 0) {
    *g = std::gcd(*g, r);
  }
}

}  // namespace

IntStreamWriter::Plan IntStreamWriter::BestPlan(std::span<const int64_t> xs, int max_order) {
  const size_t n = xs.size();
  const int top =
      static_cast<int>(std::min<size_t>(static_cast<size_t>(std::clamp(max_order, 0, 2)), n));
  const auto* u = reinterpret_cast<const uint64_t*>(xs.data());

  // Fast path for the most common streams: a constant (all deltas 0) or a steady interval
  // (all deltas of deltas 0) need no residual section.
  if (top >= 1 && n >= 2) {
    bool flat = true, steady = top >= 2;
    for (size_t i = 2; i < n && (flat || steady); ++i) {
      const uint64_t d = u[i] - u[i - 1], prev = u[i - 1] - u[i - 2];
      flat = flat && d == 0;
      steady = steady && d == prev;
    }
    flat = flat && u[1] == u[0];
    if (flat || steady) {
      Plan p;
      p.order = flat ? 1 : 2;
      p.all_zero = true;
      p.size = 1 + UvarintSize(ZigZag(xs[0])) +
               (flat ? 0 : UvarintSize(ZigZag(static_cast<int64_t>(u[1] - u[0]))));
      return p;
    }
  }

  // Calls fn(order, index among that order's residuals, residual) for every residual of
  // every order up to `top`, in one walk over the values.
  auto visit = [&](auto&& fn) {
    uint64_t prev_delta = 0;
    for (size_t i = 0; i < n; ++i) {
      fn(0, i, u[i]);
      if (i == 0 || top < 1) continue;
      const uint64_t delta = u[i] - u[i - 1];
      fn(1, i - 1, delta);
      if (i >= 2 && top >= 2) fn(2, i - 2, delta - prev_delta);
      prev_delta = delta;
    }
  };
  // Pass 1: the minimum residual of every order.
  int64_t mins[3] = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(),
                     std::numeric_limits<int64_t>::max()};
  visit([&](int k, size_t, uint64_t r) { mins[k] = std::min(mins[k], static_cast<int64_t>(r)); });
  // Pass 2: divisors and the largest offset from the minimum per mini-block.
  const size_t blocks = (n + kMiniBlockSize - 1) / kMiniBlockSize;
  uint64_t g[3] = {0, 0, 0};
  for (int k = 0; k <= top; ++k) block_max_[k].assign(blocks, 0);
  visit([&](int k, size_t j, uint64_t r) {
    const uint64_t off = r - static_cast<uint64_t>(mins[k]);
    FoldDivisor(off, &g[k]);
    uint64_t& m = block_max_[k][j / kMiniBlockSize];
    m = std::max(m, off);
  });
  Plan best;
  for (int k = 0; k <= top; ++k) {
    Plan p;
    p.order = k;
    p.size = 1;
    if (k >= 1) p.size += UvarintSize(ZigZag(xs[0]));
    if (k >= 2) {
      p.size += UvarintSize(ZigZag(static_cast<int64_t>(u[1] - u[0])));
    }
    const size_t m = n - static_cast<size_t>(k);
    if (m > 0) {
      p.base = static_cast<uint64_t>(mins[k]);
      p.divisor = g[k] > 1 ? g[k] : 1;
      p.size += UvarintSize(ZigZag(mins[k]));
      if (p.divisor > 1) p.size += UvarintSize(p.divisor);
      size_t per_block = 0;
      const size_t kb = (m + kMiniBlockSize - 1) / kMiniBlockSize;
      for (size_t b = 0; b < kb; ++b) {
        const auto w = static_cast<uint8_t>(std::bit_width(block_max_[k][b] / p.divisor));
        p.max_width = std::max(p.max_width, w);
        per_block += 1 + PackedBytes(std::min(m - b * kMiniBlockSize, kMiniBlockSize), w);
      }
      // Mini-blocks are padded one by one, in either layout.
      size_t uniform_padded = 1;
      for (size_t b = 0; b < kb; ++b) {
        uniform_padded +=
            PackedBytes(std::min(m - b * kMiniBlockSize, kMiniBlockSize), p.max_width);
      }
      p.block_widths = per_block < uniform_padded;
      p.size += std::min(per_block, uniform_padded);
      if (mins[k] == 0 && p.max_width == 0) {
        p.all_zero = true;
        p.size = 1 + (k >= 1 ? UvarintSize(ZigZag(xs[0])) : 0) +
                 (k >= 2 ? UvarintSize(ZigZag(static_cast<int64_t>(u[1] - u[0]))) : 0);
      }
    }
    if (k == 0 || p.size < best.size) best = p;
  }
  return best;
}

size_t IntStreamWriter::EncodedSize(std::span<const int64_t> xs, int max_order) {
  if (xs.empty()) return 0;
  return BestPlan(xs, max_order).size;
}

void IntStreamWriter::Write(std::span<const int64_t> xs, int max_order, std::vector<uint8_t>* out) {
  if (xs.empty()) return;
  const Plan p = BestPlan(xs, max_order);
  uint8_t head = static_cast<uint8_t>(p.order);
  if (p.divisor > 1) head |= kIntStreamHasDivisor;
  if (p.block_widths) head |= kIntStreamBlockWidths;
  if (p.all_zero) head = static_cast<uint8_t>(p.order) | kIntStreamAllZero;
  out->push_back(head);
  if (p.order >= 1) PutUvarint(ZigZag(xs[0]), out);
  if (p.order >= 2) {
    PutUvarint(
        ZigZag(static_cast<int64_t>(static_cast<uint64_t>(xs[1]) - static_cast<uint64_t>(xs[0]))),
        out);
  }
  const size_t m = xs.size() - static_cast<size_t>(p.order);
  if (m == 0 || p.all_zero) return;
  const auto* u = reinterpret_cast<const uint64_t*>(xs.data());
  residuals_.resize(m);
  widths_.clear();
  const bool shift = (p.divisor & (p.divisor - 1)) == 0;
  const int log2 = std::countr_zero(p.divisor);
  for (size_t j = 0; j < m; ++j) {
    const uint64_t off = Residual(u, j + static_cast<size_t>(p.order), p.order) - p.base;
    residuals_[j] = shift ? off >> log2 : off / p.divisor;
  }
  for (size_t b = 0; b < m; b += kMiniBlockSize) {
    widths_.push_back(
        static_cast<uint8_t>(std::bit_width(block_max_[p.order][b / kMiniBlockSize] / p.divisor)));
  }
  PutUvarint(ZigZag(static_cast<int64_t>(p.base)), out);
  if (p.divisor > 1) PutUvarint(p.divisor, out);
  if (p.block_widths) {
    out->insert(out->end(), widths_.begin(), widths_.end());
  } else {
    out->push_back(p.max_width);
  }
  const std::span<const uint64_t> all(residuals_);
  for (size_t b = 0, k = 0; b < all.size(); b += kMiniBlockSize, ++k) {
    const size_t count = std::min(all.size() - b, kMiniBlockSize);
    Pack(all.subspan(b, count), p.block_widths ? widths_[k] : p.max_width, out);
  }
}

}  // namespace vigil::chunkenc
