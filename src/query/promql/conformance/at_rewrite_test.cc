#include "query/promql/conformance/at_rewrite.h"

#include <gtest/gtest.h>

#include "query/promql/syntax/function_info.h"

namespace vigil::promql::conformance {
namespace {

// Trees built by hand: this library does not depend on the parser.
const FunctionInfo kRate{Function::kRate, "rate", {ValueType::kMatrix}, 0, ValueType::kVector};
const FunctionInfo kTime{Function::kTime, "time", {}, 0, ValueType::kScalar};
const FunctionInfo kTimestamp{
    Function::kTimestamp, "timestamp", {ValueType::kVector}, 0, ValueType::kVector};
const FunctionInfo kAbs{Function::kAbs, "abs", {ValueType::kVector}, 0, ValueType::kVector};

std::unique_ptr<VectorSelector> Sel(AtKind at = AtKind::kNone, int64_t at_ms = 0) {
  auto s = std::make_unique<VectorSelector>();
  s->name = "m";
  s->mods.at = at;
  s->mods.at_ms = at_ms;
  return s;
}

std::unique_ptr<MatrixSelector> Range(std::unique_ptr<VectorSelector> s) {
  auto m = std::make_unique<MatrixSelector>();
  m->selector = std::move(s);
  m->range_ms = 300000;
  return m;
}

std::unique_ptr<Call> CallOf(const FunctionInfo* f, ExprPtr arg = nullptr) {
  auto c = std::make_unique<Call>();
  c->func = f;
  if (arg) c->args.push_back(std::move(arg));
  return c;
}

std::unique_ptr<Subquery> Sub(ExprPtr inner, AtKind at = AtKind::kNone, int64_t at_ms = 0) {
  auto s = std::make_unique<Subquery>();
  s->expr = std::move(inner);
  s->range_ms = 600000;
  s->mods.at = at;
  s->mods.at_ms = at_ms;
  return s;
}

TEST(AtRewriteTest, SelectorsGetTheEvalTime) {
  auto sel = Sel();
  auto* raw = sel.get();
  EXPECT_TRUE(InjectAtModifier(*sel, 3000));
  EXPECT_EQ(raw->mods.at, AtKind::kTimestamp);
  EXPECT_EQ(raw->mods.at_ms, 3000);

  // rate(m[5m]) + on() abs(-(m @ 100)), with a fixed @ kept and @ start() replaced.
  auto bin = std::make_unique<BinaryExpr>();
  auto inner_range = Sel(AtKind::kStart);
  auto* range_sel = inner_range.get();
  bin->lhs = CallOf(&kRate, Range(std::move(inner_range)));
  auto neg = std::make_unique<UnaryExpr>();
  auto fixed = Sel(AtKind::kTimestamp, 100);
  auto* fixed_raw = fixed.get();
  auto paren = std::make_unique<ParenExpr>();
  paren->expr = std::move(fixed);
  neg->expr = std::move(paren);
  bin->rhs = CallOf(&kAbs, std::move(neg));
  EXPECT_TRUE(InjectAtModifier(*bin, 7000));
  EXPECT_EQ(range_sel->mods.at, AtKind::kTimestamp);
  EXPECT_EQ(range_sel->mods.at_ms, 7000);
  EXPECT_EQ(fixed_raw->mods.at_ms, 100);
}

TEST(AtRewriteTest, SubqueriesFreezeTheirInside) {
  auto inner = Sel();
  auto* inner_raw = inner.get();
  auto sub = Sub(CallOf(&kRate, Range(std::move(inner))));
  auto* sub_raw = sub.get();
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = AggregateOp::kTopK;
  auto param_sel = Sel();
  auto* param_raw = param_sel.get();
  agg->param = std::move(param_sel);
  agg->expr = CallOf(&kAbs, std::move(sub));
  EXPECT_TRUE(InjectAtModifier(*agg, 5000));
  EXPECT_EQ(sub_raw->mods.at, AtKind::kTimestamp);
  EXPECT_EQ(sub_raw->mods.at_ms, 5000);
  EXPECT_EQ(inner_raw->mods.at, AtKind::kNone);
  EXPECT_EQ(param_raw->mods.at_ms, 5000);

  // A subquery that already has @ keeps it, and its inside too.
  auto inner2 = Sel();
  auto* inner2_raw = inner2.get();
  auto fixed = Sub(std::move(inner2), AtKind::kTimestamp, 42);
  auto* fixed_raw = fixed.get();
  EXPECT_TRUE(InjectAtModifier(*fixed, 5000));
  EXPECT_EQ(fixed_raw->mods.at_ms, 42);
  EXPECT_EQ(inner2_raw->mods.at, AtKind::kNone);
}

TEST(AtRewriteTest, TimeDependentFunctionsPreventVariants) {
  auto t = CallOf(&kTime);
  EXPECT_FALSE(InjectAtModifier(*t, 1000));
  auto ts = CallOf(&kTimestamp, Sel());
  EXPECT_FALSE(InjectAtModifier(*ts, 1000));
  // Inside a subquery with a timestamp they do not count (upstream stops looking there).
  auto sub = Sub(CallOf(&kTimestamp, Sel()));
  EXPECT_TRUE(InjectAtModifier(*sub, 1000));
  // A call without resolved function info is not a crash.
  auto unknown = std::make_unique<Call>();
  EXPECT_TRUE(InjectAtModifier(*unknown, 1000));
  auto lit = std::make_unique<NumberLiteral>();
  EXPECT_TRUE(InjectAtModifier(*lit, 1000));
}

TEST(AtRewriteTest, VariantTimes) {
  EXPECT_EQ(AtVariantTimes(0), (std::vector<int64_t>{-1000, 0, 1000}));
  EXPECT_EQ(AtVariantTimes(3000000),
            (std::vector<int64_t>{-30000000, 0, 600000, 3000000, 30000000}));
  EXPECT_EQ(AtVariantTimes(7), (std::vector<int64_t>{-70, 0, 1, 7, 70}));
  EXPECT_EQ(AtVariantTimes(-7), (std::vector<int64_t>{70, 0, -1, -7, -70}));
}

}  // namespace
}  // namespace vigil::promql::conformance
