#include <string>

#include "gtest/gtest.h"
#include "query/logql/syntax/ast.h"
#include "query/logql/syntax/parser.h"

namespace vigil::logql {
namespace {

// Parses `in`, checks its canonical form, and that the form parses to an equal tree that
// prints the same.
void ExpectCanonical(const std::string& in, const std::string& want) {
  SCOPED_TRACE(in);
  auto e = ParseLogQL(in);
  ASSERT_TRUE(e.ok()) << e.status();
  std::string s = ToString(**e);
  EXPECT_EQ(s, want);
  auto again = ParseLogQL(s);
  ASSERT_TRUE(again.ok()) << again.status() << " for " << s;
  EXPECT_TRUE(Equal(**e, **again)) << s;
  EXPECT_EQ(ToString(**again), s);
}

TEST(PrinterTest, LogQueries) {
  ExpectCanonical(R"q({app="x"})q", R"q({app="x"})q");
  ExpectCanonical(R"q({app="x",env=~"prod|dev", ns!="a", c!~"b.*"})q",
                  R"q({app="x", env=~"prod|dev", ns!="a", c!~"b.*"})q");
  ExpectCanonical(R"q({app="x"} |= "err" != "debug" |~ `\d+` !~ "x" |> "<_> foo" !> "bar")q",
                  R"q({app="x"} |= "err" != "debug" |~ "\\d+" !~ "x" |> "<_> foo" !> "bar")q");
  ExpectCanonical(R"q({app="x"} |= "a" or "b" or "c" != "d" or "e")q",
                  R"q({app="x"} |= "a" or "b" or "c" != "d" or "e")q");
  ExpectCanonical(R"q({app="x"} |= ip("10.0.0.0/8") != ip("10.1.0.0/16"))q",
                  R"q({app="x"} |= ip("10.0.0.0/8") != ip("10.1.0.0/16"))q");
  ExpectCanonical(R"q({app="x"} | json | logfmt | unpack | decolorize)q",
                  R"q({app="x"} | json | logfmt | unpack | decolorize)q");
  ExpectCanonical(R"q({app="x"} | json a="x.y", b, c="arr[0]")q",
                  R"q({app="x"} | json a="x.y", b="b", c="arr[0]")q");
  ExpectCanonical(R"q({app="x"} | logfmt --strict --keep-empty a, b="c")q",
                  R"q({app="x"} | logfmt --strict --keep-empty a="a", b="c")q");
  ExpectCanonical(R"q({app="x"} | regexp "(?P<method>\\w+) (?P<path>\\S+)")q",
                  R"q({app="x"} | regexp "(?P<method>\\w+) (?P<path>\\S+)")q");
  ExpectCanonical(R"q({app="x"} | pattern "<ip> - <_> <status>")q",
                  R"q({app="x"} | pattern "<ip> - <_> <status>")q");
  ExpectCanonical(R"q({app="x"} | line_format "{{.msg}}" | label_format a=b, c="{{.x}}")q",
                  R"q({app="x"} | line_format "{{.msg}}" | label_format a=b, c="{{.x}}")q");
  ExpectCanonical(R"q({app="x"} | drop a, b="v", c=~"re" | keep d, e!="w")q",
                  R"q({app="x"} | drop a, b="v", c=~"re" | keep d, e!="w")q");
}

TEST(PrinterTest, LabelFilters) {
  ExpectCanonical(R"q({app="x"} | logfmt | duration > 10s and status >= 500 or method="GET")q",
                  R"q({app="x"} | logfmt | duration>10s and status>=500 or method="GET")q");
  ExpectCanonical(R"q({app="x"} | logfmt | a="1", b="2" or c="3")q",
                  R"q({app="x"} | logfmt | a="1" and (b="2" or c="3"))q");
  ExpectCanonical(R"q({app="x"} | logfmt | (a="1" or b="2") c="3")q",
                  R"q({app="x"} | logfmt | (a="1" or b="2") and c="3")q");
  ExpectCanonical(R"q({app="x"} | x == 5 | y = -3.5 | z != 1e6 | w < 2 | v <= 0.25)q",
                  R"q({app="x"} | x==5 | y==-3.5 | z!=1e+06 | w<2 | v<=0.25)q");
  ExpectCanonical(R"q({app="x"} | d >= 1h30m | e < 250us | f > 1.5s | g == 1d)q",
                  R"q({app="x"} | d>=1h30m | e<250µs | f>1s500ms | g==1d)q");
  ExpectCanonical(R"q({app="x"} | size > 20MB | s2 <= 1.5KiB | s3 = 1536B | s4 != 3GiB)q",
                  R"q({app="x"} | size>20MB | s2<=1536B | s3==1536B | s4!=3GiB)q");
  ExpectCanonical(R"q({app="x"} | addr = ip("192.168.0.0/16") | b != ip("::1"))q",
                  R"q({app="x"} | addr=ip("192.168.0.0/16") | b!=ip("::1"))q");
  ExpectCanonical(R"q({app="x"} | __error__="" | x =~ "a.*" | y !~ "b")q",
                  R"q({app="x"} | __error__="" | x=~"a.*" | y!~"b")q");
  ExpectCanonical(R"q({app="x"} | a = - 0)q", R"q({app="x"} | a==- 0)q");
  ExpectCanonical(R"q({app="x"} | d > -5m)q", R"q({app="x"} | d>-5m0s)q");
}

TEST(PrinterTest, MetricQueries) {
  ExpectCanonical(R"q(sum by (level) (count_over_time({service="checkout"} |= "error" [5m])))q",
                  R"q(sum by (level) (count_over_time({service="checkout"} |= "error" [5m])))q");
  ExpectCanonical(
      R"q(quantile_over_time(0.99, {app="x"} | json | unwrap duration(latency) [5m]) by (route))q",
      R"q(quantile_over_time(0.99, {app="x"} | json | unwrap duration(latency) [5m]) by (route))q");
  ExpectCanonical(R"q(rate({app="x"}[1m] offset 1h))q", R"q(rate({app="x"} [1m] offset 1h))q");
  ExpectCanonical(R"q(rate({app="x"}[1m] | json))q", R"q(rate({app="x"} | json [1m]))q");
  ExpectCanonical(R"q(rate(({app="x"} |= "a")[1m]))q", R"q(rate({app="x"} |= "a" [1m]))q");
  ExpectCanonical(R"q(sum_over_time({app="x"} | unwrap bytes(size) | __error__="" [5m]))q",
                  R"q(sum_over_time({app="x"} | unwrap bytes(size) | __error__="" [5m]))q");
  ExpectCanonical(R"q(max_over_time({app="x"} | logfmt | unwrap latency [5m]) without (pod))q",
                  R"q(max_over_time({app="x"} | logfmt | unwrap latency [5m]) without (pod))q");
  ExpectCanonical(R"q(topk(5, sum(rate({app="x"}[5m])) by (pod)))q",
                  R"q(topk(5, sum by (pod) (rate({app="x"} [5m]))))q");
  ExpectCanonical(R"q(sum without () (rate({app="x"}[5m])))q",
                  R"q(sum without () (rate({app="x"} [5m])))q");
  ExpectCanonical(R"q(sum by () (rate({app="x"}[5m])))q", R"q(sum(rate({app="x"} [5m])))q");
  ExpectCanonical(R"q(sort_desc(sum(bytes_rate({app="x"}[5m]))))q",
                  R"q(sort_desc(sum(bytes_rate({app="x"} [5m]))))q");
  ExpectCanonical(R"q(vector(1))q", "vector(1)");
  ExpectCanonical(R"q(label_replace(rate({app="x"}[1m]), "dst", "$1", "src", "(.*)"))q",
                  R"q(label_replace(rate({app="x"} [1m]), "dst", "$1", "src", "(.*)"))q");
}

TEST(PrinterTest, BinaryOperations) {
  ExpectCanonical(R"q(rate({a="b"}[1m]) / rate({a="c"}[1m]) * 100)q",
                  R"q(rate({a="b"} [1m]) / rate({a="c"} [1m]) * 100)q");
  ExpectCanonical(R"q(rate({a="b"}[1m]) / (rate({a="c"}[1m]) * 100))q",
                  R"q(rate({a="b"} [1m]) / (rate({a="c"} [1m]) * 100))q");
  ExpectCanonical(R"q(vector(2) ^ vector(3) ^ vector(2))q",
                  R"q(vector(2) ^ vector(3) ^ vector(2))q");
  ExpectCanonical(R"q((vector(2) ^ vector(3)) ^ vector(2))q",
                  R"q((vector(2) ^ vector(3)) ^ vector(2))q");
  ExpectCanonical(R"q(vector(1) - (vector(2) - vector(3)))q",
                  R"q(vector(1) - (vector(2) - vector(3)))q");
  ExpectCanonical(R"q(sum(rate({a="b"}[1m])) > bool 10)q",
                  R"q(sum(rate({a="b"} [1m])) > bool 10)q");
  ExpectCanonical(
      R"q(sum by (a) (rate({a="b"}[1m])) / on (a) group_left (c) sum by (a, c) (rate({a="b"}[1m])))q",
      R"q(sum by (a) (rate({a="b"} [1m])) / on (a) group_left (c) sum by (a, c) (rate({a="b"} [1m])))q");
  ExpectCanonical(R"q(vector(1) + ignoring (x) group_right vector(2))q",
                  R"q(vector(1) + ignoring (x) group_right vector(2))q");
  ExpectCanonical(R"q(vector(1) or vector(2) and vector(3) unless vector(4))q",
                  R"q(vector(1) or vector(2) and vector(3) unless vector(4))q");
  ExpectCanonical(R"q(vector(1) + -2)q", R"q(vector(1) + -2)q");
  ExpectCanonical(R"q(-2 ^ vector(1))q", R"q(-2 ^ vector(1))q");
}

TEST(PrinterTest, FoldsLiterals) {
  ExpectCanonical("1 + 2 * 3", "7");
  ExpectCanonical("(1 + 1) - -1", "3");
  ExpectCanonical("2 > bool 1", "1");
  ExpectCanonical("2 < 1", "0");
  ExpectCanonical("1 / 0", "(0 / 0)");
  ExpectCanonical("5 % 0", "(0 / 0)");
  ExpectCanonical("2 ^ 2000", "(2 ^ 1024)");
  ExpectCanonical("-2 ^ 2001", "(-2 ^ 1025)");
  ExpectCanonical("vector(1) + 1 * 2", "vector(1) + 2");
  ExpectCanonical("0.5", "0.5");
  ExpectCanonical("- 0", "- 0");
}

}  // namespace
}  // namespace vigil::logql
