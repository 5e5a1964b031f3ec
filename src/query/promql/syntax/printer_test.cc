// ToString (Prometheus' String()) and Prettify (Pretty(0), the /api/v1/format_query form).
// Expected texts were recorded from the Prometheus 2.42.0 binary.
#include <string>

#include "gtest/gtest.h"
#include "query/promql/syntax/parser.h"

namespace vigil::promql {
namespace {

struct PrintCase {
  const char* query;
  const char* want;
};

// Parse -> ToString. Every construct, in canonical form.
const PrintCase kCanonical[] = {
    {"1", "1"},
    {"-1", "-1"},
    {"+1", "1"},
    {"1e6", "1e+06"},
    {"1.5e-7", "1.5e-07"},
    {"0x1F", "31"},
    {"017", "15"},
    {".5", "0.5"},
    {"5.", "5"},
    {"Inf", "+Inf"},
    {"-Inf", "-Inf"},
    {"NaN", "NaN"},
    {"\"a\\tb\"", "\"a\\tb\""},
    {"'single'", "\"single\""},
    {"`raw\\n`", "\"raw\\\\n\""},
    {"\"é\\u00a0\\x00\\xff\"", "\"é\\u00a0\\x00\\xff\""},
    {"foo", "foo"},
    {"foo{}", "foo"},
    {"foo{a=\"b\"}", "foo{a=\"b\"}"},
    {"foo{b=\"1\", a=\"2\",}", "foo{a=\"2\",b=\"1\"}"},
    {"{__name__=\"foo\"}", "{__name__=\"foo\"}"},
    {"{__name__=~\"foo|bar\", job!=\"\"}", "{__name__=~\"foo|bar\",job!=\"\"}"},
    {"foo{on=\"x\", by=\"y\"}", "foo{by=\"y\",on=\"x\"}"},
    {"sum", "sum"},
    {"by", "by"},
    {"start", "start"},
    {"a:b:c", "a:b:c"},
    {"foo[5m]", "foo[5m]"},
    {"foo[1h30m]", "foo[1h30m]"},
    {"foo[90m]", "foo[1h30m]"},
    {"foo[1y2w3d4h5m6s7ms]", "foo[382d4h5m6s7ms]"},
    {"foo offset 5m", "foo offset 5m"},
    {"foo offset -1w", "foo offset -1w"},
    {"foo @ 100", "foo @ 100.000"},
    {"foo @ 1.2345", "foo @ 1.235"},
    {"foo @ -100", "foo @ -100.000"},
    {"foo @ start()", "foo @ start()"},
    {"foo @ end()", "foo @ end()"},
    {"foo offset 5m @ 100", "foo @ 100.000 offset 5m"},
    {"foo[5m] offset 1m @ end()", "foo[5m] @ end() offset 1m"},
    {"foo[1h:5m]", "foo[1h:5m]"},
    {"foo[1h:]", "foo[1h:]"},
    {"foo[1h:5m] @ 100 offset 10m", "foo[1h:5m] @ 100.000 offset 10m"},
    {"rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]"},
    {"(a + b)[5m:]", "(a + b)[5m:]"},
    {"sum(foo)", "sum(foo)"},
    {"sum by (job) (foo)", "sum by (job) (foo)"},
    {"sum(foo) by (job)", "sum by (job) (foo)"},
    {"sum without (instance, job) (foo)", "sum without (instance, job) (foo)"},
    {"sum by () (foo)", "sum(foo)"},
    {"sum without () (foo)", "sum without () (foo)"},
    {"SUM BY (job) (foo)", "sum by (job) (foo)"},
    {"topk(5, foo)", "topk(5, foo)"},
    {"bottomk by (a) (3, foo)", "bottomk by (a) (3, foo)"},
    {"quantile(0.99, foo)", "quantile(0.99, foo)"},
    {"count_values(\"value\", foo)", "count_values(\"value\", foo)"},
    {"group(foo)", "group(foo)"},
    {"stddev(foo) by (a,)", "stddev by (a) (foo)"},
    {"rate(foo[5m])", "rate(foo[5m])"},
    {"round(foo)", "round(foo)"},
    {"round(foo, 0.5)", "round(foo, 0.5)"},
    {"label_join(foo, \"dst\", \",\", \"a\", \"b\", \"c\")",
     "label_join(foo, \"dst\", \",\", \"a\", \"b\", \"c\")"},
    {"label_replace(foo, \"dst\", \"$1\", \"src\", \"(.*)\")",
     "label_replace(foo, \"dst\", \"$1\", \"src\", \"(.*)\")"},
    {"time()", "time()"},
    {"vector(1)", "vector(1)"},
    {"scalar(foo)", "scalar(foo)"},
    {"histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
     "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"},
    {"year()", "year()"},
    {"-foo", "-foo"},
    {"+foo", "+foo"},
    {"- -foo", "--foo"},
    {"-(1)", "-(1)"},
    {"1 - -1", "1 - -1"},
    {"-2 ^ 2", "-2 ^ 2"},
    {"-2^---1*3", "-2 ^ -1 * 3"},
    {"2 ^ 3 ^ 2", "2 ^ 3 ^ 2"},
    {"(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"},
    {"1 + 2 * 3", "1 + 2 * 3"},
    {"(1 + 2) * 3", "(1 + 2) * 3"},
    {"a or b and c", "a or b and c"},
    {"a or b unless c", "a or b unless c"},
    {"(a or b) and c", "(a or b) and c"},
    {"a and b or c", "a and b or c"},
    {"a * b atan2 c", "a * b atan2 c"},
    {"a == bool b", "a == bool b"},
    {"1 == bool 2", "1 == bool 2"},
    {"a > 1", "a > 1"},
    {"a + on (x) group_left (y) b", "a + on (x) group_left (y) b"},
    {"a + on (x) group_left b", "a + on (x) group_left () b"},
    {"a - ignoring (x) group_right () b", "a - ignoring (x) group_right () b"},
    {"a / on () b", "a / on () b"},
    {"a * ignoring () b", "a * b"},
    {"a and on (x) b", "a and on (x) b"},
    {"a unless ignoring (x) b", "a unless ignoring (x) b"},
    {"a == bool on (x) group_left (y) b", "a == bool on (x) group_left (y) b"},
    {"1 + on () foo", "1 + foo"},
    {"foo # comment", "foo"},
    {"sum by (job) (rate(x{a=\"b\"}[5m] offset 1m))",
     "sum by (job) (rate(x{a=\"b\"}[5m] offset 1m))"},
};

TEST(PrinterTest, ToStringIsPrometheusCanonicalForm) {
  for (const PrintCase& c : kCanonical) {
    auto r = ParseExpr(c.query);
    ASSERT_TRUE(r.ok()) << c.query << ": " << r.status().message();
    std::string s = ToString(**r);
    EXPECT_EQ(s, c.want) << c.query;
    // Short expressions are not split.
    EXPECT_EQ(Prettify(**r), s) << c.query;
    // The canonical form parses back to itself.
    auto again = ParseExpr(s);
    ASSERT_TRUE(again.ok()) << s;
    EXPECT_EQ(ToString(**again), s);
  }
}

#define M "a_fairly_long_metric_name_used_to_push_the_line_over_the_limit"

// Expressions longer than 100 characters split, node by node, with two-space indentation.
const PrintCase kPretty[] = {
    {"sum by (job) (rate(" M "{job=\"api\", instance=\"localhost:9090\"}[5m]))",
     "sum by (job) (\n"
     "  rate(\n"
     "    " M "{instance=\"localhost:9090\",job=\"api\"}[5m]\n"
     "  )\n"
     ")"},
    {M " + on (job) group_left (instance) " M "{x=\"y\"}", "  " M "\n"
                                                           "+ on (job) group_left (instance)\n"
                                                           "  " M "{x=\"y\"}"},
    {"label_replace(" M "{job=\"api\"}, \"dst\", \"$1\", \"src\", \"(.*)\")",
     "label_replace(\n"
     "  " M "{job=\"api\"},\n"
     "  \"dst\",\n"
     "  \"$1\",\n"
     "  \"src\",\n"
     "  \"(.*)\"\n"
     ")"},
    {"topk(5, " M "{job=\"api\"} / " M "{job=\"web\"})",
     "topk(\n"
     "  5,\n"
     "    " M "{job=\"api\"}\n"
     "  /\n"
     "    " M "{job=\"web\"}\n"
     ")"},
    {"-(" M " + " M "{x=\"y\"})",
     "-(\n"
     "    " M "\n"
     "  +\n"
     "    " M "{x=\"y\"}\n"
     ")"},
    {"-sum(" M "{job=\"api\"} + " M "{job=\"web\"})",
     "-sum(\n"
     "    " M "{job=\"api\"}\n"
     "  +\n"
     "    " M "{job=\"web\"}\n"
     ")"},
    {"max_over_time((" M " + " M "{x=\"y\"})[5m:1m])",
     "max_over_time(\n"
     "  (\n"
     "      " M "\n"
     "    +\n"
     "      " M "{x=\"y\"}\n"
     "  )[5m:1m]\n"
     ")"},
    {"(" M "{a=\"b\"} + " M "{x=\"y\"})[5m:1m] @ 100 offset 5m",
     "(\n"
     "    " M "{a=\"b\"}\n"
     "  +\n"
     "    " M "{x=\"y\"}\n"
     ")[5m:1m] @ 100.000 offset 5m"},
    {"histogram_quantile(0.9, sum by (le, job) (rate(" M "_bucket{job=\"api\"}[5m])))",
     "histogram_quantile(\n"
     "  0.9,\n"
     "  sum by (le, job) (\n"
     "    rate(" M "_bucket{job=\"api\"}[5m])\n"
     "  )\n"
     ")"},
    {M " > bool 1 and on (job) " M "{a=\"b\"} or " M "{c=\"d\"}", "    " M " > bool 1\n"
                                                                  "  and on (job)\n"
                                                                  "    " M "{a=\"b\"}\n"
                                                                  "or\n"
                                                                  "  " M "{c=\"d\"}"},
    {"count_values(\"value\", " M "{job=\"api\", instance=\"localhost:9090\", mode=\"idle\"})",
     "count_values(\n"
     "  \"value\",\n"
     "  " M "{instance=\"localhost:9090\",job=\"api\",mode=\"idle\"}\n"
     ")"},
    {"max_over_time(rate(" M "{job=\"api\"}[5m])[30m:1m])",
     "max_over_time(\n"
     "rate(" M "{job=\"api\"}[5m])[30m:1m]\n"
     ")"},
    {"quantile_over_time(0.9, rate(" M "{job=\"api\"}[5m])[30m:1m])",
     "quantile_over_time(\n"
     "  0.9,\n"
     "rate(" M "{job=\"api\"}[5m])[30m:1m]\n"
     ")"},
};

#undef M

TEST(PrinterTest, PrettifyMatchesPrometheus) {
  for (const PrintCase& c : kPretty) {
    auto r = ParseExpr(c.query);
    ASSERT_TRUE(r.ok()) << c.query << ": " << r.status().message();
    EXPECT_EQ(Prettify(**r), c.want) << c.query;
  }
}

TEST(PrinterTest, PrettifiedFormParsesToTheSameExpression) {
  for (const PrintCase& c : kPretty) {
    auto r = ParseExpr(c.query);
    ASSERT_TRUE(r.ok());
    auto again = ParseExpr(Prettify(**r));
    ASSERT_TRUE(again.ok()) << Prettify(**r);
    EXPECT_EQ(ToString(**again), ToString(**r));
  }
}

TEST(PrinterTest, SelectorDetails) {
  auto print = [](std::string_view q) {
    auto r = ParseExpr(q);
    return r.ok() ? ToString(**r) : std::string(r.status().message());
  };
  // Matchers print sorted, values with Go's quoting; the name's own matcher is left out.
  EXPECT_EQ(print("foo{z=\"1\", a=\"\\xff\\t\"}"), "foo{a=\"\\xff\\t\",z=\"1\"}");
  EXPECT_EQ(print("{__name__=\"foo\"}"), "{__name__=\"foo\"}");
  EXPECT_EQ(print("{__name__=\"\", a=\"b\"}"), "{a=\"b\"}");  // as Prometheus prints it
  EXPECT_EQ(print("x @ 1e17"), "x @ -9223372036854776.000");  // Go's int64 overflow
  EXPECT_EQ(print("x[5m] @ 0.0005"), "x[5m] @ 0.001");
}

}  // namespace
}  // namespace vigil::promql
