#include "common/go_text.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace vigil::gotext {
namespace {

TEST(GoTextTest, QuoteEscapesLikeStrconv) {
  EXPECT_EQ(Quote("abc"), "\"abc\"");
  EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quote("\a\b\f\n\r\t\v"), "\"\\a\\b\\f\\n\\r\\t\\v\"");
  EXPECT_EQ(Quote(std::string_view("\x00\x01\x7f", 3)), "\"\\x00\\x01\\x7f\"");
  EXPECT_EQ(Quote("\xff"), "\"\\xff\"");            // invalid UTF-8 byte
  EXPECT_EQ(Quote("\xc3\xa9"), "\"\xc3\xa9\"");     // é is printable
  EXPECT_EQ(Quote("\xc2\xa0"), "\"\\u00a0\"");      // no-break space is not
  EXPECT_EQ(Quote("\xe2\x80\x8b"), "\"\\u200b\"");  // zero width space
  EXPECT_EQ(Quote("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
  EXPECT_EQ(Quote("\xf3\xa0\x80\x81"), "\"\\U000e0001\"");  // tag character (Cf)
  EXPECT_EQ(Quote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // encoded surrogate: invalid
  EXPECT_EQ(QuotePrefix("\"abcdefghijklmnop\"", 10), "\"\\\"abcdefghi\"");
}

TEST(GoTextTest, QuoteRuneAndRuneU) {
  EXPECT_EQ(QuoteRune(':'), "':'");
  EXPECT_EQ(QuoteRune('\''), "'\\''");
  EXPECT_EQ(QuoteRune('\n'), "'\\n'");
  EXPECT_EQ(QuoteRune(1), "'\\x01'");
  EXPECT_EQ(QuoteRune(kEofRune), "'\xef\xbf\xbd'");
  EXPECT_EQ(QuoteRune(0xE9), "'\xc3\xa9'");
  EXPECT_EQ(RuneU('q'), "U+0071 'q'");
  EXPECT_EQ(RuneU('\''), "U+0027 '''");
  EXPECT_EQ(RuneU('\n'), "U+000A");
  EXPECT_EQ(RuneU(0x1F600), "U+1F600 '\xf0\x9f\x98\x80'");
}

TEST(GoTextTest, DecodeRune) {
  int w = 0;
  EXPECT_EQ(DecodeRune("a", 0, &w), 'a');
  EXPECT_EQ(w, 1);
  EXPECT_EQ(DecodeRune("\xc3\xa9", 0, &w), 0xE9);
  EXPECT_EQ(w, 2);
  EXPECT_EQ(DecodeRune("\xc3", 0, &w), kRuneError);  // truncated
  EXPECT_EQ(w, 1);
  EXPECT_EQ(DecodeRune("\xc0\x80", 0, &w), kRuneError);          // overlong
  EXPECT_EQ(DecodeRune("\xf4\x90\x80\x80", 0, &w), kRuneError);  // > U+10FFFF
  EXPECT_EQ(DecodeRune("\xef\xbf\xbd", 0, &w), kRuneError);      // a real U+FFFD, width 3
  EXPECT_EQ(w, 3);
}

TEST(GoTextTest, FormatFloatMatchesGoPercentV) {
  EXPECT_EQ(FormatFloat(0), "0");
  EXPECT_EQ(FormatFloat(-0.0), "-0");
  EXPECT_EQ(FormatFloat(1), "1");
  EXPECT_EQ(FormatFloat(-1.5), "-1.5");
  EXPECT_EQ(FormatFloat(0.1), "0.1");
  EXPECT_EQ(FormatFloat(100000), "100000");
  EXPECT_EQ(FormatFloat(1e6), "1e+06");
  EXPECT_EQ(FormatFloat(123456789), "1.23456789e+08");
  EXPECT_EQ(FormatFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatFloat(1.5e-7), "1.5e-07");
  EXPECT_EQ(FormatFloat(1e21), "1e+21");
  EXPECT_EQ(FormatFloat(1e100), "1e+100");
  EXPECT_EQ(FormatFloat(5e-324), "5e-324");
  EXPECT_EQ(FormatFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(FormatFloat(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(FormatFloat(INFINITY), "+Inf");
  EXPECT_EQ(FormatFloat(-INFINITY), "-Inf");
  EXPECT_EQ(FormatFloat(NAN), "NaN");
}

TEST(GoTextTest, FormatFixed) {
  EXPECT_EQ(FormatFixed(100, 3), "100.000");
  EXPECT_EQ(FormatFixed(-1.5, 3), "-1.500");
  EXPECT_EQ(FormatFixed(1e20, 6), "100000000000000000000.000000");
  EXPECT_EQ(FormatFixed(INFINITY, 6), "+Inf");
  EXPECT_EQ(FormatFixed(NAN, 6), "NaN");
}

TEST(GoTextTest, Unquote) {
  EXPECT_EQ(*Unquote("\"abc\""), "abc");
  EXPECT_EQ(*Unquote("'abc'"), "abc");
  EXPECT_EQ(*Unquote("`a\\nb`"), "a\\nb");
  EXPECT_EQ(*Unquote("\"a\\nb\\t\\\\\\\"\""), "a\nb\t\\\"");
  EXPECT_EQ(*Unquote("'a\\'b'"), "a'b");
  EXPECT_EQ(*Unquote("'a\"b'"), "a\"b");
  EXPECT_EQ(*Unquote("\"\\x41\\101\\u00e9\\U0001F600\""), "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(*Unquote("\"\\xff\""), "\xff");  // \x yields a raw byte
  EXPECT_EQ(*Unquote("\"\""), "");
  for (std::string_view bad :
       {"", "\"", "\"abc", "abc\"", "'a'b'", "\"a\\'b\"", "\"\\q\"", "\"\\x4\"", "\"\\400\"",
        "\"\\uD800\"", "\"\\U00110000\"", "\"a\nb\"", "`a`b`", "xabcx", "\"\\\""}) {
    auto r = Unquote(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "invalid syntax");
  }
}

TEST(GoTextTest, ParseNumber) {
  EXPECT_EQ(*ParseNumber("1"), 1);
  EXPECT_EQ(*ParseNumber("0x1F"), 31);
  EXPECT_EQ(*ParseNumber("0X1f"), 31);
  EXPECT_EQ(*ParseNumber("017"), 15);  // octal, as Go's ParseInt with base 0
  EXPECT_EQ(*ParseNumber("08"), 8);    // not octal: falls back to a float
  EXPECT_EQ(*ParseNumber(".5"), 0.5);
  EXPECT_EQ(*ParseNumber("5."), 5);
  EXPECT_EQ(*ParseNumber("1e3"), 1000);
  EXPECT_EQ(*ParseNumber("1.e3"), 1000);
  EXPECT_EQ(*ParseNumber("1e-400"), 0);  // underflow is not an error
  EXPECT_EQ(*ParseNumber("99999999999999999999"), 1e20);
  EXPECT_TRUE(std::isinf(*ParseNumber("Inf")));
  EXPECT_TRUE(std::isinf(*ParseNumber("iNF")));
  EXPECT_TRUE(std::isnan(*ParseNumber("nan")));
  EXPECT_EQ(ParseNumber("1e").status().message(),
            "strconv.ParseFloat: parsing \"1e\": invalid syntax");
  EXPECT_EQ(ParseNumber("0x").status().message(),
            "strconv.ParseFloat: parsing \"0x\": invalid syntax");
  EXPECT_EQ(ParseNumber("0x1.8").status().message(),
            "strconv.ParseFloat: parsing \"0x1.8\": invalid syntax");
  EXPECT_EQ(ParseNumber("0xFFFFFFFFFFFFFFFFFF").status().message(),
            "strconv.ParseFloat: parsing \"0xFFFFFFFFFFFFFFFFFF\": invalid syntax");
  EXPECT_EQ(ParseNumber("1e999").status().message(),
            "strconv.ParseFloat: parsing \"1e999\": value out of range");
}

TEST(GoTextTest, ParseDuration) {
  EXPECT_EQ(*ParseDuration("0"), 0);
  EXPECT_EQ(*ParseDuration("0s"), 0);
  EXPECT_EQ(*ParseDuration("100ms"), 100);
  EXPECT_EQ(*ParseDuration("5m"), 300000);
  EXPECT_EQ(*ParseDuration("1h30m"), 5400000);
  EXPECT_EQ(*ParseDuration("1y2w3d4h5m6s7ms"),
            ((((365 + 14 + 3) * 24 + 4) * 60 + 5) * 60 + 6) * 1000LL + 7);
  EXPECT_EQ(*ParseDuration("292y"), 292LL * 365 * 24 * 3600 * 1000);
  EXPECT_EQ(*ParseDuration("106751d"), 106751LL * 24 * 3600 * 1000);
  EXPECT_EQ(ParseDuration("").status().message(), "empty duration string");
  for (std::string_view bad : {"5", "m", "5mm", "30m1h", "5m5m", "1.5m", "5x", "-5m", "1ms1s"}) {
    EXPECT_EQ(ParseDuration(bad).status().message(), "not a valid duration string: " + Quote(bad));
  }
  for (std::string_view big : {"300y", "106752d", "9999999999999999999999s", "292y52w"}) {
    EXPECT_EQ(ParseDuration(big).status().message(), "duration out of range") << big;
  }
}

TEST(GoTextTest, DurationString) {
  EXPECT_EQ(DurationString(0), "0s");
  EXPECT_EQ(DurationString(1), "1ms");
  EXPECT_EQ(DurationString(300000), "5m");
  EXPECT_EQ(DurationString(5400000), "1h30m");
  EXPECT_EQ(DurationString(90 * 60000), "1h30m");
  EXPECT_EQ(DurationString(7 * 86400000LL), "1w");
  EXPECT_EQ(DurationString(8 * 86400000LL), "8d");  // weeks only when exact
  EXPECT_EQ(DurationString(379 * 86400000LL), "379d");
  EXPECT_EQ(DurationString(365 * 86400000LL), "1y");
  EXPECT_EQ(DurationString(382 * 86400000LL + 4 * 3600000LL + 306007), "382d4h5m6s7ms");
}

}  // namespace
}  // namespace vigil::gotext
