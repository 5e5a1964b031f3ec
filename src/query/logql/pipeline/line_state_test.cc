#include "query/logql/pipeline/line_state.h"

#include <limits>

#include "gtest/gtest.h"
#include "query/logql/pipeline/test_util.h"
#include "query/logql/pipeline/value_parse.h"

namespace vigil::logql::pipeline {
namespace {

using testing::TestLine;

std::string Sanitized(std::string_view key) {
  std::string out;
  AppendSanitizedLabelName(key, &out);
  return out;
}

TEST(SanitizeTest, LokiRules) {
  EXPECT_EQ(Sanitized("level"), "level");
  EXPECT_EQ(Sanitized("  spaced key "), "spaced_key");
  EXPECT_EQ(Sanitized("http.method"), "http_method");
  EXPECT_EQ(Sanitized("1st"), "_1st");
  EXPECT_EQ(Sanitized("a-b/c"), "a_b_c");
  EXPECT_EQ(Sanitized("caf\xC3\xA9"), "caf_");  // one UTF-8 sequence, one underscore
  EXPECT_EQ(Sanitized("x\xFF\xFEy"), "x__y");   // each invalid byte is one rune error
  EXPECT_EQ(Sanitized("   "), "");
  std::string prefixed = "pod";
  prefixed.push_back('_');
  AppendSanitizedLabelName("1x", &prefixed);  // digits are fine after a prefix
  EXPECT_EQ(prefixed, "pod_1x");
}

TEST(LineStateTest, StartsWithStreamAndMetadata) {
  TestLine t("hello", Labels{{"app", "api"}, {"env", "prod"}},
             {{"user.id", "42"}, {"env", "staging"}});
  LineState& s = t.state();
  EXPECT_EQ(s.line(), "hello");
  EXPECT_EQ(s.Get("app"), "api");
  EXPECT_EQ(s.Get("user_id"), "42");
  // Metadata that clashes with a stream label is renamed, as Loki's Add does.
  EXPECT_EQ(s.Get("env"), "prod");
  EXPECT_EQ(s.Get("env_extracted"), "staging");
  EXPECT_EQ(t.LabelString(), R"({app="api", env="prod", env_extracted="staging", user_id="42"})");
}

TEST(LineStateTest, TraceContextBecomesMetadata) {
  TestLine t("x", Labels{{"app", "api"}});
  t.record().trace_id = "0123456789abcdef0123456789abcdef";
  t.record().span_id = "0123456789abcdef";
  t.state().Reset(t.stream(), t.record());
  EXPECT_EQ(t.state().Get("trace_id"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(t.state().Get("span_id"), "0123456789abcdef");

  LineState off(LineStateOptions{.trace_context_as_metadata = false});
  off.Reset(t.stream(), t.record());
  std::string_view v;
  EXPECT_FALSE(off.Lookup("trace_id", &v));
}

TEST(LineStateTest, ParsedOverridesMetadataNotStream) {
  TestLine t("x", Labels{{"app", "api"}}, {{"level", "info"}});
  LineState& s = t.state();
  s.Set("level", "error");  // parsed beats structured metadata
  EXPECT_EQ(s.Get("level"), "error");
  EXPECT_EQ(s.ExtractedLabelName("app"), "app_extracted");
  EXPECT_EQ(s.ExtractedLabelName("level"), "level");
  EXPECT_TRUE(s.StreamHas("app"));
  EXPECT_FALSE(s.StreamHas("level"));
  // A weaker category never overwrites a stronger one.
  s.Set("level", "debug", LabelCategory::kMetadata);
  EXPECT_EQ(s.Get("level"), "error");
}

TEST(LineStateTest, DeleteAndErrorLabels) {
  TestLine t("x", Labels{{"app", "api"}, {"env", "prod"}});
  LineState& s = t.state();
  s.Del("env");
  s.Del("missing");
  s.SetError(kJsonParserErr, "bad json");
  EXPECT_TRUE(s.HasError());
  EXPECT_EQ(s.Get("__error__"), "JSONParserErr");
  EXPECT_EQ(t.LabelString(),
            R"({__error__="JSONParserErr", __error_details__="bad json", app="api"})");
  s.Del("__error__");
  EXPECT_FALSE(s.HasError());
  // Setting the error names through Set routes to the error, never to a duplicate label.
  s.Set("__error__", "X");
  EXPECT_EQ(s.error(), "X");
}

TEST(LineStateTest, ResetReusesAndClears) {
  Labels stream{{"app", "a"}};
  LogRecordView r1;
  r1.body = "one";
  LogRecordView r2;
  r2.body = "two";
  LineState s;
  s.Reset(stream, r1);
  s.Set("k", "v");
  s.SetLine("rewritten");
  s.SetError("E");
  s.Reset(stream, r2);
  EXPECT_EQ(s.line(), "two");
  EXPECT_EQ(s.Get("k"), "");
  EXPECT_FALSE(s.HasError());
  EXPECT_EQ(s.ToLabels(), stream);
}

TEST(LineStateTest, LineBufferDoesNotAliasTheLine) {
  TestLine t("abc");
  LineState& s = t.state();
  s.SetLine(s.line().substr(1));  // a view into the current line
  EXPECT_EQ(s.line(), "bc");
  std::string* buf = s.LineBuffer();
  buf->append(s.line());
  buf->append(s.line());
  s.CommitLineBuffer();
  EXPECT_EQ(s.line(), "bcbc");
}

TEST(LineStateTest, ValueAliasingALabelIsSafe) {
  TestLine t("x");
  LineState& s = t.state();
  s.Set("a", "value-of-a-long-enough-to-allocate");
  for (int i = 0; i < 100; ++i) s.Set("n" + std::to_string(i), s.Get("a"));
  EXPECT_EQ(s.Get("n99"), "value-of-a-long-enough-to-allocate");
  s.Set("a", s.Get("a").substr(6));
  EXPECT_EQ(s.Get("a"), "of-a-long-enough-to-allocate");
}

TEST(ParseGoDurationTest, AcceptsGoSyntax) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseGoDuration("250ms", &ns));
  EXPECT_EQ(ns, 250000000);
  ASSERT_TRUE(ParseGoDuration("1.5s", &ns));
  EXPECT_EQ(ns, 1500000000);
  ASSERT_TRUE(ParseGoDuration("2h45m", &ns));
  EXPECT_EQ(ns, (2 * 3600 + 45 * 60) * int64_t{1000000000});
  ASSERT_TRUE(ParseGoDuration("-1.2ms", &ns));
  EXPECT_EQ(ns, -1200000);
  ASSERT_TRUE(ParseGoDuration("3\xC2\xB5s", &ns));  // µs
  EXPECT_EQ(ns, 3000);
  ASSERT_TRUE(ParseGoDuration("0", &ns));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(ParseGoDuration(".5h", &ns));
  EXPECT_EQ(ns, 1800 * int64_t{1000000000});
}

TEST(ParseGoDurationTest, RejectsWithGoMessages) {
  int64_t ns = 0;
  std::string err;
  EXPECT_FALSE(ParseGoDuration("", &ns, &err));
  EXPECT_EQ(err, R"(time: invalid duration "")");
  EXPECT_FALSE(ParseGoDuration("12", &ns, &err));
  EXPECT_EQ(err, R"(time: missing unit in duration "12")");
  EXPECT_FALSE(ParseGoDuration("3d", &ns, &err));
  EXPECT_EQ(err, R"(time: unknown unit "d" in duration "3d")");
  EXPECT_FALSE(ParseGoDuration("1.s.", &ns, &err));
  EXPECT_FALSE(ParseGoDuration("9999999999999999999h", &ns, &err));
  EXPECT_FALSE(ParseGoDuration("3000000h", &ns, &err));  // past int64 nanoseconds
  EXPECT_FALSE(ParseGoDuration("abc", &ns, &err));
}

TEST(ParseHumanBytesTest, Units) {
  uint64_t b = 0;
  ASSERT_TRUE(ParseHumanBytes("20MB", &b));
  EXPECT_EQ(b, 20000000u);
  ASSERT_TRUE(ParseHumanBytes("1.5KiB", &b));
  EXPECT_EQ(b, 1536u);
  ASSERT_TRUE(ParseHumanBytes("42", &b));
  EXPECT_EQ(b, 42u);
  ASSERT_TRUE(ParseHumanBytes("1 kb", &b));
  EXPECT_EQ(b, 1000u);
  ASSERT_TRUE(ParseHumanBytes("3Mi", &b));
  EXPECT_EQ(b, 3u << 20);
  ASSERT_TRUE(ParseHumanBytes("1,024 B", &b));
  EXPECT_EQ(b, 1024u);
  ASSERT_TRUE(ParseHumanBytes("2G", &b));
  EXPECT_EQ(b, 2000000000u);
  std::string err;
  EXPECT_FALSE(ParseHumanBytes("12XB", &b, &err));
  EXPECT_EQ(err, "unhandled size name: XB");
  EXPECT_FALSE(ParseHumanBytes("KB", &b, &err));
  EXPECT_FALSE(ParseHumanBytes("-1KB", &b, &err));
  EXPECT_FALSE(ParseHumanBytes("100EB", &b, &err));
  EXPECT_EQ(err, "too large: 100EB");
}

TEST(ParseGoFloatValueTest, GoSyntax) {
  double v = 0;
  ASSERT_TRUE(ParseGoFloatValue("1.25e2", &v));
  EXPECT_EQ(v, 125);
  ASSERT_TRUE(ParseGoFloatValue("-Inf", &v));
  EXPECT_EQ(v, -std::numeric_limits<double>::infinity());
  std::string err;
  EXPECT_FALSE(ParseGoFloatValue("12ms", &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "12ms": invalid syntax)");
}

}  // namespace
}  // namespace vigil::logql::pipeline
