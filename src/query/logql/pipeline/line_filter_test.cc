#include "query/logql/pipeline/line_filter.h"

#include "gtest/gtest.h"
#include "query/logql/pipeline/pattern.h"
#include "query/logql/pipeline/test_util.h"

namespace vigil::logql::pipeline {
namespace {

LineFilter Make(LineFilterOp op, std::vector<std::string> values) {
  absl::StatusOr<LineFilter> f = LineFilter::Make(op, std::move(values));
  EXPECT_TRUE(f.ok()) << f.status();
  return *f;
}

TEST(LineFilterTest, ContainsIsCaseSensitive) {
  LineFilter f = Make(LineFilterOp::kContains, {"error"});
  EXPECT_TRUE(f.Matches("level=error msg=boom"));
  EXPECT_FALSE(f.Matches("level=ERROR msg=boom"));
  EXPECT_FALSE(f.Matches(""));
  EXPECT_TRUE(Make(LineFilterOp::kContains, {""}).Matches("anything"));
}

TEST(LineFilterTest, OrChains) {
  LineFilter any = Make(LineFilterOp::kContains, {"timeout", "refused"});
  EXPECT_TRUE(any.Matches("dial tcp: connection refused"));
  EXPECT_TRUE(any.Matches("context deadline: timeout"));
  EXPECT_FALSE(any.Matches("ok"));
  // `!= "a" or "b"` keeps lines containing neither.
  LineFilter none = Make(LineFilterOp::kNotContains, {"debug", "trace"});
  EXPECT_FALSE(none.Matches("level=debug"));
  EXPECT_FALSE(none.Matches("level=trace"));
  EXPECT_TRUE(none.Matches("level=info"));
}

TEST(LineFilterTest, LongNeedlesUseBoyerMooreHorspool) {
  const std::string needle = "connection reset by peer";
  LineFilter f = Make(LineFilterOp::kContains, {needle});
  std::string line(100000, 'x');
  EXPECT_FALSE(f.Matches(line));
  line.replace(50000, needle.size(), needle);
  EXPECT_TRUE(f.Matches(line));
  EXPECT_TRUE(f.Matches(needle));
  EXPECT_FALSE(f.Matches(needle.substr(1)));
  // Copies share the searcher safely.
  LineFilter copy = f;
  EXPECT_TRUE(copy.Matches(line));
}

TEST(LineFilterTest, RegexIsUnanchored) {
  LineFilter f = Make(LineFilterOp::kRegex, {"status=5\\d\\d"});
  EXPECT_FALSE(f.IsLiteralOnly());
  EXPECT_TRUE(f.Matches("method=GET status=503 path=/"));
  EXPECT_FALSE(f.Matches("status=404"));
  LineFilter neg = Make(LineFilterOp::kNotRegex, {"^GET"});
  EXPECT_FALSE(neg.Matches("GET /"));
  EXPECT_TRUE(neg.Matches("POST /GET"));
}

TEST(LineFilterTest, LiteralRegexesBecomeSubstringSearches) {
  struct Case {
    std::string re;
    std::string hit, miss;
  } cases[] = {
      {"error", "an error here", "an ERROR here"}, {"foo\\.bar", "x foo.bar y", "fooxbar"},
      {".*panic.*", "kernel panic now", "calm"},   {"GET|POST", "POST /x", "PUT /x"},
      {"(?i)error", "An ErRoR", "erro"},           {"(?i)timeout|refused", "REFUSED", "ok"},
  };
  for (const Case& c : cases) {
    LineFilter f = Make(LineFilterOp::kRegex, {c.re});
    EXPECT_TRUE(f.IsLiteralOnly()) << c.re;
    EXPECT_TRUE(f.Matches(c.hit)) << c.re;
    EXPECT_FALSE(f.Matches(c.miss)) << c.re;
  }
  // Not literal: classes, anchors, quantifiers, non-ASCII case folding.
  for (std::string re : {"a\\d", "^a", "ab*", "(?i)ÉCOLE", "a(b)", "\\Qa\\E"}) {
    EXPECT_FALSE(Make(LineFilterOp::kRegex, {re}).IsLiteralOnly()) << re;
  }
  EXPECT_TRUE(Make(LineFilterOp::kRegex, {"(?i)école"}).Matches("ÉCOLE"));
  EXPECT_TRUE(Make(LineFilterOp::kRegex, {"a|"}).Matches("zzz"));  // empty alternative
}

TEST(LineFilterTest, InvalidRegexIsAnError) {
  absl::StatusOr<LineFilter> f = LineFilter::Make(LineFilterOp::kRegex, {"a("});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("invalid regular expression"), std::string::npos);
  EXPECT_FALSE(LineFilter::Make(LineFilterOp::kContains, {}).ok());
}

TEST(LineFilterTest, PatternFilters) {
  LineFilter f = Make(LineFilterOp::kPattern, {"<_> level=error <_>"});
  EXPECT_TRUE(f.Matches("ts=1 level=error msg=x"));
  EXPECT_FALSE(f.Matches("ts=1 level=info msg=x"));
  EXPECT_FALSE(f.Matches("level=error msg=x"));  // the leading capture would be empty
  LineFilter neg = Make(LineFilterOp::kNotPattern, {"GET <_>"});
  EXPECT_FALSE(neg.Matches("GET /index"));
  EXPECT_TRUE(neg.Matches("POST /index"));
}

TEST(LineFilterTest, InvalidUtf8AndBinaryLines) {
  LineFilter f = Make(LineFilterOp::kRegex, {"b.d"});
  const std::string line("a\xFF\xFE\0 bad", 8);
  EXPECT_TRUE(f.Matches(line));
  EXPECT_TRUE(Make(LineFilterOp::kContains, {std::string("\xFF\xFE")}).Matches(line));
}

TEST(PatternTest, NginxCaptures) {
  absl::StatusOr<Pattern> p = Pattern::Parse(
      R"(<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>)", true);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->names(),
            (std::vector<std::string>{"ip", "method", "uri", "status", "size", "agent"}));
  std::vector<std::string_view> caps;
  p->Match(
      R"(10.0.0.1 - - [24/Jan/2024:10:00:00 +0000] "GET /api/v1/users HTTP/1.1" 200 512 "-" "curl/8.0" "-")",
      &caps);
  ASSERT_EQ(caps.size(), 6u);
  EXPECT_EQ(caps[0], "10.0.0.1");
  EXPECT_EQ(caps[1], "GET");
  EXPECT_EQ(caps[2], "/api/v1/users");
  EXPECT_EQ(caps[3], "200");
  EXPECT_EQ(caps[4], "512");
  EXPECT_EQ(caps[5], "curl/8.0");
}

TEST(PatternTest, PartialMatchesKeepWhatWasFound) {
  absl::StatusOr<Pattern> p = Pattern::Parse("<a> | <b> | <c>", true);
  ASSERT_TRUE(p.ok());
  std::vector<std::string_view> caps;
  p->Match("one | two", &caps);  // the second literal is missing: b takes the rest
  ASSERT_EQ(caps.size(), 2u);
  EXPECT_EQ(caps[0], "one");
  EXPECT_EQ(caps[1], "two");
  absl::StatusOr<Pattern> q = Pattern::Parse("GET <path>", true);
  q->Match("POST /x", &caps);  // the leading literal must match
  EXPECT_TRUE(caps.empty());
  q->Match("", &caps);
  EXPECT_TRUE(caps.empty());
}

TEST(PatternTest, InvalidPatterns) {
  EXPECT_FALSE(Pattern::Parse("<a><b>", true).ok());       // consecutive captures
  EXPECT_FALSE(Pattern::Parse("<a> and <a>", true).ok());  // duplicate name
  EXPECT_FALSE(Pattern::Parse("no captures", true).ok());
  EXPECT_FALSE(Pattern::Parse("<_> only", true).ok());     // unnamed does not count
  EXPECT_TRUE(Pattern::Parse("no captures", false).ok());  // fine for a filter
  // `<` not starting a valid capture is literal text.
  absl::StatusOr<Pattern> p = Pattern::Parse("a <1b> <c>", true);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->names(), std::vector<std::string>{"c"});
}

TEST(PatternParserTest, SetsLabelsWithExtractedSuffix) {
  absl::StatusOr<PatternParser> pp = PatternParser::Make("<app> <level> <msg>");
  ASSERT_TRUE(pp.ok());
  testing::TestLine t("web warn disk almost full", Labels{{"app", "frontend"}});
  EXPECT_TRUE(pp->Process(t.state()));
  EXPECT_EQ(t.LabelString(),
            R"({app="frontend", app_extracted="web", level="warn", msg="disk almost full"})");
}

}  // namespace
}  // namespace vigil::logql::pipeline
