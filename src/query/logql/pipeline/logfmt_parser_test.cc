#include "query/logql/pipeline/logfmt_parser.h"

#include "gtest/gtest.h"
#include "query/logql/pipeline/line_format.h"
#include "query/logql/pipeline/regexp_parser.h"
#include "query/logql/pipeline/test_util.h"

namespace vigil::logql::pipeline {
namespace {

using testing::TestLine;

std::string Logfmt(std::string_view line, LogfmtParser::Options opts = {},
                   Labels stream = Labels()) {
  absl::StatusOr<LogfmtParser> p = LogfmtParser::Make(opts);
  EXPECT_TRUE(p.ok());
  TestLine t(line, std::move(stream));
  EXPECT_TRUE(p->Process(t.state()));
  return t.LabelString();
}

TEST(LogfmtParserTest, LokiDocumentationExample) {
  EXPECT_EQ(Logfmt("at=info method=GET path=/ host=grafana.net fwd=\"124.133.124.161\" "
                   "service=8ms status=200"),
            R"({at="info", fwd="124.133.124.161", host="grafana.net", method="GET", path="/", )"
            R"(service="8ms", status="200"})");
  EXPECT_EQ(Logfmt("at=info method=GET path=/ status=200 duration=1.2ms"),
            R"({at="info", duration="1.2ms", method="GET", path="/", status="200"})");
}

TEST(LogfmtParserTest, QuotedValuesAndEscapes) {
  EXPECT_EQ(Logfmt(R"(msg="hello \"world\"" path="C:\\dir" u="\u00e9" tab="a\tb")"),
            "{msg=\"hello \\\"world\\\"\", path=\"C:\\\\dir\", tab=\"a\\tb\", u=\"\xC3\xA9\"}");
  EXPECT_EQ(Logfmt(R"(emoji="\ud83d\ude00")"), "{emoji=\"\xF0\x9F\x98\x80\"}");
}

TEST(LogfmtParserTest, EmptyValuesAndKeepEmpty) {
  EXPECT_EQ(Logfmt("a= b=\"\" flag c=1"), R"({c="1"})");
  EXPECT_EQ(Logfmt("a= b=\"\" flag c=1", {.strict = false, .keep_empty = true}),
            R"({a="", b="", c="1", flag=""})");
}

TEST(LogfmtParserTest, KeysAreSanitizedAndSuffixed) {
  EXPECT_EQ(Logfmt("app=x http.method=GET 2xx=5", {}, Labels{{"app", "api"}}),
            R"({_2xx="5", app="api", app_extracted="x", http_method="GET"})");
}

TEST(LogfmtParserTest, NonStrictSkipsMalformedPairs) {
  TestLine t("a=1 =bad b=\"x\"y c=3 d=\"unterminated");
  absl::StatusOr<LogfmtParser> p = LogfmtParser::Make({});
  p->Process(t.state());
  EXPECT_FALSE(t.state().HasError());
  EXPECT_EQ(t.LabelString(), R"({a="1", b="x", c="3"})");  // `y` alone is an empty bare key
}

TEST(LogfmtParserTest, StrictStopsAtFirstError) {
  absl::StatusOr<LogfmtParser> p = LogfmtParser::Make({.strict = true});
  TestLine t("a=1 b==2 c=3");
  p->Process(t.state());
  EXPECT_EQ(t.state().error(), kLogfmtParserErr);
  EXPECT_EQ(t.state().error_details(), "logfmt syntax error at pos 7 : unexpected '='");
  EXPECT_EQ(t.state().Get("a"), "1");
  EXPECT_EQ(t.state().Get("c"), "");
  TestLine q("msg=\"open");
  p->Process(q.state());
  EXPECT_EQ(q.state().error_details(), "logfmt syntax error at pos 10 : unterminated quoted value");
  TestLine r("k=\"bad \\q escape\"");
  p->Process(r.state());
  EXPECT_EQ(r.state().error_details(), "logfmt syntax error at pos 18 : invalid quoted value");
}

TEST(LogfmtParserTest, InvalidUtf8) {
  TestLine t("k\xFF=1 v=a\xFFz");
  absl::StatusOr<LogfmtParser> strict = LogfmtParser::Make({.strict = true});
  strict->Process(t.state());
  EXPECT_EQ(t.state().error_details(), "logfmt syntax error at pos 3 : invalid key");
  EXPECT_EQ(Logfmt("k\xFF=1 v=a\xFFz"), R"({v="a z"})");
}

TEST(LogfmtParserTest, Extractions) {
  absl::StatusOr<LogfmtParser> p =
      LogfmtParser::Make({}, {{"host", "host"}, {"m", "method"}, {"absent", "nope"}});
  ASSERT_TRUE(p.ok());
  TestLine t("at=info method=GET host=grafana.net status=200");
  p->Process(t.state());
  EXPECT_EQ(t.LabelString(), R"({absent="", host="grafana.net", m="GET"})");
  EXPECT_FALSE(LogfmtParser::Make({}, {{"bad-label", "x"}}).ok());
}

TEST(LogfmtDecoderTest, GarbageNeverLoops) {
  std::string buf;
  for (std::string_view line : {"\"\"\"", "===", "= = =", "a=\"\\", "\xFF\xFE=\xFF", "a=b=c=d"}) {
    LogfmtDecoder dec(line, &buf);
    int steps = 0;
    while (!dec.EndOfLine() && steps < 100) {
      dec.ScanKeyval();
      ++steps;
    }
    EXPECT_LT(steps, 100) << line;
  }
}

TEST(RegexpParserTest, NamedGroups) {
  absl::StatusOr<RegexpParser> p = RegexpParser::Make(
      R"((?P<method>\w+) (?P<path>[\w|/]+) \((?P<status>\d+?)\) (?P<duration>.*))");
  ASSERT_TRUE(p.ok()) << p.status();
  TestLine t("POST /api/prom/api/v1/query_range (200) 1.5s", Labels{{"method", "m"}});
  EXPECT_TRUE(p->Process(t.state()));
  EXPECT_EQ(t.LabelString(), R"({duration="1.5s", method="m", method_extracted="POST", )"
                             R"(path="/api/prom/api/v1/query_range", status="200"})");
  TestLine miss("nothing to see");
  EXPECT_TRUE(p->Process(miss.state()));
  EXPECT_EQ(miss.LabelString(), "{}");
}

TEST(RegexpParserTest, Errors) {
  EXPECT_FALSE(RegexpParser::Make("(a").ok());
  EXPECT_FALSE(RegexpParser::Make("(a)").ok());        // no named group
  EXPECT_FALSE(RegexpParser::Make("(?P<1a>x)").ok());  // invalid label name
  absl::StatusOr<RegexpParser> opt = RegexpParser::Make("(?P<a>x)|(?P<b>y)");
  TestLine t("y");
  opt->Process(t.state());
  EXPECT_EQ(t.LabelString(), R"({a="", b="y"})");  // a group that did not take part is ""
}

TEST(DecolorizeTest, StripsAnsiSequences) {
  TestLine t(
      "\x1B[31mERROR\x1B[0m: disk \x1B[1;33mfull\x1B[m \x1B]0;title\x07"
      "done");
  EXPECT_TRUE(Decolorize().Process(t.state()));
  EXPECT_EQ(t.state().line(), "ERROR: disk full done");
  TestLine plain("no colors here");
  Decolorize().Process(plain.state());
  EXPECT_EQ(plain.state().line(), "no colors here");
  TestLine csi(
      "\xC2\x9B"
      "32mgreen");
  Decolorize().Process(csi.state());
  EXPECT_EQ(csi.state().line(), "green");
}

}  // namespace
}  // namespace vigil::logql::pipeline
