#include "query/promql/series_selector.h"

#include <gtest/gtest.h>

namespace vigil::promql {
namespace {

std::string Show(const Matchers& ms) {
  std::string out;
  for (const auto& m : ms) out += m.ToString() + ";";
  return out;
}

TEST(SeriesSelectorTest, ParsesNamesAndMatchers) {
  EXPECT_EQ(Show(*ParseSeriesSelector("up")), "__name__=\"up\";");
  EXPECT_EQ(Show(*ParseSeriesSelector(" http_requests_total { code =~ \"5..\" , job!='api', } ")),
            "__name__=\"http_requests_total\";code=~\"5..\";job!=\"api\";");
  EXPECT_EQ(Show(*ParseSeriesSelector("{__name__=~\"a.*\", x!~`y\\d`}")),
            "__name__=~\"a.*\";x!~\"y\\\\d\";");
  EXPECT_EQ(Show(*ParseSeriesSelector("a:b:c")), "__name__=\"a:b:c\";");
}

TEST(SeriesSelectorTest, UnquotesGoEscapes) {
  EXPECT_EQ(*UnquoteString("\"a\\n\\\"b\\x41\\u00e9\\101\""), "a\n\"bA\xc3\xa9" "A");
  EXPECT_EQ(*UnquoteString("'it\\'s'"), "it's");
  EXPECT_EQ(*UnquoteString("`raw\\n`"), "raw\\n");
  EXPECT_FALSE(UnquoteString("\"\\q\"").ok());
  EXPECT_FALSE(UnquoteString("\"\\x4\"").ok());
  EXPECT_FALSE(UnquoteString("'\\\"'").ok());
}

TEST(SeriesSelectorTest, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(ParseSeriesSelector("up{job=\"a\"").status().message(),
            "1:11: parse error: unexpected end of input inside braces");
  EXPECT_EQ(ParseSeriesSelector("up{job~\"a\"}").status().message(),
            "1:7: parse error: unexpected character inside braces: '~'");
  EXPECT_EQ(ParseSeriesSelector("up{job=a}").status().message(),
            "1:8: parse error: unexpected token inside braces, expected string literal");
  EXPECT_EQ(ParseSeriesSelector("{job=\"\"}").status().message(),
            "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(ParseSeriesSelector("up{__name__=\"x\"}").status().message(),
            "1:17: parse error: metric name must not be set twice: \"up\" or \"x\"");
  EXPECT_EQ(ParseSeriesSelector("").status().message(), "1:1: parse error: unexpected end of input");
  EXPECT_EQ(ParseSeriesSelector("up{a=~\"(\"}").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSeriesSelector("up{a=\"x}").status().message(),
            "1:6: parse error: unterminated quoted string");
  EXPECT_EQ(ParseSeriesSelector("up x").status().message(),
            "1:4: parse error: unexpected character after selector: 'x'");
}

}  // namespace
}  // namespace vigil::promql
