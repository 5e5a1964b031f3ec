#include "storage/metrics/chunkenc/dense_chunk.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "common/coding.h"
#include "common/strings.h"
#include "storage/metrics/chunkenc/xor_values.h"

namespace vigil::chunkenc {
namespace {

constexpr uint8_t kValuesMask = 0x03;
constexpr uint8_t kReservedFlags = 0xfc;

// Powers of ten exactly (all are representable up to 1e22) and the doubles nearest to their
// inverses, as written in decimal literals.
constexpr double kPow10[kDenseMaxDecimalExponent + 1] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,
                                                         1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13,
                                                         1e14, 1e15, 1e16, 1e17, 1e18};
constexpr double kNegPow10[kDenseMaxDecimalExponent + 1] = {
    1e0,   1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,  1e-8, 1e-9,
    1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18};

// Scaled values must stay clear of the int64 range.
constexpr double kMaxScaled = 9.0e18;

inline uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// Values that no decimal form can hold bit for bit.
inline bool NeverDecimal(double v) {
  return !(std::fabs(v) < kMaxScaled) || (v == 0 && std::signbit(v));
}

inline double FromDecimal(int64_t m, int e, bool multiply) {
  return multiply ? static_cast<double>(m) * kNegPow10[e] : static_cast<double>(m) / kPow10[e];
}

// Whether v == FromDecimal(m, e, multiply) bit for bit for some m, which it stores.
inline bool ToDecimal(double v, int e, bool multiply, int64_t* m) {
  const double scaled = v * kPow10[e];
  if (!(std::fabs(scaled) < kMaxScaled)) return false;
  const auto c = static_cast<int64_t>(std::nearbyint(scaled));
  if (Bits(FromDecimal(c, e, multiply)) != Bits(v)) return false;
  *m = c;
  return true;
}

void PutUvarint(uint64_t v, std::vector<uint8_t>* out) {
  uint8_t b[10];
  out->insert(out->end(), b, b + EncodeUvarint(v, b));
}

}  // namespace

bool DenseChunkEncoder::ChooseDecimal(std::span<const Sample> samples, int* exponent,
                                      bool* multiply) {
  const size_t n = samples.size();
  exception_.assign(n, 0);
  size_t never = 0;
  for (size_t i = 0; i < n; ++i) {
    if (NeverDecimal(samples[i].v)) {
      exception_[i] = 1;
      ++never;
    }
  }
  // Past 1 exception in 8 samples a decimal form does not pay.
  const size_t limit = n / 8;
  if (never > limit || never == n) return false;
  // Estimated cost in bits: each exception about 9 bytes, each decimal digit log2(10) bits
  // for every sample. The smallest exponent is not always best: one odd value (a counter's
  // start, say) can need 17 digits where all the others need none.
  constexpr double kExceptionBits = 72;
  const double digit_bits = 3.33 * static_cast<double>(n);
  double best_cost = 0;
  bool found = false;
  for (auto* v : {&pass_m_, &best_m_}) v->resize(n);
  for (auto* v : {&pass_fail_, &best_fail_}) v->resize(n);
  for (int e = 0; e <= kDenseMaxDecimalExponent; ++e) {
    const double base_cost = e * digit_bits;
    if (found && base_cost >= best_cost) break;
    for (bool mul : {false, true}) {
      if (e == 0 && mul) continue;  // the same as dividing by 1
      // Exclusive bound on the exceptions that would still beat the best so far.
      size_t bound = limit - never + 1;
      if (found) {
        bound = std::min(bound,
                         static_cast<size_t>(std::ceil((best_cost - base_cost) / kExceptionBits)));
      }
      size_t fails = 0;
      for (size_t i = 0; i < n && fails < bound; ++i) {
        const bool fail =
            exception_[i] == 0 && !ToDecimal(samples[i].v, e, mul, &pass_m_[i]);
        pass_fail_[i] = fail;
        fails += fail;
      }
      if (fails < bound) {  // a complete pass: keep its integers for EncodeDecimal
        found = true;
        best_cost = base_cost + static_cast<double>(fails) * kExceptionBits;
        *exponent = e;
        *multiply = mul;
        pass_m_.swap(best_m_);
        pass_fail_.swap(best_fail_);
      }
    }
  }
  return found;
}

void DenseChunkEncoder::EncodeDecimal(std::span<const Sample> samples, int exponent) {
  const size_t n = samples.size();
  scratch_.swap(best_m_);
  bool have = false;
  int64_t first = 0;
  for (size_t i = 0; i < n; ++i) {
    exception_[i] |= best_fail_[i];
    if (exception_[i] == 0 && !have) {
      have = true;
      first = scratch_[i];
    }
  }
  // Exceptions repeat their neighbour's integer, so they cost no bits in the deltas.
  size_t count = 0;
  int64_t prev = first;
  for (size_t i = 0; i < n; ++i) {
    if (exception_[i] != 0) {
      scratch_[i] = prev;
      ++count;
    } else {
      prev = scratch_[i];
    }
  }
  decimal_exceptions_ = count;
  decimal_.clear();
  decimal_.push_back(static_cast<uint8_t>(exponent));
  ints_.Write(scratch_, 2, &decimal_);
  PutUvarint(count, &decimal_);
  size_t last = 0;
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    if (exception_[i] == 0) continue;
    PutUvarint(any ? i - last - 1 : i, &decimal_);
    const uint64_t b = Bits(samples[i].v);
    for (int k = 0; k < 8; ++k) decimal_.push_back(static_cast<uint8_t>(b >> (8 * k)));
    last = i;
    any = true;
  }
}

void DenseChunkEncoder::EncodeXor(std::span<const Sample> samples) {
  xor_.Clear();
  XorWindow win;
  uint64_t prev = Bits(samples[0].v);
  xor_.WriteBits(prev, 64);
  for (size_t i = 1; i < samples.size(); ++i) {
    const uint64_t b = Bits(samples[i].v);
    WriteXorValue(&xor_, b, prev, &win);
    prev = b;
  }
}

absl::Status DenseChunkEncoder::Encode(std::span<const Sample> samples, std::vector<uint8_t>* out) {
  const size_t n = samples.size();
  if (n > kDenseMaxSamples) {
    return absl::InvalidArgumentError(
        StrCat("dense chunk: ", n, " samples, at most ", kDenseMaxSamples, " fit"));
  }
  const size_t flags_at = out->size();
  out->push_back(0);
  PutUvarint(n, out);
  if (n == 0) return absl::OkStatus();

  scratch_.resize(n);
  for (size_t i = 0; i < n; ++i) scratch_[i] = samples[i].t;
  ints_.Write(scratch_, 2, out);

  // Candidates for the values; the smallest wins.
  EncodeXor(samples);
  DenseValues kind = DenseValues::kXor;
  size_t best = xor_.bytes().size();
  int exponent = 0;
  bool multiply = false;
  if (ChooseDecimal(samples, &exponent, &multiply)) {
    EncodeDecimal(samples, exponent);
    if (decimal_.size() < best) {
      best = decimal_.size();
      kind = multiply ? DenseValues::kDecimalMul : DenseValues::kDecimalDiv;
    }
  }
  // The bit patterns only pay for values with many significant digits: skip them when a
  // short decimal form holds every value.
  const bool short_decimal = kind != DenseValues::kXor && exponent <= 3 && decimal_exceptions_ == 0;
  if (!short_decimal) {
    for (size_t i = 0; i < n; ++i) scratch_[i] = static_cast<int64_t>(Bits(samples[i].v));
  }
  if (!short_decimal && ints_.EncodedSize(scratch_, 2) < best) {
    bits_.clear();
    ints_.Write(scratch_, 2, &bits_);
    kind = DenseValues::kBits;
  }
  (*out)[flags_at] = static_cast<uint8_t>(kind);
  switch (kind) {
    case DenseValues::kXor:
      out->insert(out->end(), xor_.bytes().begin(), xor_.bytes().end());
      break;
    case DenseValues::kDecimalDiv:
    case DenseValues::kDecimalMul:
      out->insert(out->end(), decimal_.begin(), decimal_.end());
      break;
    case DenseValues::kBits:
      out->insert(out->end(), bits_.begin(), bits_.end());
      break;
  }
  last_values_ = kind;
  return absl::OkStatus();
}

namespace {

struct Header {
  DenseValues values;
  uint32_t n;
};

// Parses the flags and sample count, advancing *p.
const char* ReadHeader(const uint8_t** p, const uint8_t* end, Header* h) {
  if (*p >= end) return "empty chunk";
  const uint8_t flags = *(*p)++;
  if ((flags & kReservedFlags) != 0) return "unknown flags";
  h->values = static_cast<DenseValues>(flags & kValuesMask);
  uint64_t n;
  if (!DecodeUvarint(p, end, &n)) return "truncated sample count";
  if (n > kDenseMaxSamples) return "too many samples";
  h->n = static_cast<uint32_t>(n);
  return nullptr;
}

// Decodes the value section, advancing *p past all of it, and stores the values with index
// in [lo, hi) into s[lo..hi); nullptr or an error. A query reading the last minutes of a
// block's chunk needs a few of its values: the others are skipped, or summed where later
// values depend on them, but neither converted nor stored.
const char* ReadValues(const uint8_t** p, const uint8_t* end, DenseValues kind, Sample* s,
                       size_t n, size_t lo, size_t hi) {
  const char* error = nullptr;
  const size_t width = hi - lo;
  auto wanted = [lo, width](size_t i) { return i - lo < width; };  // lo <= i < hi
  switch (kind) {
    case DenseValues::kXor: {
      BitReader r(std::span<const uint8_t>(*p, end));
      uint64_t v;
      if (!r.ReadBits(64, &v)) return "truncated first value";
      if (wanted(0)) s[0].v = std::bit_cast<double>(v);
      XorWindow win;
      for (size_t i = 1; i < n; ++i) {
        if (!ReadXorValue(&r, &v, &win, &error)) return error;
        if (wanted(i)) s[i].v = std::bit_cast<double>(v);
      }
      *p += (r.BitPosition() + 7) / 8;
      return nullptr;
    }
    case DenseValues::kBits:
      if (!ReadIntStreamRange(
              p, end, n, lo, hi, [s](size_t i, int64_t m) { s[i].v = std::bit_cast<double>(m); },
              &error)) {
        return error;
      }
      return nullptr;
    case DenseValues::kDecimalDiv:
    case DenseValues::kDecimalMul: {
      if (*p >= end) return "truncated decimal exponent";
      const int e = *(*p)++;
      if (e > kDenseMaxDecimalExponent) return "decimal exponent out of range";
      bool ok;
      if (kind == DenseValues::kDecimalMul) {
        const double scale = kNegPow10[e];
        ok = ReadIntStreamRange(
            p, end, n, lo, hi,
            [s, scale](size_t i, int64_t m) { s[i].v = static_cast<double>(m) * scale; }, &error);
      } else if (e == 0) {
        // Whole numbers (counts): m / 1 is m exactly, so no division per value.
        ok = ReadIntStreamRange(
            p, end, n, lo, hi, [s](size_t i, int64_t m) { s[i].v = static_cast<double>(m); },
            &error);
      } else {
        const double scale = kPow10[e];
        ok = ReadIntStreamRange(
            p, end, n, lo, hi,
            [s, scale](size_t i, int64_t m) { s[i].v = static_cast<double>(m) / scale; }, &error);
      }
      if (!ok) return error;
      uint64_t count;
      if (!DecodeUvarint(p, end, &count)) return "truncated exception count";
      if (count > n) return "more exceptions than samples";
      uint64_t next = 0;  // lowest index the next exception may take
      for (uint64_t k = 0; k < count; ++k) {
        uint64_t gap;
        if (!DecodeUvarint(p, end, &gap)) return "truncated exception";
        if (gap >= n - next) return "exception index out of range";
        const uint64_t i = next + gap;
        if (end - *p < 8) return "truncated exception value";
        uint64_t b = 0;
        for (int j = 0; j < 8; ++j) b |= uint64_t{(*p)[j]} << (8 * j);
        *p += 8;
        if (wanted(i)) s[i].v = std::bit_cast<double>(b);
        next = i + 1;
      }
      return nullptr;
    }
  }
  return "unknown value encoding";
}

}  // namespace

absl::Status DecodeDenseChunk(std::span<const uint8_t> bytes, std::vector<Sample>* out,
                              int64_t mint, int64_t maxt) {
  const uint8_t* p = bytes.data();
  const uint8_t* end = p + bytes.size();
  Header h;
  const char* error = ReadHeader(&p, end, &h);
  const size_t base = out->size();
  // The samples kept are s[lo..hi) when the timestamps ascend (as written from a series);
  // otherwise all are decoded and filtered one by one.
  size_t lo = 0, hi = 0;
  bool ascending = true;
  if (error == nullptr && h.n > 0) {
    out->resize(base + h.n);
    Sample* s = out->data() + base;
    auto put_t = [s](size_t i, int64_t t) { s[i].t = t; };
    if (ReadIntStream(&p, end, h.n, put_t, &error)) {
      const Sample* first = s;
      const Sample* last = s + h.n;
      auto by_time = [](const Sample& a, const Sample& b) { return a.t >= b.t; };
      ascending = std::adjacent_find(first, last, by_time) == last;
      hi = h.n;
      if (ascending) {
        lo = static_cast<size_t>(std::partition_point(first, last, [mint](const Sample& x) {
                                   return x.t < mint;
                                 }) - first);
        hi = static_cast<size_t>(std::partition_point(first + lo, last, [maxt](const Sample& x) {
                                   return x.t <= maxt;
                                 }) - first);
      }
      error = ReadValues(&p, end, h.values, s, h.n, lo, hi);
    }
  }
  if (error == nullptr && p != end) error = "trailing bytes";
  if (error != nullptr) {
    out->resize(base);
    return absl::DataLossError(StrCat("dense chunk: ", error));
  }
  if (h.n == 0) return absl::OkStatus();
  if (ascending) {
    if (lo > 0) std::copy(out->begin() + static_cast<std::ptrdiff_t>(base + lo),
                          out->begin() + static_cast<std::ptrdiff_t>(base + hi),
                          out->begin() + static_cast<std::ptrdiff_t>(base));
    out->resize(base + (hi - lo));
    return absl::OkStatus();
  }
  size_t w = base;
  for (size_t i = base; i < out->size(); ++i) {
    const Sample& x = (*out)[i];
    if (x.t >= mint && x.t <= maxt) (*out)[w++] = x;
  }
  out->resize(w);
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> DenseChunkNumSamples(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  Header h;
  if (const char* error = ReadHeader(&p, p + bytes.size(), &h)) {
    return absl::DataLossError(StrCat("dense chunk: ", error));
  }
  return h.n;
}

}  // namespace vigil::chunkenc
