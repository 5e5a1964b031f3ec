// Bad input: the exact messages, in Loki's format.
#include <string>

#include "gtest/gtest.h"
#include "query/logql/syntax/parser.h"

namespace vigil::logql {
namespace {

struct Case {
  const char* in;
  const char* err;
};

void Check(const Case& c) {
  auto e = ParseLogQL(c.in);
  ASSERT_FALSE(e.ok()) << c.in << " parsed as " << ToString(**e);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(e.status().message()), c.err) << c.in;
}

constexpr std::string_view kSelective =
    "parse error : queries require at least one regexp or equality matcher that does not "
    "have an empty-compatible value. For instance, app=~\".*\" does not meet this "
    "requirement, but app=~\".+\" will";

TEST(ParserErrorsTest, Syntax) {
  const Case cases[] = {
      {"", "parse error : syntax error: unexpected $end"},
      {"   ", "parse error at line 1, col 4: syntax error: unexpected $end"},
      {R"q({foo="bar")q",
       "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,"},
      {R"q({foo="bar"} |~)q",
       "parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING or ip"},
      {R"q({foo="bar"} "foo")q", "parse error at line 1, col 13: syntax error: unexpected STRING"},
      {R"q({foo="bar"} foo)q",
       "parse error at line 1, col 13: syntax error: unexpected IDENTIFIER"},
      {R"q({by="x"})q",
       "parse error at line 1, col 2: syntax error: unexpected by, expecting IDENTIFIER or }"},
      {R"q({a="b",})q",
       "parse error at line 1, col 8: syntax error: unexpected }, expecting IDENTIFIER"},
      {R"q({a})q",
       "parse error at line 1, col 3: syntax error: unexpected }, expecting = or =~ or !~ or !="},
      {R"q({a=b})q",
       "parse error at line 1, col 4: syntax error: unexpected IDENTIFIER, expecting STRING"},
      {R"q({a="b"} | unwrap x)q", "parse error at line 1, col 11: syntax error: unexpected unwrap"},
      {R"q(rate({a="b"}))q", "parse error at line 1, col 13: syntax error: unexpected )"},
      {R"q(rate({a="b"}[5m] offset 5))q",
       "parse error at line 1, col 25: syntax error: unexpected NUMBER, expecting DURATION"},
      {R"q(sum({a="b"}))q", "parse error at line 1, col 12: syntax error: unexpected )"},
      {R"q(topk({a="b"}))q", "parse error at line 1, col 13: syntax error: unexpected )"},
      {R"q(sum by (a (rate({a="b"}[5m])))q",
       "parse error at line 1, col 11: syntax error: unexpected (, expecting , or )"},
      {R"q(sum by (a,) (rate({a="b"}[5m])))q",
       "parse error at line 1, col 11: syntax error: unexpected ), expecting IDENTIFIER"},
      {R"q(rate({a="b"} | unwrap x | json [5m]))q",
       "parse error at line 1, col 27: syntax error: unexpected json, expecting IDENTIFIER or ("},
      {R"q(rate({a="b"} | unwrap [5m]))q",
       "parse error at line 1, col 23: syntax error: unexpected RANGE, expecting IDENTIFIER or "
       "BYTES_CONV or DURATION_CONV or DURATION_SECONDS_CONV"},
      {R"q({a="b"} | x > "a")q", "parse error at line 1, col 15: syntax error: unexpected STRING"},
      {R"q({a="b"} | x =~ 5)q",
       "parse error at line 1, col 16: syntax error: unexpected NUMBER, expecting STRING"},
      {R"q({a="b"} | x)q", "parse error at line 1, col 12: syntax error: unexpected $end"},
      {R"q({a="b"} | x="1" or)q",
       "parse error at line 1, col 19: syntax error: unexpected $end, expecting IDENTIFIER or ("},
      {R"q({a="b"} | regexp)q",
       "parse error at line 1, col 17: syntax error: unexpected $end, expecting STRING"},
      {R"q({a="b"} | label_format a=5)q",
       "parse error at line 1, col 26: syntax error: unexpected NUMBER, expecting IDENTIFIER or "
       "STRING"},
      {R"q({a="b"} |= "x" or ip("1.2.3.4") or "c")q",
       "parse error at line 1, col 36: syntax error: unexpected STRING"},
      {R"q({a="b"} |= "x" or vector(1))q",
       "parse error at line 1, col 19: syntax error: unexpected VECTOR, expecting STRING or ip"},
      {R"q({a="b"} |= 'x')q",
       "parse error at line 1, col 12: syntax error: unexpected IDENTIFIER, expecting STRING or "
       "ip"},
      {R"q({a="b"} @)q", "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER"},
      {R"q({a="b"}[5m])q", "parse error at line 1, col 8: syntax error: unexpected RANGE"},
      {R"q(vector(-1))q",
       "parse error at line 1, col 8: syntax error: unexpected -, expecting NUMBER"},
      {R"q(vector(1) + on vector(1))q",
       "parse error at line 1, col 16: syntax error: unexpected VECTOR, expecting ("},
      {"- rate({a=\"b\"}[1m])",
       "parse error at line 1, col 3: syntax error: unexpected RATE, expecting NUMBER"},
      {"1 -0", "parse error at line 1, col 3: syntax error: unexpected DURATION"},
      // Positions: lines and columns, the column counted in characters.
      {"{a=\"b\"}\n  | x >", "parse error at line 2, col 8: syntax error: unexpected $end"},
      {R"q({a="é"} foo)q", "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER"},
  };
  for (const Case& c : cases) Check(c);
}

TEST(ParserErrorsTest, Lexical) {
  const Case cases[] = {
      {R"q({foo="bar})q", "parse error at line 1, col 6: literal not terminated"},
      {"{a=\"b\nc\"}", "parse error at line 1, col 4: literal not terminated"},
      {R"q({a="b"} |= "\q")q", "parse error at line 1, col 12: invalid char escape"},
      {R"q({a="b"} |= "\x4")q", "parse error at line 1, col 12: invalid char escape"},
      {R"q({a="b"} |= "\U00110000")q", "parse error at line 1, col 12: invalid syntax"},
      {"{a=\"\xff\"}", "parse error at line 1, col 4: invalid UTF-8 encoding"},
      {R"q(rate({a="b"}[5x]))q",
       "parse error at line 1, col 13: not a valid duration string: \"5x\""},
      {R"q(rate({a="b"}[5m))q", "parse error at line 1, col 13: missing closing ']' in duration"},
      {R"q({a="b"} | x > 1e)q", "parse error at line 1, col 15: exponent has no digits"},
      {R"q({a="b"} |= 'ab')q", "parse error at line 1, col 12: invalid char literal"},
  };
  for (const Case& c : cases) Check(c);
  auto nul = ParseLogQL(std::string_view("{a=\"b\"} \0", 9));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.status().message(), "parse error at line 1, col 9: invalid character NUL");
}

TEST(ParserErrorsTest, Semantic) {
  const Case cases[] = {
      {"{}", kSelective.data()},
      {R"q({a=""})q", kSelective.data()},
      {R"q({a!="x"})q", kSelective.data()},
      {R"q({a=~".*", b!~"x"})q", kSelective.data()},
      {R"q(sum(rate({a=~".*"}[1m])))q", kSelective.data()},
      {R"q(count_over_time({a="b"} | unwrap x [5m]))q",
       "parse error : invalid aggregation count_over_time with unwrap"},
      {R"q(bytes_rate({a="b"} | unwrap x [5m]))q",
       "parse error : invalid aggregation bytes_rate with unwrap"},
      {R"q(sum_over_time({a="b"}[5m]))q",
       "parse error : invalid aggregation sum_over_time without unwrap"},
      {R"q(rate_counter({a="b"}[5m]))q",
       "parse error : invalid aggregation rate_counter without unwrap"},
      {R"q(quantile_over_time({a="b"} | unwrap x [5m]))q",
       "parse error : parameter required for operation quantile_over_time"},
      {R"q(rate(0.5, {a="b"}[5m]))q",
       "parse error : parameter 0.5 not supported for operation rate"},
      {R"q(rate({a="b"}[5m]) by (x))q", "parse error : grouping not allowed for rate aggregation"},
      {R"q(sum_over_time({a="b"} | unwrap x [5m]) by (a))q",
       "parse error : grouping not allowed for sum_over_time aggregation"},
      {R"q(topk(rate({a="b"}[5m])))q", "parse error : parameter required for operation topk"},
      {R"q(topk(1.5, rate({a="b"}[5m])))q", "parse error : invalid parameter topk(1.5,"},
      {R"q(bottomk(0, rate({a="b"}[5m])))q",
       "parse error : invalid parameter (must be greater than 0) bottomk(0"},
      {R"q(sum(5, rate({a="b"}[5m])))q",
       "parse error : unsupported parameter for operation sum(5,"},
      {R"q(sort by (a) (rate({a="b"}[5m])))q",
       "parse error : sort and sort_desc doesn't allow grouping by "},
      {R"q({a="b"} + 1)q",
       "parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr"},
      {R"q(1 + {a="b"} |= "x")q",
       "parse error : unexpected type for right leg of binary operation (+): *syntax.PipelineExpr"},
      {R"q(1 or vector(1))q",
       "parse error : unexpected literal for left leg of logical/set binary operation (or): "
       "1.000000"},
      {R"q(vector(1) and 2)q",
       "parse error : unexpected literal for right leg of logical/set binary operation (and): "
       "2.000000"},
      {R"q(vector(1) + bool vector(2))q",
       "parse error : bool modifier can only be used on comparison operators"},
      {R"q(vector(1) and on(a) group_left vector(2))q",
       "parse error : no grouping allowed for \"and\" operation"},
      {R"q(vector(1) + on(a) group_left(a) vector(2))q",
       "parse error : label \"a\" must not occur in ON and GROUP clause at once"},
      {R"q({a="b"} | regexp "(a)")q",
       "parse error : invalid regexp parser: at least one named capture must be supplied"},
      {R"q({a="b"} | regexp "(?P<1x>a)")q",
       "parse error : invalid regexp parser: invalid extracted label name '1x'"},
      {R"q({a="b"} | regexp "(?P<x>a")q",
       "parse error : invalid regexp parser: error parsing regexp: missing ): (?P<x>a"},
      {R"q({a="b"} | pattern "<a><b>")q",
       "parse error : invalid pattern parser: found consecutive capture '<a><b>': invalid "
       "expression"},
      {R"q({a="b"} | pattern "x <_><a>")q",
       "parse error : invalid pattern parser: found consecutive capture '<_><a>': invalid "
       "expression"},
      {R"q({a="b"} | pattern "foo <_>")q",
       "parse error : invalid pattern parser: at least one capture is required"},
      {R"q({a="b"} | pattern "")q",
       "parse error : invalid pattern parser: syntax error: unexpected $end, expecting IDENTIFIER "
       "or LITERAL"},
      {R"q({a="b"} | pattern "<_> <a> <a>")q",
       "parse error : invalid pattern parser: duplicate capture name (a): invalid expression"},
      {R"q({a="b"} |~ "(")q",
       "parse error : stage '|~ \"(\"' : error parsing regexp: missing ): ("},
      {R"q({a="b"} |~ ip("1.2.3.4"))q",
       "parse error : stage '|~ ip(\"1.2.3.4\")' : ip line filter supports only |= and !="},
      {R"q({a=~"("})q", "parse error : error parsing regexp: missing ): ("},
      {R"q({a="b"} | x=~"(")q", "parse error : error parsing regexp: missing ): ("},
      {R"q({a="b"} | drop x!~"(")q", "parse error : error parsing regexp: missing ): ("},
      {R"q(label_replace(vector(1), "a", "b", "c", "("))q",
       "parse error : invalid regex in label_replace: error parsing regexp: missing ): ("},
      {R"q({a="b"} | json a="x..y")q",
       "parse error : invalid JSON path \"x..y\" for label a: expected a field name at offset 2"},
      {R"q({a="b"} | json a="x[1.5]")q",
       "parse error : invalid JSON path \"x[1.5]\" for label a: cannot use float as array index at "
       "offset 3"},
      {R"q({a="b"} | label_format a=b, a="c")q",
       "parse error : multiple label name 'a' appears in formatting"},
      {R"q({a="b"} | label_format __error__=b)q", "parse error : __error__ cannot be formatted"},
      {R"q(vector(0x10))q",
       "parse error : unable to parse vectorExpr as a float: strconv.ParseFloat: parsing \"0x10\": "
       "invalid syntax"},
      {R"q({a="b"} | x > 1e999)q",
       "parse error : unable to parse literal as a float: strconv.ParseFloat: parsing \"1e999\": "
       "value out of range"},
  };
  for (const Case& c : cases) Check(c);
}

TEST(ParserErrorsTest, SyntaxErrorsWinOverDeferredSemanticOnes) {
  // Loki reports a node's semantic error only once the whole query has parsed.
  Check({R"q(rate(0.5, {a="b"}[5m]) +)q",
         "parse error at line 1, col 25: syntax error: unexpected $end"});
  // A bad matcher regex stops parsing at once, as Loki's panicking constructor does.
  Check({R"q({a=~"("} +)q", "parse error : error parsing regexp: missing ): ("});
}

}  // namespace
}  // namespace vigil::logql
