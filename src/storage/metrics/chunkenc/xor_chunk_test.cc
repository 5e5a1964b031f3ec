#include "storage/metrics/chunkenc/xor_chunk.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::chunkenc {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

XorChunk Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  for (const auto& s : samples) EXPECT_TRUE(c.Append(s.t, s.v));
  return c;
}

// Decodes and compares timestamps exactly and values bit-exactly.
void ExpectRoundTrip(const std::vector<Sample>& samples) {
  XorChunk c = Encode(samples);
  ASSERT_EQ(c.NumSamples(), samples.size());
  XorIterator it(c.bytes());
  EXPECT_EQ(it.NumSamples(), samples.size());
  size_t i = 0;
  while (it.Next()) {
    ASSERT_LT(i, samples.size());
    EXPECT_EQ(it.t(), samples[i].t) << "sample " << i;
    EXPECT_EQ(it.v_bits(), std::bit_cast<uint64_t>(samples[i].v)) << "sample " << i;
    ++i;
  }
  EXPECT_TRUE(it.status().ok()) << it.status();
  EXPECT_EQ(i, samples.size());
}

TEST(XorChunk, Empty) {
  XorChunk c;
  EXPECT_EQ(c.NumSamples(), 0u);
  EXPECT_EQ(c.size(), 2u);
  XorIterator it(c.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
  XorIterator none{std::span<const uint8_t>()};
  EXPECT_FALSE(none.Next());
  EXPECT_TRUE(none.status().ok());
}

TEST(XorChunk, OneAndTwoSamples) {
  ExpectRoundTrip({{1000, 1.5}});
  ExpectRoundTrip({{1000, 1.5}, {2000, -3}});
  ExpectRoundTrip({{-5, 0}, {-10, 0}});
}

TEST(XorChunk, RegularCounterIsCompact) {
  std::vector<Sample> s;
  double v = 0;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 120; ++i) {
    v += static_cast<double>(rng() % 100);
    s.push_back({1700000000000 + i * 15000, v});
  }
  ExpectRoundTrip(s);
  XorChunk c = Encode(s);
  double per_sample = static_cast<double>(c.size()) / 120;
  EXPECT_LT(per_sample, 2.5) << c.size() << " bytes";

  // Small steady increments: about 1.5 bytes a sample.
  std::vector<Sample> steady;
  for (int i = 0; i < 120; ++i) steady.push_back({1700000000000 + i * 15000, i * 3.0});
  EXPECT_LT(Encode(steady).size(), 2u * 120);

  // A constant gauge at a steady interval is about 2 bits a sample.
  std::vector<Sample> g;
  for (int i = 0; i < 120; ++i) g.push_back({1700000000000 + i * 15000, 1});
  XorChunk cg = Encode(g);
  EXPECT_LT(cg.size(), 50u);
  ExpectRoundTrip(g);
}

TEST(XorChunk, JitterJumpsAndNegativeDeltas) {
  std::mt19937_64 rng(2);
  std::vector<Sample> s;
  int64_t t = 1700000000000;
  for (int i = 0; i < 2000; ++i) {
    switch (rng() % 6) {
      case 0: t += 15000; break;
      case 1: t += 15000 + static_cast<int64_t>(rng() % 200) - 100; break;
      case 2: t += static_cast<int64_t>(rng() % 100000); break;       // 17/20-bit buckets
      case 3: t += static_cast<int64_t>(rng() % (1ull << 40)); break;  // 64-bit bucket
      case 4: t -= static_cast<int64_t>(rng() % 100000); break;       // out of order
      case 5: break;                                                  // duplicate
    }
    s.push_back({t, static_cast<double>(rng() % 1000) / 7});
  }
  ExpectRoundTrip(s);
}

TEST(XorChunk, BucketBoundaries) {
  // Deltas-of-delta right at each bucket edge, both signs.
  std::vector<int64_t> dods = {0, 1, -1, 8191, 8192, -8191, -8192, 65535, 65536, -65535,
                               -65536, 524287, 524288, 524289, -524287, -524288, 1 << 30};
  std::vector<Sample> s = {{0, 0}, {1000, 0}};
  int64_t delta = 1000;
  for (int64_t d : dods) {
    delta += d;
    s.push_back({s.back().t + delta, 1});
  }
  ExpectRoundTrip(s);
}

TEST(XorChunk, ExtremeTimestamps) {
  ExpectRoundTrip({{kMin, 1}, {kMax, 2}, {kMin, 3}, {0, 4}, {kMax, 5}, {kMax, 5}, {-1, 6}});
  ExpectRoundTrip({{kMax, 1}});
  ExpectRoundTrip({{kMin, 1}});
}

TEST(XorChunk, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Sample> s;
  std::vector<double> vals = {0.0,  -0.0, inf,     -inf, nan,    StaleNaN(),
                              1.0,  StaleNaN(),  std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(),
                              std::bit_cast<double>(uint64_t{0xfff8000000000001}), 42.0, 42.0};
  for (size_t i = 0; i < vals.size(); ++i) s.push_back({static_cast<int64_t>(i) * 1000, vals[i]});
  ExpectRoundTrip(s);
  XorChunk c = Encode(s);
  XorIterator it(c.bytes());
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(it.Next());
  EXPECT_TRUE(IsStaleNaN(it.v()));
}

TEST(XorChunk, RandomBitPatterns) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 50; ++round) {
    std::vector<Sample> s;
    int64_t t = static_cast<int64_t>(rng());
    int n = 1 + static_cast<int>(rng() % 300);
    uint64_t prev = rng();
    for (int i = 0; i < n; ++i) {
      t += static_cast<int64_t>(rng() % 30000);
      // Mix full-random values with small perturbations (window reuse).
      uint64_t bits = (rng() % 3 == 0) ? rng() : prev ^ (rng() & (0xffull << (rng() % 56)));
      prev = bits;
      s.push_back({t, std::bit_cast<double>(bits)});
    }
    ExpectRoundTrip(s);
  }
}

TEST(XorChunk, MaxSamples) {
  XorChunk c;
  for (uint32_t i = 0; i < XorChunk::kMaxSamples; ++i) ASSERT_TRUE(c.Append(i, i));
  EXPECT_FALSE(c.Append(1 << 20, 1));
  EXPECT_EQ(c.NumSamples(), XorChunk::kMaxSamples);
  std::vector<Sample> out;
  ASSERT_TRUE(DecodeXorChunk(c.bytes(), &out).ok());
  ASSERT_EQ(out.size(), XorChunk::kMaxSamples);
  EXPECT_EQ(out.back().t, XorChunk::kMaxSamples - 1);
}

TEST(XorChunk, DecodeRange) {
  std::vector<Sample> s;
  for (int i = 0; i < 100; ++i) s.push_back({i * 10, static_cast<double>(i)});
  XorChunk c = Encode(s);
  std::vector<Sample> out = {{-1, -1}};
  ASSERT_TRUE(DecodeXorChunk(c.bytes(), &out, 200, 305).ok());
  ASSERT_EQ(out.size(), 12u);  // kept the existing element + 200..300
  EXPECT_EQ(out[1].t, 200);
  EXPECT_EQ(out.back().t, 300);
  out.clear();
  ASSERT_TRUE(DecodeXorChunk(c.bytes(), &out).ok());
  EXPECT_EQ(out.size(), 100u);
}

TEST(XorChunk, Seek) {
  std::vector<Sample> s;
  for (int i = 0; i < 50; ++i) s.push_back({i * 10, static_cast<double>(i)});
  XorChunk c = Encode(s);
  XorIterator it(c.bytes());
  ASSERT_TRUE(it.Seek(95));
  EXPECT_EQ(it.t(), 100);
  ASSERT_TRUE(it.Seek(50));  // stays put
  EXPECT_EQ(it.t(), 100);
  EXPECT_FALSE(it.Seek(10000));
  EXPECT_TRUE(it.status().ok());
}

TEST(XorChunk, FromBytesResumesAppending) {
  std::mt19937_64 rng(4);
  std::vector<Sample> s;
  int64_t t = 1000;
  for (int i = 0; i < 200; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 50);
    s.push_back({t, static_cast<double>(rng() % 100)});
  }
  for (size_t cut : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{77}, size_t{199}}) {
    XorChunk a;
    for (size_t i = 0; i < cut; ++i) a.Append(s[i].t, s[i].v);
    std::vector<uint8_t> copy(a.bytes().begin(), a.bytes().end());
    copy.push_back(0xAB);  // trailing garbage is ignored and dropped
    auto b = XorChunk::FromBytes(copy);
    ASSERT_TRUE(b.ok()) << b.status();
    for (size_t i = cut; i < s.size(); ++i) b->Append(s[i].t, s[i].v);
    XorChunk full = Encode(s);
    ASSERT_EQ(std::vector<uint8_t>(b->bytes().begin(), b->bytes().end()),
              std::vector<uint8_t>(full.bytes().begin(), full.bytes().end()))
        << "cut " << cut;
    if (cut > 0) {
      EXPECT_EQ(b->first_t(), s[0].t);
    }
  }
}

TEST(XorChunk, TruncatedInputErrors) {
  std::vector<Sample> s;
  for (int i = 0; i < 120; ++i) s.push_back({i * 15000 + (i % 3), i * 1.25});
  XorChunk c = Encode(s);
  auto bytes = c.bytes();
  // Every strict prefix either decodes fewer samples with an error, or (for the empty
  // prefix) is an empty chunk; none reads out of bounds (checked under ASan in CI builds).
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
    XorIterator it(prefix);
    size_t got = 0;
    while (it.Next()) {
      EXPECT_EQ(it.t(), s[got].t);
      ++got;
    }
    if (n == 0) {
      EXPECT_TRUE(it.status().ok());
    } else {
      EXPECT_FALSE(it.status().ok()) << "prefix " << n;
      EXPECT_LT(got, s.size());
    }
    std::vector<Sample> out;
    EXPECT_EQ(DecodeXorChunk(prefix, &out).ok(), n == 0);
    EXPECT_EQ(XorChunk::FromBytes(prefix).ok(), n == 0);
  }
}

TEST(XorChunk, CorruptInputNeverCrashes) {
  std::vector<Sample> s;
  for (int i = 0; i < 120; ++i) s.push_back({i * 15000, std::sin(i)});
  XorChunk c = Encode(s);
  std::vector<uint8_t> base(c.bytes().begin(), c.bytes().end());
  std::mt19937_64 rng(5);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> b = base;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    XorIterator it(b);
    uint32_t n = 0;
    while (it.Next()) ++n;
    EXPECT_LE(n, it.NumSamples());
  }
  // A window reuse before any window was set is corrupt.
  std::vector<uint8_t> bad = {0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0b10000000, 0, 0};
  XorIterator it(bad);
  EXPECT_TRUE(it.Next());
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.status().ok());
}

TEST(XorChunk, HeaderCountBeyondData) {
  std::vector<uint8_t> b = {0xff, 0xff, 0x02};
  XorIterator it(b);
  EXPECT_FALSE(it.Next());
  EXPECT_EQ(it.status().code(), absl::StatusCode::kDataLoss);
  std::vector<Sample> out;
  EXPECT_FALSE(DecodeXorChunk(b, &out).ok());
  EXPECT_LE(out.capacity(), 64u);
}

}  // namespace
}  // namespace vigil::chunkenc
