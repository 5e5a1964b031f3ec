#include "query/promql/conformance/series_desc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "storage/sample.h"

namespace vigil::promql::conformance {
namespace {

std::vector<double> Values(const SeriesDesc& d) {
  std::vector<double> out;
  for (const auto& v : d.values) out.push_back(v.omitted ? -12345 : v.value);
  return out;
}

SeriesDesc MustParse(std::string_view line) {
  auto d = ParseSeriesDesc(line);
  EXPECT_TRUE(d.ok()) << line << ": " << d.status();
  return d.ok() ? *d : SeriesDesc{};
}

std::string ErrorOf(std::string_view line, size_t max_values = kMaxSeriesValues) {
  auto d = ParseSeriesDesc(line, max_values);
  EXPECT_FALSE(d.ok()) << line << " parsed";
  return d.ok() ? "" : std::string(d.status().message());
}

TEST(SeriesDescTest, MetricAndLabels) {
  auto d = MustParse(R"(http_requests{job="api-server", instance="0", group="production"} 0+10x2)");
  EXPECT_EQ(d.labels.ToString(),
            R"(http_requests{group="production", instance="0", job="api-server"})");
  EXPECT_EQ(Values(d), (std::vector<double>{0, 10, 20}));

  EXPECT_EQ(MustParse("metric 1").labels.ToString(), "metric");
  EXPECT_EQ(MustParse("node_namespace_pod:kube_pod_info: 1").labels.MetricName(),
            "node_namespace_pod:kube_pod_info:");
  EXPECT_TRUE(MustParse("{} 1").labels.empty());
  EXPECT_EQ(MustParse(R"({__name__="m", a='x'} 1)").labels.ToString(), R"(m{a="x"})");
  // A name before the braces wins over __name__ inside them.
  EXPECT_EQ(MustParse(R"(n{__name__="m"} 1)").labels.ToString(), "n");
  // Quoting: single, back quotes, escapes, trailing comma, spaces everywhere.
  auto q = MustParse("m{ a = 'x\\'y' , b=`r\\n`, c=\"t\\tu\\\"\", } 1");
  EXPECT_EQ(q.labels.Get("a"), "x'y");
  EXPECT_EQ(q.labels.Get("b"), "r\\n");
  EXPECT_EQ(q.labels.Get("c"), "t\tu\"");
  // Keywords are fine as label names; empty values mean an absent label.
  EXPECT_EQ(MustParse(R"(m{by="1", on="2", empty=""} 1)").labels.ToString(),
            R"(m{by="1", on="2"})");
  // No values at all is a valid (empty) description.
  EXPECT_TRUE(MustParse("metric").values.empty());
  EXPECT_TRUE(MustParse(R"(m{a="b"})").values.empty());
}

TEST(SeriesDescTest, ExpandingNotation) {
  EXPECT_EQ(Values(MustParse("m 0+10x10")).size(), 11u);
  EXPECT_EQ(Values(MustParse("m 1-1x3")), (std::vector<double>{1, 0, -1, -2}));
  EXPECT_EQ(Values(MustParse("m -2+1x2")), (std::vector<double>{-2, -1, 0}));
  EXPECT_EQ(Values(MustParse("m 1x3")), (std::vector<double>{1, 1, 1, 1}));
  // `0x10` is zero repeated, not hexadecimal.
  EXPECT_EQ(Values(MustParse("m 0x10")), std::vector<double>(11, 0));
  EXPECT_EQ(Values(MustParse("m _ 1 _x3 2")),
            (std::vector<double>{-12345, 1, -12345, -12345, -12345, 2}));
  EXPECT_EQ(Values(MustParse("m _x0 5")), (std::vector<double>{5}));
  EXPECT_EQ(Values(MustParse("m 0+10x1000 300-80x1000")).size(), 2002u);
  // Steps accumulate by repeated addition, as upstream computes them.
  auto acc = Values(MustParse("m 0+1.33x10"));
  double v = 0;
  for (int i = 0; i < 10; ++i) v += 1.33;
  EXPECT_EQ(acc.back(), v);
  // Tabs and runs of spaces separate values; trailing space is fine.
  EXPECT_EQ(Values(MustParse("m\t1 \t 2   ")), (std::vector<double>{1, 2}));
  EXPECT_EQ(Values(MustParse("m{a=\"b\"}\t\t3")), (std::vector<double>{3}));
}

TEST(SeriesDescTest, SpecialValuesAndNumberForms) {
  auto d = MustParse("m NaN nan Inf -Inf +inf stale 1e3 .5 2. 010 08 -0.2e-6");
  ASSERT_EQ(d.values.size(), 12u);
  EXPECT_TRUE(std::isnan(d.values[0].value));
  EXPECT_TRUE(std::isnan(d.values[1].value));
  EXPECT_FALSE(IsStaleNaN(d.values[1].value));
  EXPECT_EQ(d.values[2].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(d.values[3].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(d.values[4].value, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(IsStaleNaN(d.values[5].value));
  EXPECT_EQ(d.values[6].value, 1000);
  EXPECT_EQ(d.values[7].value, 0.5);
  EXPECT_EQ(d.values[8].value, 2);
  EXPECT_EQ(d.values[9].value, 8);   // Go reads a leading 0 as octal
  EXPECT_EQ(d.values[10].value, 8);  // not octal: falls back to a decimal float
  EXPECT_EQ(d.values[11].value, -0.2e-6);
  EXPECT_EQ(Values(MustParse("m 1e2+1e1x1")), (std::vector<double>{100, 110}));
}

TEST(SeriesDescTest, GoNumbers) {
  double v;
  ASSERT_TRUE(ParseGoNumber("0x1f", &v));
  EXPECT_EQ(v, 31);
  ASSERT_TRUE(ParseGoNumber("-0b101", &v));
  EXPECT_EQ(v, -5);
  ASSERT_TRUE(ParseGoNumber("0o17", &v));
  EXPECT_EQ(v, 15);
  ASSERT_TRUE(ParseGoNumber("99999999999999999999", &v));  // beyond int64: a float
  EXPECT_EQ(v, 1e20);
  ASSERT_TRUE(ParseGoNumber("+Inf", &v));
  EXPECT_TRUE(std::isinf(v));
  ASSERT_TRUE(ParseGoNumber("12340000", &v));
  EXPECT_EQ(v, 12340000);
  EXPECT_FALSE(ParseGoNumber("", &v));
  EXPECT_FALSE(ParseGoNumber("{} 1", &v));
  EXPECT_FALSE(ParseGoNumber("1 2", &v));
  EXPECT_FALSE(ParseGoNumber("0x", &v));
  EXPECT_FALSE(ParseGoNumber("abc", &v));
}

TEST(SeriesDescTest, MalformedLinesAreErrorsWithColumns) {
  EXPECT_EQ(ErrorOf("m 1x"),
            "col 5: unexpected end of input in series values, expected a repetition count");
  EXPECT_EQ(ErrorOf("m 1+x3"), "col 5: unexpected \"x\" in series values, expected a number");
  EXPECT_EQ(
      ErrorOf("m 1+2"),
      "col 6: unexpected end of input in series values, expected \"x\" and a repetition count");
  EXPECT_EQ(ErrorOf("m foo"),
            "col 3: unexpected \"foo\" in series values, expected number or \"stale\"");
  EXPECT_EQ(ErrorOf("m 1_"), "col 3: bad number syntax: \"1_\"");
  EXPECT_EQ(ErrorOf("m 1x1.5"), "col 5: invalid repetition in series values: \"1.5\"");
  EXPECT_EQ(ErrorOf("m 1 @"), "col 5: unexpected character in series sequence: \"@\"");
  EXPECT_EQ(ErrorOf("m{a=\"b\"}1"),
            "col 9: unexpected \"1\" in series values, expected a space before the values");
  EXPECT_EQ(ErrorOf("m 1x2x3"),
            "col 6: unexpected \"x\" in series values, expected a space or the end of the line");
  EXPECT_EQ(ErrorOf("m _1"),
            "col 4: unexpected \"1\" in series values, expected a space or the end of the line");
  EXPECT_EQ(ErrorOf("m -"), "col 4: unexpected end of input in series values, expected a number");
  EXPECT_EQ(ErrorOf("m stalex3"),
            "col 3: unexpected \"stalex3\" in series values, expected number or \"stale\"");
  EXPECT_EQ(ErrorOf("123 1"),
            "col 1: unexpected character \"1\", expected a metric name or label set");
  EXPECT_EQ(ErrorOf("Inf 1"), "col 1: unexpected number \"Inf\", expected a metric");
  EXPECT_EQ(ErrorOf(""), "col 1: unexpected end of input, expected a metric");
  EXPECT_EQ(ErrorOf("m{a=~\"b\"} 1"),
            "col 4: only \"=\" is allowed in a series description's label set");
  EXPECT_EQ(ErrorOf("m{a!=\"b\"} 1"), "col 4: unexpected token in label set, expected \"=\"");
  EXPECT_EQ(ErrorOf("m{a=\"b\" 1"),
            "col 9: unexpected token in label set, expected \",\" or \"}\"");
  EXPECT_EQ(ErrorOf("m{a=\"b\""), "col 8: unexpected end of input inside braces");
  EXPECT_EQ(ErrorOf("m{a=\"b} 1"), "col 5: unterminated quoted string");
  EXPECT_EQ(ErrorOf("m{a=b} 1"), "col 5: unexpected token in label set, expected a quoted string");
  EXPECT_EQ(ErrorOf("m{1a=\"b\"} 1"), "col 3: unexpected character inside braces: \"1\"");
  EXPECT_EQ(ErrorOf("m{a=\"\\q\"} 1"), "col 5: invalid syntax");
  EXPECT_EQ(ErrorOf("m{a=\"b\",a=\"c\"} 1"), "col 1: duplicate label name \"a\"");
  // Expansion is bounded.
  EXPECT_EQ(ErrorOf("m 0+1x99999999999"), "col 3: series expands to more than 1000000 values");
  EXPECT_EQ(ErrorOf("m _x18446744073709551615"),
            "col 3: series expands to more than 1000000 values");
  EXPECT_EQ(ErrorOf("m 1x18446744073709551615"),
            "col 3: series expands to more than 1000000 values");
  EXPECT_EQ(ErrorOf("m 1x99999999999999999999"),
            "col 5: invalid repetition in series values: \"99999999999999999999\"");
  EXPECT_EQ(ErrorOf("m 1 2 3 4", 3), "col 9: series expands to more than 3 values");
}

TEST(SeriesDescTest, HostileBytesNeverCrash) {
  // Every prefix of a busy line either parses or fails cleanly.
  std::string line = "a:b{x=\"\\u00e9\\x41\", y='\\'', z=`\\`} 1+2x3 _x2 stale -Inf \t 0x1";
  for (size_t n = 0; n <= line.size(); ++n) (void)ParseSeriesDesc(line.substr(0, n));
  std::string junk;
  for (int c = 0; c < 256; ++c) junk.push_back(static_cast<char>(c));
  EXPECT_FALSE(ParseSeriesDesc(junk).ok());
  EXPECT_FALSE(ParseSeriesDesc("m " + junk).ok());
  EXPECT_FALSE(ParseSeriesDesc("m{a=\"" + junk + "\"} 1").ok());
}

}  // namespace
}  // namespace vigil::promql::conformance
