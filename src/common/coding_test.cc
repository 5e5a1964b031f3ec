#include "common/coding.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(CodingTest, UvarintSizeIsWhatEncodingWrites) {
  // Every boundary between lengths, both sides of it, and the extremes.
  std::vector<uint64_t> values = {0, 1, UINT64_MAX};
  for (int bits = 7; bits < 64; bits += 7) {
    uint64_t edge = uint64_t{1} << bits;
    values.insert(values.end(), {edge - 1, edge, edge + 1});
  }
  for (uint64_t v : values) {
    uint8_t buf[10];
    EXPECT_EQ(UvarintSize(v), EncodeUvarint(v, buf)) << v;
    std::string s(300, 'x');
    s.resize(v % 300);
    std::string out;
    PutString(&out, s);
    EXPECT_EQ(StringSize(s), out.size()) << v;
  }
}

TEST(CodingTest, AppendSizedWritesWhatAppendingWould) {
  // After existing bytes, every kind of call, with varints of one to ten bytes.
  auto write = [](auto& w) {
    w.Byte('x');
    for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, UINT64_MAX}) w.Uvarint(v);
    for (int64_t v : {int64_t{-1}, int64_t{64}, INT64_MIN}) w.Varint(v);
    w.Bytes("raw");
    w.Bytes("");
    w.String(std::string(200, 's'));
    w.String("");
  };
  std::string got = "prefix";
  AppendSized(&got, write);
  std::string want = "prefix";
  want.push_back('x');
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, UINT64_MAX}) PutUvarint(&want, v);
  for (int64_t v : {int64_t{-1}, int64_t{64}, INT64_MIN}) PutVarint(&want, v);
  want.append("raw");
  PutString(&want, std::string(200, 's'));
  PutString(&want, "");
  EXPECT_EQ(got, want);
}

TEST(CodingTest, DeltasWrapAndRoundTrip) {
  const int64_t values[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
  for (int64_t a : values) {
    for (int64_t b : values) EXPECT_EQ(DeltaAdd(a, DeltaSub(b, a)), b) << a << " " << b;
  }
  EXPECT_EQ(DeltaSub(INT64_MIN, INT64_MAX), 1);
}

}  // namespace
}  // namespace vigil
