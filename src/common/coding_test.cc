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

}  // namespace
}  // namespace vigil
