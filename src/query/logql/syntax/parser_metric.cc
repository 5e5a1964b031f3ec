// Metric expressions: binary operators by precedence climbing (with Loki's operand checks
// and literal folding), literals, vector aggregations, label_replace and vector().
#include <algorithm>
#include <optional>

#include "common/strings.h"
#include "query/logql/syntax/parser_internal.h"
#include "common/go_text.h"

namespace vigil::logql::internal {
namespace {

// Binary operator precedence, lowest first; `^` is right-associative.
int BinaryPrec(Tok t) {
  switch (t) {
    case Tok::kOr:
      return 1;
    case Tok::kAnd:
    case Tok::kUnless:
      return 2;
    case Tok::kCmpEq:
    case Tok::kNeq:
    case Tok::kLt:
    case Tok::kLte:
    case Tok::kGt:
    case Tok::kGte:
      return 3;
    case Tok::kAdd:
    case Tok::kSub:
      return 4;
    case Tok::kMul:
    case Tok::kDiv:
    case Tok::kMod:
      return 5;
    case Tok::kPow:
      return 6;
    default:
      return 0;
  }
}

BinaryOp BinaryOpFrom(Tok t) {
  switch (t) {
    case Tok::kOr:
      return BinaryOp::kOr;
    case Tok::kAnd:
      return BinaryOp::kAnd;
    case Tok::kUnless:
      return BinaryOp::kUnless;
    case Tok::kCmpEq:
      return BinaryOp::kEql;
    case Tok::kNeq:
      return BinaryOp::kNeq;
    case Tok::kLt:
      return BinaryOp::kLss;
    case Tok::kLte:
      return BinaryOp::kLte;
    case Tok::kGt:
      return BinaryOp::kGtr;
    case Tok::kGte:
      return BinaryOp::kGte;
    case Tok::kAdd:
      return BinaryOp::kAdd;
    case Tok::kSub:
      return BinaryOp::kSub;
    case Tok::kMul:
      return BinaryOp::kMul;
    case Tok::kDiv:
      return BinaryOp::kDiv;
    case Tok::kMod:
      return BinaryOp::kMod;
    default:
      return BinaryOp::kPow;
  }
}

bool VectorOpFrom(Tok t, VectorOp* op) {
  switch (t) {
    case Tok::kSum:
      *op = VectorOp::kSum;
      return true;
    case Tok::kAvg:
      *op = VectorOp::kAvg;
      return true;
    case Tok::kMin:
      *op = VectorOp::kMin;
      return true;
    case Tok::kMax:
      *op = VectorOp::kMax;
      return true;
    case Tok::kCount:
      *op = VectorOp::kCount;
      return true;
    case Tok::kStddev:
      *op = VectorOp::kStddev;
      return true;
    case Tok::kStdvar:
      *op = VectorOp::kStdvar;
      return true;
    case Tok::kTopk:
      *op = VectorOp::kTopK;
      return true;
    case Tok::kBottomk:
      *op = VectorOp::kBottomK;
      return true;
    case Tok::kSort:
      *op = VectorOp::kSort;
      return true;
    case Tok::kSortDesc:
      *op = VectorOp::kSortDesc;
      return true;
    default:
      return false;
  }
}

bool IsRangeOpTok(Tok t) {
  switch (t) {
    case Tok::kCountOverTime:
    case Tok::kRate:
    case Tok::kRateCounter:
    case Tok::kBytesOverTime:
    case Tok::kBytesRate:
    case Tok::kAbsentOverTime:
    case Tok::kSumOverTime:
    case Tok::kAvgOverTime:
    case Tok::kMaxOverTime:
    case Tok::kMinOverTime:
    case Tok::kFirstOverTime:
    case Tok::kLastOverTime:
    case Tok::kStdvarOverTime:
    case Tok::kStddevOverTime:
    case Tok::kQuantileOverTime:
      return true;
    default:
      return false;
  }
}

// How Loki's %T names a log expression used as an operand.
const char* LogExprTypeName(const Expr& e) {
  const auto& s = static_cast<const LogSelectorExpr&>(e);
  return s.pipeline.empty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
}

}  // namespace

ExprPtr Parser::ParseExpr(int min_prec) {
  bool ok = EnterNesting();
  NestingGuard guard(&nesting_);
  if (!ok) return nullptr;
  ExprPtr lhs = ParsePrimary();
  if (!lhs) return nullptr;
  int lhs_depth = last_depth_;
  while (true) {
    const Token& t = Peek();
    if (failed()) return nullptr;
    int prec = BinaryPrec(t.kind);
    if (prec == 0 || prec < min_prec) break;
    Tok kind = Take().kind;
    auto b = std::make_unique<BinaryExpr>();
    b->op = BinaryOpFrom(kind);
    if (!ParseBinModifiers(b.get())) return nullptr;
    ExprPtr rhs = ParseExpr(kind == Tok::kPow ? prec : prec + 1);
    if (!rhs) return nullptr;
    b->pos = {lhs->pos.start, rhs->pos.end};
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    lhs = MakeBinary(std::move(b), lhs_depth, last_depth_);
    if (!lhs) return nullptr;
    lhs_depth = last_depth_;
  }
  last_depth_ = lhs_depth;
  return lhs;
}

ExprPtr Parser::MakeBinary(std::unique_ptr<BinaryExpr> b, int lhs_depth, int rhs_depth) {
  const char* op = BinaryOpName(b->op);
  bool lhs_lit = b->lhs->kind == NodeKind::kLiteral;
  bool rhs_lit = b->rhs->kind == NodeKind::kLiteral;
  if (b->lhs->kind == NodeKind::kLogSelector) {
    Defer(StrCat("unexpected type for left leg of binary operation (", op,
                 "): ", LogExprTypeName(*b->lhs)));
  } else if (b->rhs->kind == NodeKind::kLogSelector) {
    Defer(StrCat("unexpected type for right leg of binary operation (", op,
                 "): ", LogExprTypeName(*b->rhs)));
  } else if (IsSetOp(b->op) && (lhs_lit || rhs_lit)) {
    double v = static_cast<const LiteralExpr&>(lhs_lit ? *b->lhs : *b->rhs).value;
    Defer(StrCat("unexpected literal for ", lhs_lit ? "left" : "right",
                 " leg of logical/set binary operation (", op,
                 "): ", gotext::FormatFixed(v, 6)));
  } else if (lhs_lit && rhs_lit) {
    auto lit = std::make_unique<LiteralExpr>();
    lit->pos = b->pos;
    lit->value = FoldBinary(b->op, static_cast<const LiteralExpr&>(*b->lhs).value,
                            static_cast<const LiteralExpr&>(*b->rhs).value);
    last_depth_ = 1;
    return lit;
  } else if (b->return_bool && !IsComparison(b->op)) {
    Defer("bool modifier can only be used on comparison operators");
  } else if (IsSetOp(b->op) && b->matching.card != Cardinality::kOneToOne) {
    Defer(StrCat("no grouping allowed for \"", op, "\" operation"));
  } else if (b->matching.on) {
    for (const std::string& l : b->matching.include) {
      if (std::find(b->matching.labels.begin(), b->matching.labels.end(), l) !=
          b->matching.labels.end()) {
        Defer(StrCat("label \"", l, "\" must not occur in ON and GROUP clause at once"));
        break;
      }
    }
  }
  int pos = b->pos.start;
  if (!CheckDepth(1 + std::max(lhs_depth, rhs_depth), pos)) return nullptr;
  return b;
}

bool Parser::ParseBinModifiers(BinaryExpr* b) {
  const Token* t = &Peek();
  if (t->kind == Tok::kBool) {
    Take();
    b->return_bool = true;
    t = &Peek();
  }
  if (t->kind != Tok::kOn && t->kind != Tok::kIgnoring) return !failed();
  b->matching.on = Take().kind == Tok::kOn;
  if (!Expect(Tok::kOpenParen)) return false;
  if (Peek().kind != Tok::kCloseParen && !ParseLabelList(&b->matching.labels)) return false;
  if (!Expect(Tok::kCloseParen)) return false;
  t = &Peek();
  if (t->kind != Tok::kGroupLeft && t->kind != Tok::kGroupRight) return !failed();
  b->matching.card =
      Take().kind == Tok::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
  if (Peek().kind != Tok::kOpenParen) return !failed();
  Take();
  if (Peek().kind != Tok::kCloseParen && !ParseLabelList(&b->matching.include)) return false;
  return Expect(Tok::kCloseParen);
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  if (failed()) return nullptr;
  switch (t.kind) {
    case Tok::kOpenBrace:
      return ParseLogQuery();
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub:
      return ParseLiteral();
    case Tok::kLabelReplace:
      return ParseLabelReplace();
    case Tok::kVector:
      return ParseVector();
    case Tok::kOpenParen: {
      Take();
      ExprPtr e = ParseExpr(1);
      if (!e || !Expect(Tok::kCloseParen)) return nullptr;
      return e;
    }
    default:
      break;
  }
  if (IsRangeOpTok(t.kind)) return ParseRangeAggregation();
  VectorOp op;
  if (VectorOpFrom(t.kind, &op)) return ParseVectorAggregation();
  Unexpected(t);
  return nullptr;
}

// An operand that must be a metric expression (the grammar's metricExpr): a bare log query
// there is a syntax error at the token after it.
ExprPtr Parser::ParseMetricArg() {
  ExprPtr e = ParseExpr(1);
  if (!e) return nullptr;
  if (e->kind == NodeKind::kLogSelector) {
    Unexpected(Peek());
    return nullptr;
  }
  return e;
}

bool Parser::ParseSignedNumber(double* v) {
  bool neg = false;
  Tok k = Peek().kind;
  if (k == Tok::kAdd || k == Tok::kSub) neg = Take().kind == Tok::kSub;
  Token n;
  if (!Expect(Tok::kNumber, &n)) return false;
  auto f = ParseGoFloat(n.text);
  if (!f.ok()) Defer(StrCat("unable to parse literal as a float: ", f.status().message()));
  *v = f.ok() ? *f : 0;
  if (neg) *v = -*v;
  return true;
}

ExprPtr Parser::ParseLiteral() {
  auto lit = std::make_unique<LiteralExpr>();
  lit->pos.start = Peek().pos;
  if (!ParseSignedNumber(&lit->value)) return nullptr;
  lit->pos.end = last_end_;
  last_depth_ = 1;
  return lit;
}

bool Parser::ParseLabelList(std::vector<std::string>* labels) {
  while (true) {
    Token name;
    if (!Expect(Tok::kIdentifier, &name)) return false;
    labels->emplace_back(name.text);
    const Token& t = Peek();
    if (t.kind != Tok::kComma) return !failed();
    Take();
  }
}

bool Parser::ParseGrouping(Grouping* g) {
  g->without = Take().kind == Tok::kWithout;
  if (!Expect(Tok::kOpenParen)) return false;
  const Token& t = Peek();
  if (t.kind == Tok::kCloseParen) {
    Take();
    return true;
  }
  if (t.kind != Tok::kIdentifier) {
    Unexpected(t, {Tok::kIdentifier, Tok::kCloseParen});
    return false;
  }
  while (true) {
    g->labels.emplace_back(Take().text);
    const Token& n = Peek();
    if (n.kind == Tok::kCloseParen) {
      Take();
      return true;
    }
    if (n.kind != Tok::kComma) {
      Unexpected(n, {Tok::kComma, Tok::kCloseParen});
      return false;
    }
    Take();
    if (Peek().kind != Tok::kIdentifier) {
      Unexpected(Peek(), {Tok::kIdentifier});
      return false;
    }
  }
}

ExprPtr Parser::ParseVectorAggregation() {
  auto agg = std::make_unique<VectorAggregationExpr>();
  Token op_tok = Take();
  VectorOpFrom(op_tok.kind, &agg->op);
  agg->pos.start = op_tok.pos;
  bool grouped = false;
  Tok k = Peek().kind;
  if (k == Tok::kBy || k == Tok::kWithout) {
    if (!ParseGrouping(&agg->grouping)) return nullptr;
    grouped = true;
  }
  if (!Expect(Tok::kOpenParen)) return nullptr;
  std::optional<Token> param;
  if (Peek().kind == Tok::kNumber && Peek(1).kind == Tok::kComma) {
    param = Take();
    Take();
  }
  ExprPtr inner = ParseMetricArg();
  if (!inner) return nullptr;
  int depth = last_depth_;
  if (!Expect(Tok::kCloseParen)) return nullptr;
  k = Peek().kind;
  if (!grouped && (k == Tok::kBy || k == Tok::kWithout)) {
    if (!ParseGrouping(&agg->grouping)) return nullptr;
  }
  if (failed()) return nullptr;
  agg->pos.end = last_end_;
  agg->expr = std::move(inner);
  const char* name = VectorOpName(agg->op);
  if (agg->op == VectorOp::kTopK || agg->op == VectorOp::kBottomK) {
    int64_t p = 0;
    if (!param) {
      Defer(StrCat("parameter required for operation ", name));
    } else if (!ParseInt64(param->text, &p)) {
      Defer(StrCat("invalid parameter ", name, "(", param->text, ","));
    } else if (p <= 0) {
      Defer(StrCat("invalid parameter (must be greater than 0) ", name, "(", param->text));
    }
    agg->param = p;
  } else if (param) {
    Defer(StrCat("unsupported parameter for operation ", name, "(", param->text, ","));
  }
  if ((agg->op == VectorOp::kSort || agg->op == VectorOp::kSortDesc) &&
      !agg->grouping.labels.empty()) {
    Defer("sort and sort_desc doesn't allow grouping by ");
  }
  if (!CheckDepth(depth + 1, agg->pos.start)) return nullptr;
  return agg;
}

ExprPtr Parser::ParseLabelReplace() {
  auto lr = std::make_unique<LabelReplaceExpr>();
  lr->pos.start = Take().pos;
  if (!Expect(Tok::kOpenParen)) return nullptr;
  lr->expr = ParseMetricArg();
  if (!lr->expr) return nullptr;
  int depth = last_depth_;
  std::string* fields[] = {&lr->dst, &lr->replacement, &lr->src, &lr->regex};
  for (std::string* f : fields) {
    Token s;
    if (!Expect(Tok::kComma) || !Expect(Tok::kString, &s)) return nullptr;
    *f = std::move(s.str);
  }
  if (!Expect(Tok::kCloseParen)) return nullptr;
  lr->pos.end = last_end_;
  auto re = CompileGoRegexp(lr->regex, /*anchored=*/true);
  if (re.ok()) {
    lr->re = *re;
  } else {
    Defer(StrCat("invalid regex in label_replace: ", re.status().message()));
  }
  if (!CheckDepth(depth + 1, lr->pos.start)) return nullptr;
  return lr;
}

ExprPtr Parser::ParseVector() {
  auto v = std::make_unique<VectorExpr>();
  v->pos.start = Take().pos;
  Token n;
  if (!Expect(Tok::kOpenParen) || !Expect(Tok::kNumber, &n) || !Expect(Tok::kCloseParen)) {
    return nullptr;
  }
  auto f = ParseGoFloat(n.text);
  if (!f.ok()) Defer(StrCat("unable to parse vectorExpr as a float: ", f.status().message()));
  v->value = f.ok() ? *f : 0;
  v->pos.end = last_end_;
  last_depth_ = 1;
  return v;
}

}  // namespace vigil::logql::internal
