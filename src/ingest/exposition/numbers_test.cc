#include "ingest/exposition/numbers.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "storage/sample.h"

namespace vigil {
namespace {

double MustParse(std::string_view s) {
  double v = -12345;
  EXPECT_TRUE(ParseGoFloat(s, &v)) << s;
  return v;
}

bool Parses(std::string_view s) {
  double v;
  return ParseGoFloat(s, &v);
}

TEST(ParseGoFloatTest, Decimals) {
  EXPECT_EQ(MustParse("1"), 1.0);
  EXPECT_EQ(MustParse("-1.5"), -1.5);
  EXPECT_EQ(MustParse("+2.5"), 2.5);
  EXPECT_EQ(MustParse(".5"), 0.5);
  EXPECT_EQ(MustParse("5."), 5.0);
  EXPECT_EQ(MustParse("1e3"), 1000.0);
  EXPECT_EQ(MustParse("1.5E-3"), 0.0015);
  EXPECT_EQ(MustParse("1e+2"), 100.0);
  EXPECT_EQ(MustParse("0.000001"), 1e-6);
  EXPECT_EQ(MustParse("1.7976931348623157e308"), std::numeric_limits<double>::max());
}

TEST(ParseGoFloatTest, SpecialValues) {
  EXPECT_TRUE(std::isnan(MustParse("NaN")));
  EXPECT_TRUE(std::isnan(MustParse("nan")));
  EXPECT_FALSE(IsStaleNaN(MustParse("NaN")));
  EXPECT_EQ(MustParse("+Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(MustParse("-Inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(MustParse("Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(MustParse("infinity"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(MustParse("-INFINITY"), -std::numeric_limits<double>::infinity());
  // Go refuses a signed NaN.
  EXPECT_FALSE(Parses("+NaN"));
  EXPECT_FALSE(Parses("-NaN"));
  EXPECT_FALSE(Parses("infx"));
  EXPECT_FALSE(Parses("nana"));
}

TEST(ParseGoFloatTest, HexAndUnderscores) {
  EXPECT_EQ(MustParse("0x1p-2"), 0.25);
  EXPECT_EQ(MustParse("0X1.8P3"), 12.0);
  EXPECT_EQ(MustParse("-0x10p0"), -16.0);
  EXPECT_EQ(MustParse("0x.8p1"), 1.0);
  EXPECT_FALSE(Parses("0x1"));  // hex mantissa needs a p exponent
  EXPECT_FALSE(Parses("0xp1"));
  EXPECT_FALSE(Parses("0x1p"));
  EXPECT_FALSE(Parses("0x1g1p1"));
  EXPECT_EQ(MustParse("1_000"), 1000.0);
  EXPECT_EQ(MustParse("1_000.5_5"), 1000.55);
  EXPECT_EQ(MustParse("0x_1p0"), 1.0);
  EXPECT_FALSE(Parses("_1"));
  EXPECT_FALSE(Parses("1_"));
  EXPECT_FALSE(Parses("1__0"));
  EXPECT_FALSE(Parses("1_.5"));
}

TEST(ParseGoFloatTest, RangeAndJunk) {
  EXPECT_FALSE(Parses("1e400"));  // ErrRange in Go
  EXPECT_FALSE(Parses("-1e400"));
  EXPECT_EQ(MustParse("1e-400"), 0.0);  // underflow rounds to zero without error
  EXPECT_FALSE(Parses(""));
  EXPECT_FALSE(Parses("+"));
  EXPECT_FALSE(Parses("-"));
  EXPECT_FALSE(Parses("."));
  EXPECT_FALSE(Parses("1e"));
  EXPECT_FALSE(Parses("1e+"));
  EXPECT_FALSE(Parses("1.2.3"));
  EXPECT_FALSE(Parses("1 "));
  EXPECT_FALSE(Parses(" 1"));
  EXPECT_FALSE(Parses("abc"));
  EXPECT_FALSE(Parses("--1"));
  EXPECT_FALSE(Parses("+-1"));
  EXPECT_FALSE(Parses("1,5"));
  EXPECT_FALSE(Parses(std::string_view("1\0", 2)));
}

TEST(ParseTimestampTest, Milliseconds) {
  int64_t t = 0;
  EXPECT_TRUE(ParseTimestampMs("1700000000123", &t));
  EXPECT_EQ(t, 1700000000123);
  EXPECT_TRUE(ParseTimestampMs("-5", &t));
  EXPECT_EQ(t, -5);
  EXPECT_TRUE(ParseTimestampMs("+7", &t));
  EXPECT_EQ(t, 7);
  EXPECT_TRUE(ParseTimestampMs("9223372036854775807", &t));
  EXPECT_FALSE(ParseTimestampMs("9223372036854775808", &t));
  EXPECT_FALSE(ParseTimestampMs("+-5", &t));
  EXPECT_FALSE(ParseTimestampMs("1.5", &t));
  EXPECT_FALSE(ParseTimestampMs("1e3", &t));
  EXPECT_FALSE(ParseTimestampMs("", &t));
  EXPECT_FALSE(ParseTimestampMs("+", &t));
}

TEST(ParseTimestampTest, Seconds) {
  int64_t t = 0;
  EXPECT_TRUE(ParseTimestampSeconds("1700000000.123", &t));
  EXPECT_EQ(t, 1700000000123);
  EXPECT_TRUE(ParseTimestampSeconds("1700000000", &t));
  EXPECT_EQ(t, 1700000000000);
  EXPECT_TRUE(ParseTimestampSeconds("-1.5", &t));
  EXPECT_EQ(t, -1500);
  EXPECT_TRUE(ParseTimestampSeconds("0.0019", &t));
  EXPECT_EQ(t, 1);  // truncated toward zero
  EXPECT_FALSE(ParseTimestampSeconds("NaN", &t));
  EXPECT_FALSE(ParseTimestampSeconds("+Inf", &t));
  EXPECT_FALSE(ParseTimestampSeconds("1e17", &t));  // beyond int64 milliseconds
  EXPECT_FALSE(ParseTimestampSeconds("x", &t));
}

}  // namespace
}  // namespace vigil
