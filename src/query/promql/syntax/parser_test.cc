// The shape of parsed trees (the contract with the engine), the public entry points and
// hostile input. Error texts and printing are covered by parser_errors_test.cc,
// printer_test.cc and prometheus_answers_test.cc.
#include "query/promql/syntax/parser.h"

#include <cmath>
#include <random>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "query/promql/syntax/function_info.h"

namespace vigil::promql {
namespace {

ExprPtr MustParse(std::string_view q) {
  auto r = ParseExpr(q);
  EXPECT_TRUE(r.ok()) << q << ": " << r.status().message();
  return r.ok() ? std::move(*r) : nullptr;
}

template <typename T>
const T& As(const Expr& e) {
  return static_cast<const T&>(e);
}

std::string Error(std::string_view q) {
  auto r = ParseExpr(q);
  return r.ok() ? "OK" : std::string(r.status().message());
}

TEST(ParserTest, VectorSelectorPutsTheNameMatcherFirst) {
  std::string q = "foo{b=\"1\", a=~\"x|y\", c!=\"\", d!~\"z\",}";
  ExprPtr e = MustParse(q);
  ASSERT_EQ(e->kind, NodeKind::kVectorSelector);
  const auto& vs = As<VectorSelector>(*e);
  EXPECT_EQ(vs.name, "foo");
  ASSERT_EQ(vs.matchers.size(), 5u);
  EXPECT_EQ(vs.matchers[0].name(), "__name__");
  EXPECT_EQ(vs.matchers[0].value(), "foo");
  EXPECT_EQ(vs.matchers[0].type(), MatchType::kEqual);
  EXPECT_EQ(vs.matchers[1].name(), "b");
  EXPECT_EQ(vs.matchers[2].type(), MatchType::kRegexMatch);
  EXPECT_EQ(vs.matchers[3].type(), MatchType::kNotEqual);
  EXPECT_EQ(vs.matchers[4].type(), MatchType::kRegexNoMatch);
  EXPECT_EQ(vs.pos.start, 0);
  EXPECT_EQ(vs.pos.end, static_cast<int>(q.size()));

  e = MustParse("{__name__=\"foo\", job=\"x\"}");
  const auto& noname = As<VectorSelector>(*e);
  EXPECT_EQ(noname.name, "");
  EXPECT_EQ(noname.matchers.size(), 2u);
  // Keywords are label names inside braces and metric names where the grammar allows.
  EXPECT_TRUE(ParseExpr("foo{on=\"a\", by=\"b\", bool=\"c\", offset=\"d\"}").ok());
  for (const char* q : {"sum", "by", "without", "offset", "start", "end", "and", "count_values"}) {
    ExprPtr m = MustParse(q);
    ASSERT_EQ(m->kind, NodeKind::kVectorSelector) << q;
    EXPECT_EQ(As<VectorSelector>(*m).name, q);
  }
}

TEST(ParserTest, MatrixSubqueryAndModifiers) {
  ExprPtr e = MustParse("foo[5m] offset -1m @ 1.0005");
  ASSERT_EQ(e->kind, NodeKind::kMatrixSelector);
  const auto& ms = As<MatrixSelector>(*e);
  EXPECT_EQ(ms.range_ms, 300000);
  EXPECT_EQ(ms.selector->mods.offset_ms, -60000);
  EXPECT_EQ(ms.selector->mods.at, AtKind::kTimestamp);
  EXPECT_EQ(ms.selector->mods.at_ms, 1001);  // rounded half away from zero
  EXPECT_EQ(ms.pos.start, 0);
  EXPECT_EQ(ms.pos.end, 27);

  e = MustParse("rate(x[5m])[1h:] @ end() offset 5m");
  ASSERT_EQ(e->kind, NodeKind::kSubquery);
  const auto& sq = As<Subquery>(*e);
  EXPECT_EQ(sq.range_ms, 3600000);
  EXPECT_EQ(sq.step_ms, 0);
  EXPECT_EQ(sq.mods.at, AtKind::kEnd);
  EXPECT_EQ(sq.mods.offset_ms, 300000);
  EXPECT_EQ(sq.expr->kind, NodeKind::kCall);

  e = MustParse("x @ start()");
  EXPECT_EQ(As<VectorSelector>(*e).mods.at, AtKind::kStart);
  e = MustParse("x @ -2.5");
  EXPECT_EQ(As<VectorSelector>(*e).mods.at_ms, -2500);
  // @ start() is allowed before a range (only a timestamp is not), as in Prometheus.
  e = MustParse("x @ start() [5m]");
  EXPECT_EQ(As<MatrixSelector>(*e).selector->mods.at, AtKind::kStart);
}

TEST(ParserTest, NumbersAndUnaryFolding) {
  ExprPtr e = MustParse("-1");
  ASSERT_EQ(e->kind, NodeKind::kNumberLiteral);
  EXPECT_EQ(As<NumberLiteral>(*e).value, -1);
  EXPECT_EQ(e->pos.start, 0);
  e = MustParse("- -0x10");
  EXPECT_EQ(As<NumberLiteral>(*e).value, 16);
  e = MustParse("-Inf");
  EXPECT_TRUE(std::isinf(As<NumberLiteral>(*e).value));
  e = MustParse("-foo");
  ASSERT_EQ(e->kind, NodeKind::kUnary);
  EXPECT_TRUE(As<UnaryExpr>(*e).negate);
  e = MustParse("+foo");
  EXPECT_FALSE(As<UnaryExpr>(*e).negate);
  e = MustParse("-(1)");
  ASSERT_EQ(e->kind, NodeKind::kUnary);
  EXPECT_EQ(As<UnaryExpr>(*e).expr->kind, NodeKind::kParen);
  // A sign binds looser than ^ and as tight as *.
  e = MustParse("-2 ^ 2");
  ASSERT_EQ(e->kind, NodeKind::kUnary);
  EXPECT_EQ(As<UnaryExpr>(*e).expr->kind, NodeKind::kBinary);
  e = MustParse("-2 * 3");
  ASSERT_EQ(e->kind, NodeKind::kBinary);
  EXPECT_EQ(As<NumberLiteral>(*As<BinaryExpr>(*e).lhs).value, -2);
  e = MustParse("\"a\\tb\"");
  EXPECT_EQ(As<StringLiteral>(*e).value, "a\tb");
}

TEST(ParserTest, PrecedenceAndAssociativity) {
  // `a or b and c` is `a or (b and c)`.
  ExprPtr e = MustParse("a or b and c");
  ASSERT_EQ(As<BinaryExpr>(*e).op, BinaryOp::kOr);
  EXPECT_EQ(As<BinaryExpr>(*As<BinaryExpr>(*e).rhs).op, BinaryOp::kAnd);
  // `^` is right-associative, `-` left-associative.
  e = MustParse("2 ^ 3 ^ 2");
  EXPECT_EQ(As<BinaryExpr>(*e).rhs->kind, NodeKind::kBinary);
  e = MustParse("1 - 2 - 3");
  EXPECT_EQ(As<BinaryExpr>(*e).lhs->kind, NodeKind::kBinary);
  // -2^---1*3 is (-(2 ^ -1)) * 3.
  e = MustParse("-2^---1*3");
  const auto& mul = As<BinaryExpr>(*e);
  EXPECT_EQ(mul.op, BinaryOp::kMul);
  ASSERT_EQ(mul.lhs->kind, NodeKind::kUnary);
  const auto& pow = As<BinaryExpr>(*As<UnaryExpr>(*mul.lhs).expr);
  EXPECT_EQ(pow.op, BinaryOp::kPow);
  EXPECT_EQ(As<NumberLiteral>(*pow.rhs).value, -1);
  e = MustParse("a * b atan2 c == bool d unless e");
  EXPECT_EQ(As<BinaryExpr>(*e).op, BinaryOp::kUnless);
  e = MustParse("1 - -1");
  EXPECT_EQ(As<NumberLiteral>(*As<BinaryExpr>(*e).rhs).value, -1);
}

TEST(ParserTest, VectorMatching) {
  ExprPtr e = MustParse("a + b");
  ASSERT_TRUE(As<BinaryExpr>(*e).matching.has_value());
  EXPECT_EQ(As<BinaryExpr>(*e).matching->card, Cardinality::kOneToOne);
  EXPECT_FALSE(As<BinaryExpr>(*e).matching->on);
  EXPECT_TRUE(As<BinaryExpr>(*e).matching->labels.empty());

  e = MustParse("a * on (x, y) group_left (z) b");
  const VectorMatching& m = *As<BinaryExpr>(*e).matching;
  EXPECT_TRUE(m.on);
  EXPECT_EQ(m.card, Cardinality::kManyToOne);
  EXPECT_EQ(m.labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(m.include, (std::vector<std::string>{"z"}));

  e = MustParse("a / ignoring (x) group_right b");
  EXPECT_EQ(As<BinaryExpr>(*e).matching->card, Cardinality::kOneToMany);
  EXPECT_TRUE(As<BinaryExpr>(*e).matching->include.empty());

  for (const char* q : {"a and b", "a or on (x) b", "a unless ignoring (y) b"}) {
    e = MustParse(q);
    ASSERT_TRUE(As<BinaryExpr>(*e).matching.has_value()) << q;
    EXPECT_EQ(As<BinaryExpr>(*e).matching->card, Cardinality::kManyToMany) << q;
  }
  // No matching unless both sides are instant vectors.
  for (const char* q : {"1 + 2", "a + 1", "1 + on () a", "2 > bool a"}) {
    e = MustParse(q);
    EXPECT_FALSE(As<BinaryExpr>(*e).matching.has_value()) << q;
  }
  e = MustParse("a > bool b");
  EXPECT_TRUE(As<BinaryExpr>(*e).return_bool);
}

TEST(ParserTest, CallsAndAggregations) {
  ExprPtr e = MustParse("label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")");
  const auto& call = As<Call>(*e);
  ASSERT_NE(call.func, nullptr);
  EXPECT_EQ(call.func->id, Function::kLabelJoin);
  EXPECT_EQ(call.args.size(), 6u);
  EXPECT_EQ(TypeOf(*e), ValueType::kVector);

  e = MustParse("topk(5, x) by (a, b)");
  const auto& agg = As<AggregateExpr>(*e);
  EXPECT_EQ(agg.op, AggregateOp::kTopK);
  EXPECT_EQ(agg.grouping, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(agg.without);
  ASSERT_NE(agg.param, nullptr);
  EXPECT_EQ(agg.param->kind, NodeKind::kNumberLiteral);
  EXPECT_EQ(agg.expr->kind, NodeKind::kVectorSelector);
  EXPECT_EQ(agg.pos.end, 20);

  e = MustParse("COUNT_VALUES without () (\"v\", x)");
  EXPECT_EQ(As<AggregateExpr>(*e).op, AggregateOp::kCountValues);
  EXPECT_TRUE(As<AggregateExpr>(*e).without);
  e = MustParse("sum by (on, bool, group_left) (x)");
  EXPECT_EQ(As<AggregateExpr>(*e).grouping.size(), 3u);
}

TEST(ParserTest, TypeOf) {
  struct Case {
    const char* q;
    ValueType t;
  } cases[] = {{"1", ValueType::kScalar},         {"\"s\"", ValueType::kString},
               {"x", ValueType::kVector},         {"x[5m]", ValueType::kMatrix},
               {"x[5m:]", ValueType::kMatrix},    {"(1)", ValueType::kScalar},
               {"-x", ValueType::kVector},        {"1 + 1", ValueType::kScalar},
               {"1 + x", ValueType::kVector},     {"time()", ValueType::kScalar},
               {"scalar(x)", ValueType::kScalar}, {"vector(1)", ValueType::kVector},
               {"sum(x)", ValueType::kVector},    {"1 == bool 2", ValueType::kScalar}};
  for (const Case& c : cases) EXPECT_EQ(TypeOf(*MustParse(c.q)), c.t) << c.q;
  EXPECT_STREQ(ValueTypeDocName(ValueType::kMatrix), "range vector");
  EXPECT_STREQ(ValueTypeApiName(ValueType::kMatrix), "matrix");
}

TEST(ParserTest, FunctionTable) {
  struct Case {
    const char* name;
    size_t args;
    int variadic;
    ValueType ret;
  } cases[] = {{"round", 2, 1, ValueType::kVector},
               {"label_join", 4, -1, ValueType::kVector},
               {"year", 1, 1, ValueType::kVector},
               {"days_in_month", 1, 1, ValueType::kVector},
               {"time", 0, 0, ValueType::kScalar},
               {"pi", 0, 0, ValueType::kScalar},
               {"scalar", 1, 0, ValueType::kScalar},
               {"vector", 1, 0, ValueType::kVector},
               {"histogram_fraction", 3, 0, ValueType::kVector},
               {"holt_winters", 3, 0, ValueType::kVector},
               {"label_replace", 5, 0, ValueType::kVector},
               {"quantile_over_time", 2, 0, ValueType::kVector}};
  for (const Case& c : cases) {
    const FunctionInfo* f = LookupFunction(c.name);
    ASSERT_NE(f, nullptr) << c.name;
    EXPECT_EQ(f->name, c.name);
    EXPECT_EQ(f->arg_types.size(), c.args) << c.name;
    EXPECT_EQ(f->variadic, c.variadic) << c.name;
    EXPECT_EQ(f->return_type, c.ret) << c.name;
  }
  EXPECT_EQ(LookupFunction("histogram_quantile")->arg_types,
            (std::vector<ValueType>{ValueType::kScalar, ValueType::kVector}));
  EXPECT_EQ(LookupFunction("rate")->arg_types, (std::vector<ValueType>{ValueType::kMatrix}));
  EXPECT_EQ(LookupFunction("nope"), nullptr);
  EXPECT_EQ(LookupFunction("Rate"), nullptr);  // function names are case-sensitive
  // Every Function id has exactly one entry.
  std::set<int> ids;
  const char* names[] = {"abs",
                         "absent",
                         "absent_over_time",
                         "acos",
                         "acosh",
                         "asin",
                         "asinh",
                         "atan",
                         "atanh",
                         "avg_over_time",
                         "ceil",
                         "changes",
                         "clamp",
                         "clamp_max",
                         "clamp_min",
                         "cos",
                         "cosh",
                         "count_over_time",
                         "days_in_month",
                         "day_of_month",
                         "day_of_week",
                         "day_of_year",
                         "deg",
                         "delta",
                         "deriv",
                         "exp",
                         "floor",
                         "histogram_count",
                         "histogram_fraction",
                         "histogram_quantile",
                         "histogram_sum",
                         "holt_winters",
                         "hour",
                         "idelta",
                         "increase",
                         "irate",
                         "label_join",
                         "label_replace",
                         "last_over_time",
                         "ln",
                         "log10",
                         "log2",
                         "max_over_time",
                         "min_over_time",
                         "minute",
                         "month",
                         "pi",
                         "predict_linear",
                         "present_over_time",
                         "quantile_over_time",
                         "rad",
                         "rate",
                         "resets",
                         "round",
                         "scalar",
                         "sgn",
                         "sin",
                         "sinh",
                         "sort",
                         "sort_desc",
                         "sqrt",
                         "stddev_over_time",
                         "stdvar_over_time",
                         "sum_over_time",
                         "tan",
                         "tanh",
                         "time",
                         "timestamp",
                         "vector",
                         "year"};
  for (const char* n : names) {
    ASSERT_NE(LookupFunction(n), nullptr) << n;
    ids.insert(static_cast<int>(LookupFunction(n)->id));
  }
  EXPECT_EQ(ids.size(), std::size(names));
  EXPECT_EQ(ids.size(), static_cast<size_t>(Function::kYear) + 1);
}

TEST(ParserTest, MetricSelectorEntryPoint) {
  auto vs = ParseMetricSelector("up{job=~\"a|b\"}");
  ASSERT_TRUE(vs.ok());
  ASSERT_EQ((*vs)->matchers.size(), 2u);
  EXPECT_EQ((*vs)->matchers[0].name(), "__name__");
  // Like Prometheus' ParseMetricSelector: no type checks, selectors only.
  EXPECT_TRUE(ParseMetricSelector("{}").ok());
  EXPECT_TRUE(ParseMetricSelector("sum").ok());
  auto bad = [](std::string_view in) {
    auto r = ParseMetricSelector(in);
    return r.ok() ? "OK" : std::string(r.status().message());
  };
  EXPECT_EQ(bad(""), "1:1: parse error: unexpected end of input");
  EXPECT_EQ(bad("foo bar"), "1:5: parse error: unexpected identifier \"bar\"");
  EXPECT_EQ(bad("foo[5m]"), "1:4: parse error: unexpected \"[\"");
  EXPECT_EQ(bad("on"), "1:1: parse error: unexpected <on>");
  EXPECT_EQ(bad("foo{a=}"),
            "1:7: parse error: unexpected \"}\" in label matching, expected string");
  EXPECT_EQ(bad("rate(x[5m])"), "1:5: parse error: unexpected \"(\"");
}

TEST(ParserTest, UnquotePromString) {
  EXPECT_EQ(*UnquotePromString("\"a\\nb\""), "a\nb");
  EXPECT_EQ(*UnquotePromString("'it\\'s'"), "it's");
  EXPECT_EQ(*UnquotePromString("`c:\\dir`"), "c:\\dir");
  EXPECT_FALSE(UnquotePromString("\"unterminated").ok());
  EXPECT_FALSE(UnquotePromString("plain").ok());
}

TEST(ParserTest, PositionsAndLines) {
  EXPECT_EQ(Error("foo +\n  bar{a=}"),
            "2:9: parse error: unexpected \"}\" in label matching, expected string");
  EXPECT_EQ(Error("a\n+\n# comment\nb +"), "4:4: parse error: unexpected end of input");
  ExprPtr e = MustParse("sum(rate(x[5m])) + 1");
  const auto& b = As<BinaryExpr>(*e);
  EXPECT_EQ(b.pos.start, 0);
  EXPECT_EQ(b.pos.end, 20);
  EXPECT_EQ(b.lhs->pos.end, 16);
  const auto& call = As<Call>(*As<AggregateExpr>(*b.lhs).expr);
  EXPECT_EQ(call.pos.start, 4);
  EXPECT_EQ(call.pos.end, 15);
  EXPECT_EQ(call.args[0]->pos.start, 9);
  EXPECT_EQ(call.args[0]->pos.end, 14);
}

TEST(ParserTest, HostileNestingIsBoundedNotFatal) {
  std::string deep(100000, '(');
  EXPECT_EQ(Error(deep), "1:257: parse error: expression nesting too deep (more than 256 levels)");
  std::string signs(100000, '-');
  signs += "1";
  EXPECT_EQ(Error(signs), "1:257: parse error: expression nesting too deep (more than 256 levels)");
  std::string pow = "1";
  for (int i = 0; i < 300; ++i) pow += "^1";
  EXPECT_NE(Error(pow).find("nesting too deep"), std::string::npos);
  std::string nested_ok;
  for (int i = 0; i < 200; ++i) nested_ok += "abs(";
  nested_ok += "x";
  nested_ok += std::string(200, ')');
  EXPECT_EQ(Error(nested_ok), "OK");
  // Long left-associative chains do not recurse while parsing but still build deep trees.
  std::string chain = "x";
  for (int i = 0; i < 2000; ++i) chain += " + x";
  EXPECT_EQ(Error(chain), "OK");
  for (int i = 0; i < 100; ++i) chain += " + x";
  EXPECT_NE(Error(chain).find("nesting too deep (more than 2048 levels)"), std::string::npos);
  std::string huge(5 << 20, ' ');
  EXPECT_EQ(Error(huge).substr(0, 36), "1:1: parse error: query too long (52");
}

TEST(ParserTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string alphabet = "()[]{}\"'`,:@+-*/%^=!<>~ #\n0123456789.exmhdwysabcdfgo_\\\xff\xc3";
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    int len = static_cast<int>(rng() % 40);
    for (int j = 0; j < len; ++j) q.push_back(alphabet[rng() % alphabet.size()]);
    auto r = ParseExpr(q);
    if (r.ok()) {
      EXPECT_TRUE(ParseExpr(ToString(**r)).ok()) << q;
      (void)Prettify(**r);
    } else {
      EXPECT_NE(std::string(r.status().message()).find("parse error: "), std::string::npos);
    }
    (void)ParseMetricSelector(q);
  }
}

TEST(ParserTest, SelectorsListsEverySelectorInOrder) {
  auto e = ParseExpr("sum(rate(a[5m])) / on() group_left b + max_over_time(c{x=\"y\"}[1h:])");
  ASSERT_TRUE(e.ok()) << e.status();
  std::vector<std::string> names;
  for (const VectorSelector* vs : Selectors(**e)) names.push_back(vs->name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(Selectors(**ParseExpr("1 + 2")).empty());
}

}  // namespace
}  // namespace vigil::promql
