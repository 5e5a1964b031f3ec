#include "query/logql/syntax/units.h"

#include <limits>

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

TEST(UnitsTest, GoDurations) {
  struct Case {
    const char* in;
    int64_t ns;
  };
  const Case ok[] = {
      {"0", 0},
      {"5s", 5000000000},
      {"1.5h", 5400000000000},
      {"1h30m", 5400000000000},
      {"-1.5s", -1500000000},
      {"+2ms", 2000000},
      {"250us", 250000},
      {"3\xC2\xB5s", 3000},
      {"3\xCE\xBCs", 3000},
      {"7ns", 7},
      {".5s", 500000000},
      {"1.s", 1000000000},
      {"2562047h47m16.854775807s", std::numeric_limits<int64_t>::max()},
      {"-2562047h47m16.854775808s", std::numeric_limits<int64_t>::min()},
  };
  for (const Case& c : ok) {
    int64_t ns = 0;
    EXPECT_TRUE(ParseGoDuration(c.in, &ns)) << c.in;
    EXPECT_EQ(ns, c.ns) << c.in;
  }
  for (const char* bad : {"", "5", "1d", "s", ".s", "-", "5m5", "9223372036854775808ns",
                          "2562047h47m16.854775808s", "1x"}) {
    int64_t ns = 0;
    EXPECT_FALSE(ParseGoDuration(bad, &ns)) << bad;
  }
}

TEST(UnitsTest, LokiDurationsTryPrometheusFirst) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseLokiDuration("1d", &ns));
  EXPECT_EQ(ns, 86400000000000);
  ASSERT_TRUE(ParseLokiDuration("1y", &ns));
  EXPECT_EQ(ns, 365 * 86400000000000);
  ASSERT_TRUE(ParseLokiDuration("1.5s", &ns));
  EXPECT_EQ(ns, 1500000000);
  EXPECT_FALSE(ParseLokiDuration("1.5d", &ns));
}

TEST(UnitsTest, FormatGoDuration) {
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(7), "7ns");
  EXPECT_EQ(FormatGoDuration(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(FormatGoDuration(2500000), "2.5ms");
  EXPECT_EQ(FormatGoDuration(1500000000), "1.5s");
  EXPECT_EQ(FormatGoDuration(5400000000000), "1h30m0s");
  EXPECT_EQ(FormatGoDuration(-300000000000), "-5m0s");
  EXPECT_EQ(FormatGoDuration(std::numeric_limits<int64_t>::min()), "-2562047h47m16.854775808s");
  EXPECT_EQ(FormatDuration(5400000000000), "1h30m");
  EXPECT_EQ(FormatDuration(86400000000000), "1d");
  EXPECT_EQ(FormatDuration(1500), "1.5\xC2\xB5s");
  // Every form prints back to the same value.
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000001}, int64_t{-42},
                     int64_t{86400000000000}, std::numeric_limits<int64_t>::max(),
                     std::numeric_limits<int64_t>::min()}) {
    int64_t back = 0;
    ASSERT_TRUE(ParseLokiDuration(FormatDuration(ns), &back)) << FormatDuration(ns);
    EXPECT_EQ(back, ns);
  }
}

TEST(UnitsTest, Bytes) {
  struct Case {
    const char* in;
    uint64_t b;
  };
  const Case ok[] = {
      {"5", 5},
      {"5B", 5},
      {"5b", 5},
      {"1kB", 1000},
      {"1KB", 1000},
      {"1k", 1000},
      {"1KiB", 1024},
      {"1Ki", 1024},
      {"1.5KiB", 1536},
      {"20MB", 20000000},
      {"3GiB", 3221225472},
      {"1,000kB", 1000000},
      {"2 MB", 2000000},
      {"1EB", 1000000000000000000u},
  };
  for (const Case& c : ok) {
    uint64_t b = 0;
    EXPECT_TRUE(ParseHumanBytes(c.in, &b)) << c.in;
    EXPECT_EQ(b, c.b) << c.in;
  }
  for (const char* bad : {"", "B", "5i", "5BB", "5XB", "20EiB", "1.2.3MB"}) {
    uint64_t b = 0;
    EXPECT_FALSE(ParseHumanBytes(bad, &b)) << bad;
  }
  EXPECT_EQ(FormatBytes(0), "0B");
  EXPECT_EQ(FormatBytes(1536), "1536B");
  EXPECT_EQ(FormatBytes(2048), "2KiB");
  EXPECT_EQ(FormatBytes(20000000), "20MB");
  EXPECT_EQ(FormatBytes(3221225472), "3GiB");
  for (uint64_t v : {uint64_t{0}, uint64_t{7}, uint64_t{1000}, uint64_t{1} << 60,
                     uint64_t{18446744073709549568u}, (uint64_t{1} << 62) + (uint64_t{1} << 12)}) {
    uint64_t back = 0;
    ASSERT_TRUE(ParseHumanBytes(FormatBytes(v), &back)) << FormatBytes(v);
    EXPECT_EQ(back, v) << FormatBytes(v);
  }
}

}  // namespace
}  // namespace vigil::logql
