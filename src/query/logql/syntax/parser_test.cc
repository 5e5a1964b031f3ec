#include "query/logql/syntax/parser.h"

#include <string>

#include "gtest/gtest.h"
#include "query/logql/syntax/ast.h"

namespace vigil::logql {
namespace {

ExprPtr MustParse(const std::string& q) {
  auto e = ParseLogQL(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? std::move(*e) : nullptr;
}

const LogSelectorExpr& AsSelector(const Expr& e) {
  EXPECT_EQ(e.kind, NodeKind::kLogSelector);
  return static_cast<const LogSelectorExpr&>(e);
}

template <typename T>
const T& StageAs(const LogSelectorExpr& s, size_t i) {
  EXPECT_LT(i, s.pipeline.size());
  EXPECT_TRUE(std::holds_alternative<T>(s.pipeline[i])) << "stage " << i;
  return std::get<T>(s.pipeline[i]);
}

// The single label filter stage of `{a="b"} | <filter>`.
LabelFilter Filter(const std::string& f) {
  ExprPtr e = MustParse(R"q({a="b"} | )q" + f);
  if (!e) return {};
  return StageAs<LabelFilter>(AsSelector(*e), 0);
}

TEST(ParserTest, StreamSelector) {
  ExprPtr e = MustParse(R"q({app="x", env=~"prod|dev", ns!="a", c!~"b.*"})q");
  const auto& s = AsSelector(*e);
  ASSERT_EQ(s.matchers.size(), 4u);
  EXPECT_EQ(s.matchers[0].type(), MatchType::kEqual);
  EXPECT_EQ(s.matchers[0].name(), "app");
  EXPECT_EQ(s.matchers[1].type(), MatchType::kRegexMatch);
  EXPECT_TRUE(s.matchers[1].Matches("dev"));
  EXPECT_EQ(s.matchers[2].type(), MatchType::kNotEqual);
  EXPECT_EQ(s.matchers[3].type(), MatchType::kRegexNoMatch);
  EXPECT_TRUE(s.pipeline.empty());
  EXPECT_FALSE(s.unwrap.has_value());
  EXPECT_EQ(s.pos.start, 0);
  EXPECT_FALSE(IsMetricQuery(*e));
}

TEST(ParserTest, LineFilters) {
  ExprPtr e = MustParse(
      R"q({a="b"} |= "err" or "warn" != "x" or "y" |~ "t\\d+" !~ `(?i)debug` |> "<_> ok" !> "no" |= ip("10.0.0.0/8"))q");
  const auto& s = AsSelector(*e);
  ASSERT_EQ(s.pipeline.size(), 7u);
  const auto& f0 = StageAs<LineFilter>(s, 0);
  EXPECT_EQ(f0.op, LineFilterOp::kContains);
  ASSERT_EQ(f0.values.size(), 2u);
  EXPECT_EQ(f0.values[0].value, "err");
  EXPECT_EQ(f0.values[1].value, "warn");
  const auto& f1 = StageAs<LineFilter>(s, 1);
  EXPECT_EQ(f1.op, LineFilterOp::kNotContains);
  EXPECT_TRUE(IsNegative(f1.op));
  EXPECT_EQ(f1.values.size(), 2u);
  const auto& f2 = StageAs<LineFilter>(s, 2);
  EXPECT_EQ(f2.op, LineFilterOp::kMatch);
  ASSERT_NE(f2.values[0].re, nullptr);
  EXPECT_TRUE(RE2::PartialMatch("at t42 now", *f2.values[0].re));  // unanchored
  const auto& f3 = StageAs<LineFilter>(s, 3);
  EXPECT_EQ(f3.values[0].value, "(?i)debug");
  EXPECT_TRUE(RE2::PartialMatch("DEBUG", *f3.values[0].re));
  EXPECT_EQ(StageAs<LineFilter>(s, 4).op, LineFilterOp::kPattern);
  EXPECT_EQ(StageAs<LineFilter>(s, 5).op, LineFilterOp::kNotPattern);
  const auto& f6 = StageAs<LineFilter>(s, 6);
  EXPECT_TRUE(f6.values[0].is_ip);
  EXPECT_TRUE(f6.HasIp());
  EXPECT_EQ(f6.values[0].value, "10.0.0.0/8");
}

TEST(ParserTest, IpMayStartOrEndAnOrChain) {
  ExprPtr owner = MustParse(R"q({a="b"} |= ip("1.2.3.4") or "x" or ip("::1"))q");
  const auto& s = AsSelector(*owner);
  const auto& f = StageAs<LineFilter>(s, 0);
  ASSERT_EQ(f.values.size(), 3u);
  EXPECT_TRUE(f.values[0].is_ip);
  EXPECT_FALSE(f.values[1].is_ip);
  EXPECT_TRUE(f.values[2].is_ip);
}

TEST(ParserTest, Parsers) {
  ExprPtr e = MustParse(
      R"q({a="b"} | json | json x="a.b", y, z="arr[2]", w="[\"k y\"].c" | logfmt | logfmt --strict --keep-empty p, q="r" | unpack | decolorize)q");
  const auto& s = AsSelector(*e);
  ASSERT_EQ(s.pipeline.size(), 6u);
  EXPECT_TRUE(StageAs<JsonParser>(s, 0).extractions.empty());
  const auto& j = StageAs<JsonParser>(s, 1);
  ASSERT_EQ(j.extractions.size(), 4u);
  EXPECT_EQ(j.extractions[0].label, "x");
  ASSERT_EQ(j.extractions[0].parts.size(), 2u);
  EXPECT_EQ(j.extractions[0].parts[1].key, "b");
  EXPECT_EQ(j.extractions[1].path, "y");
  ASSERT_EQ(j.extractions[2].parts.size(), 2u);
  EXPECT_TRUE(j.extractions[2].parts[1].is_index);
  EXPECT_EQ(j.extractions[2].parts[1].index, 2);
  ASSERT_EQ(j.extractions[3].parts.size(), 2u);
  EXPECT_EQ(j.extractions[3].parts[0].key, "k y");
  EXPECT_EQ(j.extractions[3].parts[1].key, "c");
  const auto& l0 = StageAs<LogfmtParser>(s, 2);
  EXPECT_FALSE(l0.strict);
  EXPECT_TRUE(l0.extractions.empty());
  const auto& l1 = StageAs<LogfmtParser>(s, 3);
  EXPECT_TRUE(l1.strict);
  EXPECT_TRUE(l1.keep_empty);
  ASSERT_EQ(l1.extractions.size(), 2u);
  EXPECT_EQ(l1.extractions[0].key, "p");
  EXPECT_EQ(l1.extractions[1].label, "q");
  EXPECT_EQ(l1.extractions[1].key, "r");
  StageAs<Unpack>(s, 4);
  StageAs<Decolorize>(s, 5);
}

TEST(ParserTest, RegexpAndPattern) {
  ExprPtr owner = MustParse(
      R"q({a="b"} | regexp "(?P<method>\\w+) (?P<path>[\\w/]+)" | pattern "<ip> - <_> \"<method> <uri>\" <status>")q");
  const auto& s = AsSelector(*owner);
  const auto& r = StageAs<RegexpParser>(s, 0);
  ASSERT_NE(r.re, nullptr);
  EXPECT_EQ(r.re->NamedCapturingGroups().size(), 2u);
  const auto& p = StageAs<PatternParser>(s, 1);
  ASSERT_EQ(p.parts.size(), 9u);
  EXPECT_TRUE(p.parts[0].capture);
  EXPECT_EQ(p.parts[0].text, "ip");
  EXPECT_FALSE(p.parts[1].capture);
  EXPECT_EQ(p.parts[1].text, " - ");
  EXPECT_EQ(p.parts[2].text, "_");
  EXPECT_EQ(p.parts[3].text, " \"");
  EXPECT_EQ(p.parts[8].text, "status");
}

TEST(ParserTest, FormattersAndDropKeep) {
  ExprPtr owner = MustParse(
      R"q({a="b"} | line_format "{{.msg}}" | label_format dst=src, t="{{.x}}" | drop a, b="v", c=~"r.*" | keep d, e!="w")q");
  const auto& s = AsSelector(*owner);
  EXPECT_EQ(StageAs<LineFormat>(s, 0).tmpl, "{{.msg}}");
  const auto& lf = StageAs<LabelFormat>(s, 1);
  ASSERT_EQ(lf.items.size(), 2u);
  EXPECT_EQ(lf.items[0].dst, "dst");
  EXPECT_EQ(lf.items[0].value, "src");
  EXPECT_FALSE(lf.items[0].is_template);
  EXPECT_TRUE(lf.items[1].is_template);
  const auto& d = StageAs<DropLabels>(s, 2);
  ASSERT_EQ(d.labels.size(), 3u);
  EXPECT_FALSE(d.labels[0].matcher.has_value());
  ASSERT_TRUE(d.labels[2].matcher.has_value());
  EXPECT_EQ(d.labels[2].name, "c");
  EXPECT_TRUE(d.labels[2].matcher->Matches("rx"));
  const auto& k = StageAs<KeepLabels>(s, 3);
  ASSERT_EQ(k.labels.size(), 2u);
  EXPECT_EQ(k.labels[1].matcher->type(), MatchType::kNotEqual);
}

TEST(ParserTest, LabelFilterLeaves) {
  LabelFilter f = Filter(
      R"q(s="x" t=~"a|b" n>=500 m==-1.5 d>1h30m u<250us sz<=1.5KiB z>20MB i=ip("10.0.0.0/8") j!=ip("::1") k=5)q");
  ASSERT_EQ(f.kind, LabelFilter::Kind::kAnd);
  ASSERT_EQ(f.children.size(), 11u);
  const auto leaf = [&](size_t i) { return f.children[i].leaf; };
  EXPECT_EQ(leaf(0).kind, LabelValueKind::kString);
  EXPECT_EQ(leaf(0).matcher.type(), MatchType::kEqual);
  EXPECT_TRUE(leaf(1).matcher.Matches("b"));
  EXPECT_FALSE(leaf(1).matcher.Matches("ab"));  // anchored, as Loki's label filters are
  EXPECT_EQ(leaf(2).kind, LabelValueKind::kNumber);
  EXPECT_EQ(leaf(2).op, CompareOp::kGte);
  EXPECT_EQ(leaf(2).number, 500);
  EXPECT_EQ(leaf(3).number, -1.5);
  EXPECT_EQ(leaf(3).op, CompareOp::kEq);
  EXPECT_EQ(leaf(4).kind, LabelValueKind::kDuration);
  EXPECT_EQ(leaf(4).duration_ns, 5400000000000);
  EXPECT_EQ(leaf(5).duration_ns, 250000);
  EXPECT_EQ(leaf(6).kind, LabelValueKind::kBytes);
  EXPECT_EQ(leaf(6).name, "sz");
  EXPECT_EQ(leaf(6).bytes, 1536u);
  EXPECT_EQ(leaf(7).bytes, 20000000u);
  EXPECT_EQ(leaf(8).kind, LabelValueKind::kIp);
  EXPECT_EQ(leaf(8).op, CompareOp::kEq);
  EXPECT_EQ(leaf(8).ip, "10.0.0.0/8");
  EXPECT_EQ(leaf(9).op, CompareOp::kNeq);
  EXPECT_EQ(leaf(10).kind, LabelValueKind::kNumber);  // `=` with a number compares numbers
}

TEST(ParserTest, LabelFilterPrecedence) {
  // and binds tighter than or.
  LabelFilter f = Filter(R"q(duration > 10s and status >= 500 or method="GET")q");
  ASSERT_EQ(f.kind, LabelFilter::Kind::kOr);
  ASSERT_EQ(f.children.size(), 2u);
  EXPECT_EQ(f.children[0].kind, LabelFilter::Kind::kAnd);
  EXPECT_EQ(f.children[1].leaf.name, "method");
  f = Filter(R"q(a="1" or b="2" and c="3")q");
  ASSERT_EQ(f.kind, LabelFilter::Kind::kOr);
  EXPECT_EQ(f.children[1].kind, LabelFilter::Kind::kAnd);
  // `,` and juxtaposition mean and, taking everything to their right (Loki's grammar).
  f = Filter(R"q(a="1", b="2" or c="3")q");
  ASSERT_EQ(f.kind, LabelFilter::Kind::kAnd);
  EXPECT_EQ(f.children[0].leaf.name, "a");
  EXPECT_EQ(f.children[1].kind, LabelFilter::Kind::kOr);
  f = Filter(R"q(a="1" or b="2" c="3")q");
  ASSERT_EQ(f.kind, LabelFilter::Kind::kOr);
  EXPECT_EQ(f.children[1].kind, LabelFilter::Kind::kAnd);
  // Parentheses group; same-kind operations flatten.
  f = Filter(R"q((a="1" or b="2") and c="3" and (d="4" and e="5"))q");
  ASSERT_EQ(f.kind, LabelFilter::Kind::kAnd);
  ASSERT_EQ(f.children.size(), 4u);
  EXPECT_EQ(f.children[0].kind, LabelFilter::Kind::kOr);
  f = Filter(R"q(a="1" or b="2" or c="3")q");
  EXPECT_EQ(f.children.size(), 3u);
}

TEST(ParserTest, FunctionWordsAndCaseInsensitiveKeywords) {
  // Function names are identifiers unless a call follows; keywords ignore case.
  ExprPtr e = MustParse(R"q(SUM BY (rate) (RATE({rate="x"} | Json | sum > 1 | bytes=5 [5m])))q");
  ASSERT_EQ(e->kind, NodeKind::kVectorAggregation);
  const auto& v = static_cast<const VectorAggregationExpr&>(*e);
  EXPECT_EQ(v.grouping.labels, std::vector<std::string>{"rate"});
  const auto& r = static_cast<const RangeAggregationExpr&>(*v.expr);
  EXPECT_EQ(r.op, RangeOp::kRate);
  EXPECT_EQ(r.selector->matchers[0].name(), "rate");
  EXPECT_EQ(r.selector->pipeline.size(), 3u);
}

TEST(ParserTest, RangeAggregations) {
  ExprPtr e = MustParse(
      R"q(quantile_over_time(0.99, {app="x"} | json | unwrap duration(latency) | __error__="" [5m] offset 1h) by (route))q");
  ASSERT_EQ(e->kind, NodeKind::kRangeAggregation);
  const auto& r = static_cast<const RangeAggregationExpr&>(*e);
  EXPECT_EQ(r.op, RangeOp::kQuantileOverTime);
  ASSERT_TRUE(r.param.has_value());
  EXPECT_EQ(*r.param, 0.99);
  EXPECT_EQ(r.range_ns, 300000000000);
  EXPECT_EQ(r.offset_ns, 3600000000000);
  ASSERT_TRUE(r.grouping.has_value());
  EXPECT_FALSE(r.grouping->without);
  EXPECT_EQ(r.grouping->labels, std::vector<std::string>{"route"});
  ASSERT_TRUE(r.selector->unwrap.has_value());
  EXPECT_EQ(r.selector->unwrap->label, "latency");
  EXPECT_EQ(r.selector->unwrap->conversion, UnwrapConversion::kDuration);
  EXPECT_EQ(r.selector->unwrap->post_filters.size(), 1u);
  EXPECT_EQ(r.selector->pipeline.size(), 1u);
  EXPECT_TRUE(IsMetricQuery(*e));

  // Every place Loki's grammar lets the range, offset, pipeline and unwrap go.
  const char* same[] = {
      R"q(sum_over_time({a="b"} |= "x" | unwrap bytes(v) [5m] offset -1m))q",
      R"q(sum_over_time({a="b"}[5m] offset -1m |= "x" | unwrap bytes(v)))q",
      R"q(sum_over_time(({a="b"} |= "x" | unwrap bytes(v))[5m] offset -1m))q",
      R"q(sum_over_time((({a="b"} |= "x" | unwrap bytes(v) [5m] offset -1m))))q",
  };
  ExprPtr first = MustParse(same[0]);
  for (const char* q : same) {
    ExprPtr x = MustParse(q);
    ASSERT_TRUE(x);
    EXPECT_TRUE(Equal(*first, *x)) << q;
  }
  const auto& r2 = static_cast<const RangeAggregationExpr&>(*first);
  EXPECT_EQ(r2.offset_ns, -60000000000);
  EXPECT_EQ(r2.selector->unwrap->conversion, UnwrapConversion::kBytes);
  ExprPtr u = MustParse(R"q(rate({a="b"} | unwrap v [1m]))q");
  EXPECT_TRUE(static_cast<const RangeAggregationExpr&>(*u).selector->unwrap.has_value());
  MustParse(R"q(rate({a="b"}[1m] | unwrap v))q");
  MustParse(R"q(rate({a="b"}[1m] offset 5m | unwrap duration_seconds(v)))q");
  MustParse(R"q(absent_over_time({a="b"}[1m]))q");
  MustParse(R"q(rate_counter({a="b"} | unwrap v [1m]))q");
  MustParse(R"q(first_over_time({a="b"} | unwrap v [1m]) without (x))q");
}

TEST(ParserTest, VectorAggregations) {
  ExprPtr a =
      MustParse(R"q(sum by (level) (count_over_time({service="checkout"} |= "error" [5m])))q");
  ExprPtr b =
      MustParse(R"q(sum(count_over_time({service="checkout"} |= "error" [5m])) by (level))q");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(Equal(*a, *b));
  const auto& v = static_cast<const VectorAggregationExpr&>(*a);
  EXPECT_EQ(v.op, VectorOp::kSum);
  EXPECT_EQ(v.grouping.labels, std::vector<std::string>{"level"});
  ExprPtr t = MustParse(R"q(topk by (x) (10, rate({a="b"}[1m])))q");
  EXPECT_EQ(static_cast<const VectorAggregationExpr&>(*t).param, 10);
  ExprPtr t2 = MustParse(R"q(bottomk(3, rate({a="b"}[1m])) without (y))q");
  EXPECT_TRUE(static_cast<const VectorAggregationExpr&>(*t2).grouping.without);
  for (const char* op : {"avg", "min", "max", "count", "stddev", "stdvar", "sort", "sort_desc"}) {
    MustParse(std::string(op) + R"q((rate({a="b"}[1m])))q");
  }
  MustParse(R"q(sort(rate({a="b"}[1m])) by ())q");
  MustParse("sum(vector(1))");
  MustParse("sum(1)");
}

TEST(ParserTest, BinaryOperations) {
  ExprPtr e =
      MustParse(R"q(sum(rate({a="b"} |= "err" [5m])) / sum(rate({a="b"}[5m])) * 100 > bool 5)q");
  ASSERT_EQ(e->kind, NodeKind::kBinary);
  const auto& cmp = static_cast<const BinaryExpr&>(*e);
  EXPECT_EQ(cmp.op, BinaryOp::kGtr);
  EXPECT_TRUE(cmp.return_bool);
  const auto& mul = static_cast<const BinaryExpr&>(*cmp.lhs);
  EXPECT_EQ(mul.op, BinaryOp::kMul);
  EXPECT_EQ(static_cast<const BinaryExpr&>(*mul.lhs).op, BinaryOp::kDiv);
  EXPECT_EQ(Selectors(*e).size(), 2u);

  ExprPtr m = MustParse(
      R"q(rate({a="b"}[1m]) + on (x, y) group_left (z) rate({a="c"}[1m]) - ignoring () group_right rate({a="d"}[1m]))q");
  const auto& sub = static_cast<const BinaryExpr&>(*m);
  EXPECT_EQ(sub.op, BinaryOp::kSub);
  EXPECT_EQ(sub.matching.card, Cardinality::kOneToMany);
  EXPECT_FALSE(sub.matching.on);
  const auto& add = static_cast<const BinaryExpr&>(*sub.lhs);
  EXPECT_TRUE(add.matching.on);
  EXPECT_EQ(add.matching.labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(add.matching.include, std::vector<std::string>{"z"});
  EXPECT_EQ(add.matching.card, Cardinality::kManyToOne);

  ExprPtr p = MustParse("vector(2) ^ vector(3) ^ vector(4)");
  EXPECT_EQ(static_cast<const BinaryExpr&>(*p).rhs->kind, NodeKind::kBinary);  // right-assoc
  ExprPtr l = MustParse("vector(2) - vector(3) - vector(4)");
  EXPECT_EQ(static_cast<const BinaryExpr&>(*l).lhs->kind, NodeKind::kBinary);  // left-assoc
  ExprPtr s = MustParse("vector(1) or vector(2) and vector(3) unless vector(4)");
  EXPECT_EQ(static_cast<const BinaryExpr&>(*s).op, BinaryOp::kOr);
}

TEST(ParserTest, LiteralsFoldAndVector) {
  ExprPtr e = MustParse("(1 + 2) * -3");
  ASSERT_EQ(e->kind, NodeKind::kLiteral);
  EXPECT_EQ(static_cast<const LiteralExpr&>(*e).value, -9);
  ExprPtr v = MustParse("vector(0.5)");
  ASSERT_EQ(v->kind, NodeKind::kVector);
  EXPECT_EQ(static_cast<const VectorExpr&>(*v).value, 0.5);
  ExprPtr lr = MustParse(R"q(label_replace(vector(1), "dst", "$1", "src", "a(.*)"))q");
  const auto& r = static_cast<const LabelReplaceExpr&>(*lr);
  ASSERT_NE(r.re, nullptr);
  EXPECT_TRUE(RE2::FullMatch("abc", *r.re));
  EXPECT_FALSE(RE2::FullMatch("xabc", *r.re));  // anchored
  EXPECT_EQ(r.replacement, "$1");
}

TEST(ParserTest, CommentsAndWhitespace) {
  ExprPtr a = MustParse("sum(\n  rate({a=\"b\"} # the stream\n    |= \"x\" [5m]\n  )\n)");
  ExprPtr b = MustParse(R"q(sum(rate({a="b"} |= "x" [5m])))q");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(Equal(*a, *b));
}

TEST(ParserTest, ParseLogSelector) {
  auto s = ParseLogSelector(R"q({a="b"} | json)q");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->pipeline.size(), 1u);
  auto m = ParseLogSelector(R"q(rate({a="b"}[1m]))q");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "only log selector is supported");
}

TEST(ParserTest, HostileInputIsBounded) {
  // Long flat chains parse without deep recursion and flatten.
  std::string q = R"q({a="b"} | x0="0")q";
  for (int i = 1; i < 5000; ++i) q += ", x" + std::to_string(i) + "=\"" + std::to_string(i) + "\"";
  ExprPtr e = MustParse(q);
  ASSERT_TRUE(e);
  const auto& f = StageAs<LabelFilter>(AsSelector(*e), 0);
  EXPECT_EQ(f.children.size(), 5000u);
  std::string sum = "vector(1)";
  for (int i = 0; i < 1000; ++i) sum += " + vector(1)";
  EXPECT_TRUE(ParseLogQL(sum).ok());
  // Alternating and/or chains grow trees in depth: capped.
  std::string alt = R"q({a="b"} | x="0")q";
  for (int i = 0; i < 3000; ++i) alt += (i % 2 ? " or " : ", ") + std::string("x=\"1\"");
  auto r = ParseLogQL(alt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting too deep"), std::string::npos);
  std::string deep(300, '(');
  deep += "vector(1)" + std::string(300, ')');
  EXPECT_FALSE(ParseLogQL(deep).ok());
  std::string parens =
      R"q({a="b"} | )q" + std::string(300, '(') + "x=\"1\"" + std::string(300, ')');
  EXPECT_FALSE(ParseLogQL(parens).ok());
  std::string big = R"q({a="b"} |= ")q" + std::string(131072, 'x') + "\"";
  auto b = ParseLogQL(big);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "parse error : input size too long (" + std::to_string(big.size()) + " > 131072)");
}

}  // namespace
}  // namespace vigil::logql
