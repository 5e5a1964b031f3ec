#include "storage/metrics/chunkenc/int_stream.h"

#include <algorithm>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::chunkenc {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::vector<uint8_t> Encode(const std::vector<int64_t>& xs, int max_order = 2) {
  IntStreamWriter w;
  std::vector<uint8_t> out = {0xee};  // Write appends
  w.Write(xs, max_order, &out);
  EXPECT_EQ(out.size() - 1, w.EncodedSize(xs, max_order));
  out.erase(out.begin());
  return out;
}

bool Decode(const std::vector<uint8_t>& b, size_t n, std::vector<int64_t>* out, const char** error,
            size_t* consumed = nullptr) {
  out->assign(n, 0);
  const uint8_t* p = b.data();
  size_t next = 0;
  bool ok = ReadIntStream(
      &p, b.data() + b.size(), n,
      [&](size_t i, int64_t x) {
        EXPECT_EQ(i, next++);
        (*out)[i] = x;
      },
      error);
  if (consumed != nullptr) *consumed = static_cast<size_t>(p - b.data());
  return ok;
}

// Reads [lo, hi) of a stream of n values: the values handed over, in order, with their index.
bool DecodeRange(const std::vector<uint8_t>& b, size_t n, size_t lo, size_t hi,
                 std::vector<std::pair<size_t, int64_t>>* out, const char** error,
                 size_t* consumed = nullptr) {
  out->clear();
  const uint8_t* p = b.data();
  bool ok = ReadIntStreamRange(
      &p, b.data() + b.size(), n, lo, hi, [&](size_t i, int64_t x) { out->push_back({i, x}); },
      error);
  if (consumed != nullptr) *consumed = static_cast<size_t>(p - b.data());
  return ok;
}

// Round-trips xs whole, and reads ranges of it: the ends, empty ranges, ranges inside one
// mini-block and across several.
void ExpectRoundTrip(const std::vector<int64_t>& xs, int max_order = 2) {
  auto b = Encode(xs, max_order);
  std::vector<int64_t> got;
  const char* error = nullptr;
  size_t consumed = 0;
  ASSERT_TRUE(Decode(b, xs.size(), &got, &error, &consumed)) << error;
  EXPECT_EQ(consumed, b.size());
  EXPECT_EQ(got, xs);
  const size_t n = xs.size();
  std::mt19937_64 rng(n);
  std::vector<std::pair<size_t, size_t>> ranges = {{0, n}, {n, n}, {0, 0}, {n / 2, n / 2},
                                                   {n - 1, n}, {n / 3, n + 5}};
  for (int r = 0; r < 6; ++r) {
    const size_t lo = rng() % (n + 1);
    ranges.push_back({lo, lo + rng() % (n + 1 - lo)});
  }
  for (auto [lo, hi] : ranges) {
    std::vector<std::pair<size_t, int64_t>> part;
    ASSERT_TRUE(DecodeRange(b, n, lo, hi, &part, &error, &consumed)) << error;
    EXPECT_EQ(consumed, b.size()) << "[" << lo << ", " << hi << ")";
    std::vector<std::pair<size_t, int64_t>> want;
    for (size_t i = lo; i < std::min(hi, n); ++i) want.push_back({i, xs[i]});
    EXPECT_EQ(part, want) << "[" << lo << ", " << hi << ") of " << n << ", max order "
                          << max_order;
  }
}

TEST(IntStream, EmptyWritesNothing) {
  EXPECT_TRUE(Encode({}).empty());
  std::vector<int64_t> got;
  const char* error = nullptr;
  EXPECT_TRUE(Decode({}, 0, &got, &error));
}

TEST(IntStream, ShortSequences) {
  ExpectRoundTrip({5});
  ExpectRoundTrip({-5, 7});
  ExpectRoundTrip({kMin, kMax, 0});
  ExpectRoundTrip({1, 2, 3});
}

TEST(IntStream, SteadyIntervalIsAFewBytes) {
  std::vector<int64_t> ts;
  for (int i = 0; i < 480; ++i) ts.push_back(1'700'000'000'123 + i * 15000);
  auto b = Encode(ts);
  // head + first value + first delta, no residual section.
  EXPECT_LE(b.size(), 12u);
  EXPECT_NE(b[0] & kIntStreamAllZero, 0);
  ExpectRoundTrip(ts);
}

TEST(IntStream, ConstantAndQuantized) {
  ExpectRoundTrip(std::vector<int64_t>(300, 42));
  EXPECT_LE(Encode(std::vector<int64_t>(300, 42)).size(), 3u);
  // Multiples of 4096 around a large value: the divisor takes out the 12 zero bits.
  std::mt19937_64 rng(7);
  std::vector<int64_t> q;
  int64_t v = int64_t{1} << 40;
  for (int i = 0; i < 256; ++i) {
    v += (static_cast<int64_t>(rng() % 64) - 32) * 4096;
    q.push_back(v);
  }
  auto b = Encode(q);
  EXPECT_NE(b[0] & kIntStreamHasDivisor, 0);
  EXPECT_LT(b.size(), 256u * 7 / 8 + 20);  // about 6-7 bits a value
  ExpectRoundTrip(q);
}

TEST(IntStream, ExtremesWrap) {
  ExpectRoundTrip({kMax, kMin, kMax, kMin, 0, -1, kMax});
  ExpectRoundTrip({kMin, kMin, kMin, kMin});
  std::vector<int64_t> xs;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) xs.push_back(static_cast<int64_t>(rng()));
  ExpectRoundTrip(xs);  // 64-bit widths
  for (int order = 0; order <= 2; ++order) ExpectRoundTrip(xs, order);
}

TEST(IntStream, MiniBlockWidthsFollowTheData) {
  // A quiet stretch, a burst, then quiet again: per-mini-block widths pay off.
  std::vector<int64_t> xs;
  std::mt19937_64 rng(2);
  int64_t v = 0;
  for (int i = 0; i < 640; ++i) {
    v += (i >= 128 && i < 192) ? static_cast<int64_t>(rng() % 1000000)
                               : static_cast<int64_t>(rng() % 4);
    xs.push_back(v);
  }
  auto b = Encode(xs);
  EXPECT_NE(b[0] & kIntStreamBlockWidths, 0);
  ExpectRoundTrip(xs);
}

// Every packed width, at every bit offset a value can start on: the unpacker reads widths
// up to 57 from one 8-byte load and wider ones with a ninth byte.
TEST(IntStream, EveryWidthRoundTrips) {
  std::mt19937_64 rng(11);
  for (int width = 1; width <= 64; ++width) {
    for (int order = 0; order <= 2; ++order) {
      std::vector<int64_t> xs;
      const uint64_t top = uint64_t{1} << (width - 1);  // the width's own top bit, set
      uint64_t x = 0, d = 0;  // modulo 2^64, as the stream sums
      for (size_t i = 0; i < 150; ++i) {
        const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
        const uint64_t r = (rng() & mask) | (i % 3 == 0 ? top : 0);
        if (order == 0) x = r;
        if (order == 1) x += r;
        if (order == 2) {
          d += r;
          x += d;
        }
        xs.push_back(static_cast<int64_t>(x));
      }
      SCOPED_TRACE(testing::Message() << "width " << width << " order " << order);
      ExpectRoundTrip(xs, order);
    }
  }
}

TEST(IntStream, RandomShapesRoundTrip) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 300; ++round) {
    const size_t n = 1 + rng() % 400;
    std::vector<int64_t> xs;
    int64_t v = static_cast<int64_t>(rng());
    int64_t step = static_cast<int64_t>(rng() % 100000);
    const int shape = static_cast<int>(rng() % 5);
    for (size_t i = 0; i < n; ++i) {
      switch (shape) {
        case 0:
          v += step;
          break;  // linear
        case 1:
          v += static_cast<int64_t>(rng() % 50) - 25;
          break;  // walk
        case 2:
          v = static_cast<int64_t>(rng() >> (rng() % 64));
          break;  // any width
        case 3:
          v += step + static_cast<int64_t>(rng() % 3) - 1;
          break;  // jitter
        case 4:
          step += 1000 * (static_cast<int64_t>(rng() % 3) - 1);
          v += step;
          break;  // an interval drifting by whole seconds: order 2 with a divisor
      }
      xs.push_back(v);
    }
    for (int max_order = 0; max_order <= 2; ++max_order) ExpectRoundTrip(xs, max_order);
  }
}

TEST(IntStream, TruncatedAndMalformed) {
  std::vector<int64_t> xs;
  std::mt19937_64 rng(4);
  for (int i = 0; i < 150; ++i) xs.push_back(static_cast<int64_t>(rng() % 100000));
  auto b = Encode(xs);
  std::vector<int64_t> got;
  const char* error = nullptr;
  for (size_t cut = 0; cut < b.size(); ++cut) {
    std::vector<uint8_t> prefix(b.begin(), b.begin() + static_cast<ptrdiff_t>(cut));
    EXPECT_FALSE(Decode(prefix, xs.size(), &got, &error)) << cut;
    // Reading a part only still checks the whole stream.
    std::vector<std::pair<size_t, int64_t>> part;
    EXPECT_FALSE(DecodeRange(prefix, xs.size(), 0, 1, &part, &error)) << cut;
    EXPECT_FALSE(DecodeRange(prefix, xs.size(), 140, 150, &part, &error)) << cut;
  }
  EXPECT_FALSE(Decode({0x03}, 4, &got, &error));  // order 3
  EXPECT_STREQ(error, "bad int stream header");
  EXPECT_FALSE(Decode({0x80}, 4, &got, &error));              // reserved bit
  EXPECT_FALSE(Decode({0x02, 0x00, 0x00}, 1, &got, &error));  // order above length
  EXPECT_FALSE(Decode({0x00, 0x00, 65}, 4, &got, &error));    // width 65
  EXPECT_STREQ(error, "int stream bit width above 64");
  // A width-64 mini-block claiming 64 values needs 512 bytes.
  std::vector<uint8_t> big = {0x00, 0x00, 64};
  big.resize(100, 0xff);
  EXPECT_FALSE(Decode(big, 64, &got, &error));
  EXPECT_STREQ(error, "truncated int stream data");
}

}  // namespace
}  // namespace vigil::chunkenc
