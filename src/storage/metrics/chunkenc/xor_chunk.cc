#include "storage/metrics/chunkenc/xor_chunk.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vigil::chunkenc {
namespace {

// Whether a delta-of-delta fits the `nbits` bucket: Prometheus' bitRange, which admits
// -(2^(n-1) - 1) .. 2^(n-1).
inline bool FitsBits(int64_t x, int nbits) {
  int64_t hi = int64_t{1} << (nbits - 1);
  return -(hi - 1) <= x && x <= hi;
}

inline uint64_t LowBits(int64_t x, int nbits) {
  return static_cast<uint64_t>(x) & ((uint64_t{1} << nbits) - 1);
}

}  // namespace

XorChunk::XorChunk() { w_.WriteBits(0, 16); }

XorChunk::XorChunk(size_t reserve_bytes) {
  w_.Reserve(reserve_bytes < kXorHeaderSize ? kXorHeaderSize : reserve_bytes);
  w_.WriteBits(0, 16);
}

bool XorChunk::Append(int64_t t, double v) {
  if (num_ >= kMaxSamples) return false;
  uint64_t vbits = std::bit_cast<uint64_t>(v);
  if (num_ == 0) {
    w_.WriteVarint(t);
    w_.WriteBits(vbits, 64);
    first_t_ = t;
  } else if (num_ == 1) {
    tdelta_ = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    w_.WriteUvarint(tdelta_);
    WriteXorValue(&w_, vbits, vbits_, &window_);
  } else {
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    int64_t dod = static_cast<int64_t>(delta - tdelta_);
    if (dod == 0) {
      w_.WriteBit(false);
    } else if (FitsBits(dod, 14)) {
      w_.WriteBits((uint64_t{0b10} << 14) | LowBits(dod, 14), 16);
    } else if (FitsBits(dod, 17)) {
      w_.WriteBits((uint64_t{0b110} << 17) | LowBits(dod, 17), 20);
    } else if (FitsBits(dod, 20)) {
      w_.WriteBits((uint64_t{0b1110} << 20) | LowBits(dod, 20), 24);
    } else {
      w_.WriteBits(0b1111, 4);
      w_.WriteBits(static_cast<uint64_t>(dod), 64);
    }
    tdelta_ = delta;
    WriteXorValue(&w_, vbits, vbits_, &window_);
  }
  t_ = t;
  vbits_ = vbits;
  ++num_;
  auto& b = w_.bytes();
  b[0] = static_cast<uint8_t>(num_ >> 8);
  b[1] = static_cast<uint8_t>(num_);
  return true;
}

absl::StatusOr<XorChunk> XorChunk::FromBytes(std::span<const uint8_t> bytes) {
  XorIterator it(bytes);
  while (it.Next()) {
  }
  if (!it.status().ok()) return it.status();
  if (bytes.size() < kXorHeaderSize) return XorChunk();
  XorChunk c;
  size_t bits = it.r_.BitPosition() + 8 * kXorHeaderSize;
  if (it.total_ == 0) bits = 8 * kXorHeaderSize;
  std::vector<uint8_t> out(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>((bits + 7) / 8));
  int free = static_cast<int>((8 - bits % 8) % 8);
  if (free != 0) out.back() &= static_cast<uint8_t>(0xff << free);  // drop trailing garbage
  c.w_.Reset(std::move(out), free);
  c.num_ = it.total_;
  c.first_t_ = 0;
  c.t_ = it.t_;
  c.tdelta_ = it.tdelta_;
  c.vbits_ = it.vbits_;
  c.window_ = it.window_;
  if (c.num_ > 0) {
    XorIterator first(bytes);
    first.Next();
    c.first_t_ = first.t();
  }
  return c;
}

XorIterator::XorIterator(std::span<const uint8_t> bytes) {
  if (bytes.size() < kXorHeaderSize) {
    // An empty span is an empty chunk; a single byte cannot be one.
    if (!bytes.empty()) status_ = absl::DataLossError("xor chunk: truncated header");
    return;
  }
  total_ = (uint32_t{bytes[0]} << 8) | bytes[1];
  r_ = BitReader(bytes.subspan(kXorHeaderSize));
}

bool XorIterator::Fail(const char* what) {
  status_ = absl::DataLossError(
      absl::StrCat("xor chunk: ", what, " at sample ", read_, " of ", total_));
  read_ = total_;
  return false;
}

bool XorIterator::Seek(int64_t t) {
  if (read_ > 0 && t_ >= t && status_.ok()) return true;
  while (Next()) {
    if (t_ >= t) return true;
  }
  return false;
}

absl::Status DecodeXorChunk(std::span<const uint8_t> bytes, std::vector<Sample>* out,
                            int64_t mint, int64_t maxt) {
  XorIterator it(bytes);
  const bool all =
      mint == std::numeric_limits<int64_t>::min() && maxt == std::numeric_limits<int64_t>::max();
  // Sized up front and written by index: decoding is on every query's path. Each sample after
  // the first takes at least 2 bits, so a hostile header cannot make this allocate much more
  // than the input justifies.
  const size_t base = out->size();
  out->resize(base + std::min<size_t>(it.NumSamples(), bytes.size() * 4 + 1));
  size_t n = base;
  while (it.Next()) {
    if (!all && (it.t() < mint || it.t() > maxt)) continue;
    if (n == out->size()) {
      out->push_back(it.At());
    } else {
      (*out)[n] = it.At();
    }
    ++n;
  }
  out->resize(n);
  return it.status();
}

}  // namespace vigil::chunkenc
