#include "storage/metrics/chunkenc/dense_chunk.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "storage/metrics/chunkenc/chunk.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

namespace vigil::chunkenc {
namespace {

constexpr int64_t kMinT = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxT = std::numeric_limits<int64_t>::max();
constexpr int64_t kStart = 1'700'000'000'000;
const double kInf = std::numeric_limits<double>::infinity();

std::vector<uint8_t> Encode(const std::vector<Sample>& s, DenseValues* kind = nullptr) {
  DenseChunkEncoder enc;
  std::vector<uint8_t> out;
  EXPECT_TRUE(enc.Encode(s, &out).ok());
  if (kind != nullptr) *kind = enc.last_values();
  return out;
}

size_t XorSize(const std::vector<Sample>& s) {
  XorChunk c;
  for (const Sample& x : s) c.Append(x.t, x.v);
  return c.size();
}

// Encodes, decodes (directly and through DecodeChunk) and compares bit for bit.
DenseValues ExpectRoundTrip(const std::vector<Sample>& s) {
  DenseValues kind;
  auto b = Encode(s, &kind);
  std::vector<Sample> got = {{-1, -1}};  // decoding appends
  absl::Status st = DecodeChunk(Encoding::kDense, b, &got);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(got.size(), s.size() + 1);
  for (size_t i = 0; i < s.size() && i + 1 < got.size(); ++i) {
    EXPECT_EQ(got[i + 1].t, s[i].t) << "sample " << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i + 1].v), std::bit_cast<uint64_t>(s[i].v))
        << "sample " << i << ": " << got[i + 1].v << " != " << s[i].v;
  }
  auto n = ChunkNumSamples(Encoding::kDense, b);
  EXPECT_TRUE(n.ok());
  EXPECT_EQ(*n, s.size());
  return kind;
}

std::vector<Sample> Counter(size_t n, uint64_t seed, int max_inc = 100, double start = 0) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> s;
  double v = start;
  for (size_t i = 0; i < n; ++i) {
    s.push_back({kStart + static_cast<int64_t>(i) * 15000, v});
    v += static_cast<double>(rng() % static_cast<uint64_t>(max_inc + 1));
  }
  return s;
}

TEST(DenseChunk, EmptyAndTiny) {
  auto b = Encode({});
  EXPECT_EQ(b.size(), 2u);
  std::vector<Sample> out;
  EXPECT_TRUE(DecodeDenseChunk(b, &out).ok());
  EXPECT_TRUE(out.empty());
  ExpectRoundTrip({{1000, 1.5}});
  ExpectRoundTrip({{-5, 0.0}});
  ExpectRoundTrip({{1000, 1.5}, {2000, -3}});
  ExpectRoundTrip({{kMaxT, StaleNaN()}});
}

TEST(DenseChunk, IntegerCounters) {
  EXPECT_EQ(ExpectRoundTrip(Counter(480, 1)), DenseValues::kDecimalDiv);
  ExpectRoundTrip(Counter(120, 2, 5, 1e12));
  ExpectRoundTrip(Counter(481, 3, 1000000, 123456789));
  // Negative values and a counter going down.
  std::vector<Sample> s;
  for (int i = 0; i < 200; ++i) s.push_back({kStart + i * 15000, -1000.0 + (i % 7) * -3.0});
  EXPECT_EQ(ExpectRoundTrip(s), DenseValues::kDecimalDiv);
}

TEST(DenseChunk, DecimalValues) {
  // Parsed decimals (the double nearest k / 100) and computed ones (k * 0.01) differ in
  // their last bit for some k; each has its own form.
  std::vector<Sample> parsed, computed;
  std::mt19937_64 rng(5);
  int64_t k = 12345;
  for (int i = 0; i < 300; ++i) {
    k += static_cast<int64_t>(rng() % 200) - 100;
    parsed.push_back({kStart + i * 15000, static_cast<double>(k) / 100});
    computed.push_back({kStart + i * 15000, static_cast<double>(k) * 0.01});
  }
  EXPECT_EQ(ExpectRoundTrip(parsed), DenseValues::kDecimalDiv);
  EXPECT_EQ(ExpectRoundTrip(computed), DenseValues::kDecimalMul);
  EXPECT_LT(Encode(parsed).size(), XorSize(parsed) / 2);
  // Large exponents: micro-units.
  std::vector<Sample> micro;
  for (int i = 0; i < 100; ++i) micro.push_back({kStart + i * 1000, (1000003 + i * 17) / 1e6});
  ExpectRoundTrip(micro);
}

TEST(DenseChunk, FloatGauges) {
  std::mt19937_64 rng(6);
  std::normal_distribution<double> d(0, 1e-5);
  std::vector<Sample> s;
  double v = 1e-4;
  for (int i = 0; i < 480; ++i) {
    v = std::fabs(v + d(rng));
    s.push_back({kStart + i * 15000, v});
  }
  DenseValues kind = ExpectRoundTrip(s);
  EXPECT_TRUE(kind == DenseValues::kBits || kind == DenseValues::kXor);
  EXPECT_LE(Encode(s).size(), XorSize(s));
  // Random bit patterns, including NaNs of every payload.
  for (int round = 0; round < 20; ++round) {
    std::vector<Sample> r;
    for (int i = 0; i < 100; ++i) r.push_back({kStart + i, std::bit_cast<double>(rng())});
    ExpectRoundTrip(r);
  }
}

TEST(DenseChunk, SpecialValuesAreExact) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> vals = {0.0,
                              -0.0,
                              kInf,
                              -kInf,
                              nan,
                              StaleNaN(),
                              1.0,
                              StaleNaN(),
                              std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::max(),
                              -std::numeric_limits<double>::max(),
                              std::bit_cast<double>(uint64_t{0xfff8000000000001}),
                              42.0,
                              42.0,
                              9.2e18,
                              -9.3e18,
                              0x1p63,
                              0x1p53 + 2};
  std::vector<Sample> s;
  for (size_t i = 0; i < vals.size(); ++i) s.push_back({static_cast<int64_t>(i) * 1000, vals[i]});
  ExpectRoundTrip(s);
  // A counter ending in a staleness marker, with a -0 and an Inf inside, keeps its decimal form
  // and carries the odd values as exceptions.
  auto c = Counter(240, 7);
  c[0].v = -0.0;
  c[100].v = kInf;
  c.back().v = StaleNaN();
  EXPECT_EQ(ExpectRoundTrip(c), DenseValues::kDecimalDiv);
  std::vector<Sample> got;
  ASSERT_TRUE(DecodeDenseChunk(Encode(c), &got).ok());
  EXPECT_TRUE(IsStaleNaN(got.back().v));
  EXPECT_TRUE(std::signbit(got[0].v));
  // All staleness markers.
  std::vector<Sample> stale;
  for (int i = 0; i < 50; ++i) stale.push_back({kStart + i * 15000, StaleNaN()});
  ExpectRoundTrip(stale);
  EXPECT_LT(Encode(stale).size(), 30u);
}

TEST(DenseChunk, OneOddStartDoesNotCostEveryValueDigits) {
  // A counter starting at a value with 16 significant digits, then integers: one exception
  // is cheaper than 10^9 scaling for every value.
  auto c = Counter(480, 8, 1000);
  for (auto& x : c) x.v += 1e9;
  c[0].v = 1234567890.123456;
  EXPECT_EQ(ExpectRoundTrip(c), DenseValues::kDecimalDiv);
  EXPECT_LT(Encode(c).size(), 480u * 11 / 8 + 40);
}

TEST(DenseChunk, IrregularTimestamps) {
  std::mt19937_64 rng(9);
  std::vector<Sample> s;
  int64_t t = kStart;
  for (int i = 0; i < 2000; ++i) {
    switch (rng() % 6) {
      case 0:
        t += 15000;
        break;
      case 1:
        t += 15000 + static_cast<int64_t>(rng() % 200) - 100;
        break;
      case 2:
        t += static_cast<int64_t>(rng() % 100000);
        break;
      case 3:
        t += static_cast<int64_t>(rng() % (1ull << 40));
        break;
      case 4:
        t -= static_cast<int64_t>(rng() % 100000);
        break;  // out of order
      case 5:
        break;  // duplicate
    }
    s.push_back({t, static_cast<double>(rng() % 1000)});
  }
  ExpectRoundTrip(s);
  ExpectRoundTrip({{kMinT, 1}, {kMaxT, 2}, {kMinT, 3}, {0, 4}, {kMaxT, 5}, {kMaxT, 5}, {-1, 6}});
}

TEST(DenseChunk, MaxSamples) {
  std::vector<Sample> s;
  for (uint32_t i = 0; i < kDenseMaxSamples; ++i) s.push_back({i * 10, static_cast<double>(i % 7)});
  ExpectRoundTrip(s);
  s.push_back({1 << 30, 1});
  DenseChunkEncoder enc;
  std::vector<uint8_t> out;
  EXPECT_EQ(enc.Encode(s, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(DenseChunk, DecodeRange) {
  std::vector<Sample> s;
  for (int i = 0; i < 100; ++i) s.push_back({i * 10, static_cast<double>(i)});
  auto b = Encode(s);
  std::vector<Sample> out = {{-1, -1}};
  ASSERT_TRUE(DecodeChunk(Encoding::kDense, b, &out, 200, 305).ok());
  ASSERT_EQ(out.size(), 12u);  // kept the existing element + 200..300
  EXPECT_EQ(out[1].t, 200);
  EXPECT_EQ(out[1].v, 20.0);
  EXPECT_EQ(out.back().t, 300);
}

// A bounded decode stores only the samples in range (decoding the rest): it must give what a
// full decode filtered by time gives, for every value form, exceptions inside and outside the
// range, and timestamps out of order.
TEST(DenseChunk, BoundedDecodeMatchesFilteredFullDecode) {
  std::mt19937_64 rng(11);
  std::vector<std::vector<Sample>> inputs;
  auto counter = Counter(480, 12);
  counter[3].v = -0.0;
  counter[300].v = kInf;
  counter.back().v = StaleNaN();
  inputs.push_back(counter);
  std::vector<Sample> computed, gauge, random_bits, unordered, mostly_flat;
  int64_t k = 500;
  double g = 1e-4, flat = M_PI;
  std::normal_distribution<double> d(0, 1e-5);
  for (int i = 0; i < 300; ++i) {
    const int64_t t = kStart + i * 15000;
    k += static_cast<int64_t>(rng() % 200) - 100;
    computed.push_back({t, static_cast<double>(k) * 0.01});
    g = std::fabs(g + d(rng));
    gauge.push_back({t, g});
    random_bits.push_back({t, std::bit_cast<double>(rng())});
    if (rng() % 10 == 0) flat = std::ldexp(static_cast<double>(rng() >> 11), -40);
    mostly_flat.push_back({t, flat});  // XOR's best case: repeats, and far jumps
    unordered.push_back({kStart + static_cast<int64_t>(rng() % 300) * 15000, static_cast<double>(i)});
  }
  inputs.insert(inputs.end(), {computed, gauge, random_bits, unordered, mostly_flat});
  std::set<DenseValues> kinds;
  for (size_t in = 0; in < inputs.size(); ++in) {
    DenseValues kind;
    const auto bytes = Encode(inputs[in], &kind);
    kinds.insert(kind);
    std::vector<Sample> all;
    ASSERT_TRUE(DecodeDenseChunk(bytes, &all).ok());
    for (int round = 0; round < 50; ++round) {
      // Bounds before, inside and after the chunk, empty ranges included; every other round
      // on sample timestamps exactly (both bounds are inclusive).
      const int64_t span = 300 * 15000;
      int64_t mint = kStart - 20000 + static_cast<int64_t>(rng() % (span + 40000));
      int64_t maxt = mint - 15000 + static_cast<int64_t>(rng() % (span / 2));
      if (round % 2 == 0) {
        mint = all[rng() % all.size()].t;
        maxt = all[rng() % all.size()].t;
      }
      std::vector<Sample> want = {{-1, -1}}, got = {{-1, -1}};
      for (const Sample& x : all) {
        if (x.t >= mint && x.t <= maxt) want.push_back(x);
      }
      ASSERT_TRUE(DecodeDenseChunk(bytes, &got, mint, maxt).ok());
      ASSERT_EQ(got.size(), want.size()) << "input " << in << " [" << mint << ", " << maxt << "]";
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].t, want[i].t) << "input " << in << " sample " << i;
        EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v), std::bit_cast<uint64_t>(want[i].v))
            << "input " << in << " sample " << i;
      }
    }
  }
  EXPECT_EQ(kinds.size(), 4u) << "every value form is covered";
}

TEST(DenseChunk, DenserThanXorOnCounters) {
  // 72% integer counters with steady increments and 28% 0.01-quantized gauges, 15 s scrapes:
  // the shape of a Kubernetes fleet.
  std::mt19937_64 rng(10);
  size_t xor_bytes = 0, dense_bytes = 0;
  for (int series = 0; series < 100; ++series) {
    std::vector<Sample> s;
    double v = static_cast<double>(rng() % 1000000);
    const uint64_t rate = 1 + rng() % 500;
    int64_t g = 1000 + static_cast<int64_t>(rng() % 1000);
    for (int i = 0; i < 480; ++i) {
      if (series < 72) {
        v += static_cast<double>(rng() % (2 * rate + 1));
      } else {
        g += static_cast<int64_t>(rng() % 21) - 10;
        v = static_cast<double>(g) * 0.01;
      }
      s.push_back({kStart + 7123 + i * 15000, v});
    }
    ExpectRoundTrip(s);
    dense_bytes += Encode(s).size();
    for (size_t i = 0; i < s.size(); i += 120) {
      xor_bytes += XorSize(std::vector<Sample>(s.begin() + static_cast<ptrdiff_t>(i),
                                               s.begin() + static_cast<ptrdiff_t>(i + 120)));
    }
  }
  // Measured: 0.29 of XOR's bytes (XOR in 120-sample chunks, as the head cuts them); demand
  // at least 60% smaller.
  EXPECT_LT(static_cast<double>(dense_bytes), 0.40 * static_cast<double>(xor_bytes))
      << dense_bytes << " dense against " << xor_bytes << " xor bytes";
}

TEST(DenseChunk, TruncatedOrPaddedInputErrors) {
  auto c = Counter(150, 11);
  c[3].v = StaleNaN();
  std::vector<Sample> gauge;
  for (int i = 0; i < 150; ++i) gauge.push_back({kStart + i * 15000, std::sin(i)});
  for (const auto& s : {c, gauge}) {
    auto b = Encode(s);
    for (size_t n = 0; n < b.size(); ++n) {
      std::vector<uint8_t> prefix(b.begin(), b.begin() + static_cast<ptrdiff_t>(n));
      std::vector<Sample> out = {{1, 1}};
      EXPECT_EQ(DecodeDenseChunk(prefix, &out).code(), absl::StatusCode::kDataLoss) << n;
      EXPECT_EQ(out.size(), 1u);  // nothing appended on error
    }
    b.push_back(0);
    std::vector<Sample> out;
    absl::Status st = DecodeDenseChunk(b, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(st.message().find("trailing bytes"), std::string::npos) << st;
  }
}

TEST(DenseChunk, MalformedHeaders) {
  std::vector<Sample> out;
  EXPECT_FALSE(DecodeDenseChunk({}, &out).ok());
  const std::vector<uint8_t> reserved = {0x80, 0x00};
  EXPECT_FALSE(DecodeDenseChunk(reserved, &out).ok());
  const std::vector<uint8_t> too_many = {0x00, 0x80, 0x80, 0x04};  // 65536 samples
  EXPECT_FALSE(DecodeDenseChunk(too_many, &out).ok());
  EXPECT_FALSE(ChunkNumSamples(Encoding::kDense, too_many).ok());
  // A decimal exponent beyond 18.
  const std::vector<uint8_t> exp = {0x01, 0x01, 0x01, 0x00, 19, 0x01, 0x00, 0x00};
  EXPECT_FALSE(DecodeDenseChunk(exp, &out).ok());
  // An exception index past the samples.
  auto b = Encode({{0, 1}, {1, 2}});
  ASSERT_EQ(b.back(), 0);  // no exceptions
  b.back() = 1;
  b.push_back(2);  // index 2 of 2
  b.insert(b.end(), 8, 0);
  absl::Status st = DecodeDenseChunk(b, &out);
  EXPECT_NE(st.message().find("exception index out of range"), std::string::npos) << st;
  EXPECT_TRUE(out.empty());
  // Few bytes may legitimately stand for many samples (a steady, constant series), but never
  // more than kDenseMaxSamples.
  const std::vector<uint8_t> many = {0x01, 0xff, 0xff, 0x03, 0x12, 0x02,
                                     0x12, 0x00, 0x11, 0x00, 0x00};
  ASSERT_TRUE(DecodeDenseChunk(many, &out).ok());
  EXPECT_EQ(out.size(), kDenseMaxSamples);
  EXPECT_EQ(out[2].t, 1 + 2 * 9);
  EXPECT_EQ(out[2].v, 0.0);
}

TEST(DenseChunk, CorruptInputNeverCrashes) {
  std::mt19937_64 rng(12);
  std::vector<std::vector<uint8_t>> bases;
  auto c = Counter(200, 13);
  c[50].v = StaleNaN();
  bases.push_back(Encode(c));
  std::vector<Sample> g;
  for (int i = 0; i < 200; ++i) g.push_back({kStart + i * 15000 + (i % 3), std::sin(i)});
  bases.push_back(Encode(g));
  std::vector<Sample> d;
  for (int i = 0; i < 200; ++i) d.push_back({kStart + i * 15000, (i * 37 % 1000) * 0.01});
  bases.push_back(Encode(d));
  for (const auto& base : bases) {
    for (int round = 0; round < 3000; ++round) {
      std::vector<uint8_t> b = base;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f)
        b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      std::vector<Sample> out;
      absl::Status st = DecodeDenseChunk(b, &out);
      if (st.ok()) {
        EXPECT_LE(out.size(), kDenseMaxSamples);
      } else {
        EXPECT_TRUE(out.empty());
      }
    }
  }
}

TEST(Chunk, DispatchesByEncoding) {
  XorChunk x;
  x.Append(1, 1);
  x.Append(2, 2);
  std::vector<Sample> out;
  ASSERT_TRUE(DecodeChunk(ChunkView{Encoding::kXor, x.bytes()}, &out).ok());
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(*ChunkNumSamples(Encoding::kXor, x.bytes()), 2u);
  EXPECT_FALSE(DecodeChunk(static_cast<Encoding>(9), x.bytes(), &out).ok());
  EXPECT_FALSE(ChunkNumSamples(static_cast<Encoding>(9), x.bytes()).ok());
  EXPECT_FALSE(DecodeChunk(Encoding::kDense, x.bytes(), &out).ok());
  EXPECT_TRUE(IsKnownEncoding(1));
  EXPECT_TRUE(IsKnownEncoding(2));
  EXPECT_FALSE(IsKnownEncoding(0));
  EXPECT_FALSE(IsKnownEncoding(3));
}

}  // namespace
}  // namespace vigil::chunkenc
