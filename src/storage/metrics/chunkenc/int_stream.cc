#include "storage/metrics/chunkenc/int_stream.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace vigil::chunkenc {
namespace {

size_t UvarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutUvarint(uint64_t v, std::vector<uint8_t>* out) {
  uint8_t b[10];
  out->insert(out->end(), b, b + EncodeUvarint(v, b));
}

size_t PackedBytes(size_t count, int width) {
  return (count * static_cast<size_t>(width) + 7) / 8;
}

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

IntStreamWriter::Plan IntStreamWriter::MakePlan(std::span<const int64_t> xs, int order) {
  Plan p;
  p.order = order;
  const size_t n = xs.size();
  p.size = 1;
  if (order >= 1) p.size += UvarintSize(ZigZag(xs[0]));
  if (order >= 2) {
    p.size += UvarintSize(
        ZigZag(static_cast<int64_t>(static_cast<uint64_t>(xs[1]) - static_cast<uint64_t>(xs[0]))));
  }
  const size_t m = n - static_cast<size_t>(order);
  residuals_.resize(m);
  widths_.clear();
  if (m == 0) return p;

  // Residuals of the chosen order, modulo 2^64.
  const auto* u = reinterpret_cast<const uint64_t*>(xs.data());
  for (size_t j = 0; j < m; ++j) {
    const size_t i = j + static_cast<size_t>(order);
    uint64_t r = u[i];
    if (order == 1) r = u[i] - u[i - 1];
    if (order == 2) r = (u[i] - u[i - 1]) - (u[i - 1] - u[i - 2]);
    residuals_[j] = r;
  }
  int64_t base = std::numeric_limits<int64_t>::max();
  for (uint64_t r : residuals_) base = std::min(base, static_cast<int64_t>(r));
  p.base = static_cast<uint64_t>(base);
  uint64_t g = 0;
  for (uint64_t& r : residuals_) {
    r -= p.base;
    if (g != 1) g = std::gcd(g, r);
  }
  if (g > 1) {
    p.divisor = g;
    for (uint64_t& r : residuals_) r /= g;
  }
  p.size += UvarintSize(ZigZag(base));
  if (p.divisor > 1) p.size += UvarintSize(p.divisor);

  size_t per_block = 0;
  for (size_t b = 0; b < m; b += kMiniBlockSize) {
    const size_t end = std::min(m, b + kMiniBlockSize);
    uint64_t all = 0;
    for (size_t j = b; j < end; ++j) all |= residuals_[j];
    const auto w = static_cast<uint8_t>(std::bit_width(all));
    widths_.push_back(w);
    p.max_width = std::max(p.max_width, w);
    per_block += 1 + PackedBytes(end - b, w);
  }
  size_t uniform = 1;
  for (size_t b = 0; b < m; b += kMiniBlockSize) {
    uniform += PackedBytes(std::min(m, b + kMiniBlockSize) - b, p.max_width);
  }
  p.block_widths = per_block < uniform;
  p.size += std::min(per_block, uniform);
  return p;
}

IntStreamWriter::Plan IntStreamWriter::BestPlan(std::span<const int64_t> xs, int max_order) {
  const int top = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(max_order, 0)),
                                                     std::min<size_t>(xs.size(), 2)));
  Plan best = MakePlan(xs, 0);
  for (int order = 1; order <= top; ++order) {
    Plan p = MakePlan(xs, order);
    if (p.size < best.size) best = p;
  }
  // Leave residuals_ and widths_ describing the winner.
  if (best.order != top) best = MakePlan(xs, best.order);
  return best;
}

size_t IntStreamWriter::EncodedSize(std::span<const int64_t> xs, int max_order) {
  if (xs.empty()) return 0;
  return BestPlan(xs, max_order).size;
}

void IntStreamWriter::Write(std::span<const int64_t> xs, int max_order,
                            std::vector<uint8_t>* out) {
  if (xs.empty()) return;
  const Plan p = BestPlan(xs, max_order);
  uint8_t head = static_cast<uint8_t>(p.order);
  if (p.divisor > 1) head |= kIntStreamHasDivisor;
  if (p.block_widths) head |= kIntStreamBlockWidths;
  out->push_back(head);
  if (p.order >= 1) PutUvarint(ZigZag(xs[0]), out);
  if (p.order >= 2) {
    PutUvarint(
        ZigZag(static_cast<int64_t>(static_cast<uint64_t>(xs[1]) - static_cast<uint64_t>(xs[0]))),
        out);
  }
  if (residuals_.empty()) return;
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
