// Expressions: operators by precedence climbing, unary signs, parentheses, function calls,
// aggregations and the modifiers of binary operators.
#include <algorithm>

#include "common/strings.h"
#include "query/promql/syntax/function_info.h"
#include "common/go_text.h"
#include "query/promql/syntax/parser_internal.h"

namespace vigil::promql {
namespace internal {
namespace {

// Binary operator precedence, lowest first; `^` is right-associative. Unary signs bind like
// `*` (so `-a * b` is `(-a) * b`) but looser than `^` (so `-2 ^ 2` is `-(2 ^ 2)`), so a
// sign's operand is everything at `^` level and tighter.
int BinaryPrec(Tok t) {
  switch (t) {
    case Tok::kLor:
      return 1;
    case Tok::kLand:
    case Tok::kLunless:
      return 2;
    case Tok::kEqlc:
    case Tok::kNeq:
    case Tok::kLte:
    case Tok::kLss:
    case Tok::kGte:
    case Tok::kGtr:
      return 3;
    case Tok::kAdd:
    case Tok::kSub:
      return 4;
    case Tok::kMul:
    case Tok::kDiv:
    case Tok::kMod:
    case Tok::kAtan2:
      return 5;
    case Tok::kPow:
      return 6;
    default:
      return 0;
  }
}
constexpr int kUnaryOperandPrec = 6;

BinaryOp BinaryOpFrom(Tok t) {
  switch (t) {
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
    case Tok::kPow:
      return BinaryOp::kPow;
    case Tok::kAtan2:
      return BinaryOp::kAtan2;
    case Tok::kEqlc:
      return BinaryOp::kEql;
    case Tok::kNeq:
      return BinaryOp::kNeq;
    case Tok::kGtr:
      return BinaryOp::kGtr;
    case Tok::kLss:
      return BinaryOp::kLss;
    case Tok::kGte:
      return BinaryOp::kGte;
    case Tok::kLte:
      return BinaryOp::kLte;
    case Tok::kLand:
      return BinaryOp::kAnd;
    case Tok::kLor:
      return BinaryOp::kOr;
    default:
      return BinaryOp::kUnless;
  }
}

AggregateOp AggregateOpFrom(Tok t) {
  switch (t) {
    case Tok::kAvg:
      return AggregateOp::kAvg;
    case Tok::kBottomk:
      return AggregateOp::kBottomK;
    case Tok::kCount:
      return AggregateOp::kCount;
    case Tok::kCountValues:
      return AggregateOp::kCountValues;
    case Tok::kGroup:
      return AggregateOp::kGroup;
    case Tok::kMax:
      return AggregateOp::kMax;
    case Tok::kMin:
      return AggregateOp::kMin;
    case Tok::kQuantile:
      return AggregateOp::kQuantile;
    case Tok::kStddev:
      return AggregateOp::kStddev;
    case Tok::kStdvar:
      return AggregateOp::kStdvar;
    case Tok::kTopk:
      return AggregateOp::kTopK;
    default:
      return AggregateOp::kSum;
  }
}

// A label name as Prometheus' grouping lists accept it: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

// Restores a counter when a parse function returns.
class CounterGuard {
 public:
  explicit CounterGuard(int* c) : c_(c) { ++*c_; }
  ~CounterGuard() { --*c_; }
  CounterGuard(const CounterGuard&) = delete;
  CounterGuard& operator=(const CounterGuard&) = delete;

 private:
  int* c_;
};

}  // namespace

const Token& Parser::Peek() {
  if (!have_tok_) {
    tok_ = lex_.Next();
    have_tok_ = true;
    if (tok_.kind == Tok::kError) Fail(tok_.pos, lex_.error());
  }
  return tok_;
}

Token Parser::Take() {
  Peek();
  have_tok_ = false;
  return tok_;
}

void Parser::Unexpected(const Token& t, std::string_view context, std::string_view expected) {
  if (t.kind == Tok::kError) return;  // the lexer's message is already recorded
  std::string msg = StrCat("unexpected ", TokenDesc(t));
  if (!context.empty()) StrAppend(&msg, " in ", context);
  if (!expected.empty()) StrAppend(&msg, ", expected ", expected);
  Fail(t.pos, std::move(msg));
}

void Parser::SyntaxError(const Token& t) { Unexpected(t, agg_depth_ > 0 ? "aggregation" : "", ""); }

ExprPtr Parser::Finish(ExprPtr e, int depth) {
  if (depth > kMaxTreeDepth) {
    Fail(e->pos.start,
         StrCat("expression nesting too deep (more than ", kMaxTreeDepth, " levels)"));
    return nullptr;
  }
  last_depth_ = depth;
  return e;
}

ExprPtr Parser::ParseBinary(int min_prec) {
  // Every nested construct (parentheses, arguments, right operands, signs) comes through
  // here, so this bounds the recursion.
  CounterGuard guard(&nesting_);
  if (nesting_ > kMaxNesting) {
    const Token& t = Peek();
    if (!failed()) {
      Fail(t.pos, StrCat("expression nesting too deep (more than ", kMaxNesting, " levels)"));
    }
    return nullptr;
  }
  ExprPtr lhs = ParseUnary();
  if (!lhs) return nullptr;
  int lhs_depth = last_depth_;
  while (true) {
    Token t = Peek();
    if (failed()) return nullptr;
    int prec = BinaryPrec(t.kind);
    if (prec == 0 || prec < min_prec) break;
    Take();
    auto b = std::make_unique<BinaryExpr>();
    b->op = BinaryOpFrom(t.kind);
    if (!ParseBinModifiers(b.get())) return nullptr;
    ExprPtr rhs = ParseBinary(t.kind == Tok::kPow ? prec : prec + 1);
    if (!rhs) return nullptr;
    int depth = 1 + std::max(lhs_depth, last_depth_);
    b->pos = {lhs->pos.start, rhs->pos.end};
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    lhs = Finish(std::move(b), depth);
    if (!lhs) return nullptr;
    lhs_depth = depth;
  }
  last_depth_ = lhs_depth;
  return lhs;
}

ExprPtr Parser::ParseUnary() {
  Token t = Peek();
  if (failed()) return nullptr;
  if (t.kind != Tok::kAdd && t.kind != Tok::kSub) {
    ExprPtr e = ParsePrimary();
    if (!e) return nullptr;
    return ParsePostfix(std::move(e));
  }
  Take();
  ExprPtr operand = ParseBinary(kUnaryOperandPrec);
  if (!operand) return nullptr;
  if (operand->kind == NodeKind::kNumberLiteral) {
    // Prometheus folds signs into number literals.
    auto* n = static_cast<NumberLiteral*>(operand.get());
    if (t.kind == Tok::kSub) n->value *= -1;
    n->pos.start = t.pos;
    return operand;
  }
  auto u = std::make_unique<UnaryExpr>();
  u->negate = t.kind == Tok::kSub;
  u->pos = {t.pos, operand->pos.end};
  u->expr = std::move(operand);
  return Finish(std::move(u), last_depth_ + 1);
}

ExprPtr Parser::ParsePrimary() {
  Token t = Peek();
  if (failed()) return nullptr;
  switch (t.kind) {
    case Tok::kNumber:
      Take();
      return NumberLiteralFrom(t);
    case Tok::kString:
      Take();
      return StringLiteralFrom(t);
    case Tok::kLeftParen: {
      Take();
      ExprPtr inner = ParseBinary(kLowestPrec);
      if (!inner) return nullptr;
      Token close = Peek();
      if (failed()) return nullptr;
      if (close.kind != Tok::kRightParen) {
        SyntaxError(close);
        return nullptr;
      }
      Take();
      auto p = std::make_unique<ParenExpr>();
      p->pos = {t.pos, close.end()};
      p->expr = std::move(inner);
      return Finish(std::move(p), last_depth_ + 1);
    }
    case Tok::kLeftBrace:
      return ParseVectorSelector(nullptr);
    default:
      break;
  }
  if (!IsMetricIdentifierTok(t.kind)) {
    SyntaxError(t);
    return nullptr;
  }
  Take();
  Tok next = Peek().kind;
  if (failed()) return nullptr;
  if (t.kind == Tok::kIdentifier && next == Tok::kLeftParen) return ParseCall(t);
  if (IsAggregatorTok(t.kind) &&
      (next == Tok::kLeftParen || next == Tok::kBy || next == Tok::kWithout)) {
    return ParseAggregate(t);
  }
  return ParseVectorSelector(&t);
}

bool Parser::ParseCallBody(std::vector<ExprPtr>* args, int* max_depth, int* close_end) {
  Token open = Peek();
  if (failed()) return false;
  if (open.kind != Tok::kLeftParen) {
    SyntaxError(open);
    return false;
  }
  Take();
  Token t = Peek();
  if (failed()) return false;
  if (t.kind == Tok::kRightParen) {
    Take();
    *close_end = t.end();
    return true;
  }
  while (true) {
    ExprPtr e = ParseBinary(kLowestPrec);
    if (!e) return false;
    *max_depth = std::max(*max_depth, last_depth_);
    args->push_back(std::move(e));
    t = Peek();
    if (failed()) return false;
    if (t.kind == Tok::kComma) {
      Take();
      Tok next = Peek().kind;
      if (failed()) return false;
      if (!StartsExpr(next)) {
        Fail(t.pos, "trailing commas not allowed in function call args");
        return false;
      }
      continue;
    }
    if (t.kind == Tok::kRightParen) {
      Take();
      *close_end = t.end();
      return true;
    }
    SyntaxError(t);
    return false;
  }
}

ExprPtr Parser::ParseCall(const Token& name) {
  std::vector<ExprPtr> args;
  int max_depth = 0;
  int end = 0;
  if (!ParseCallBody(&args, &max_depth, &end)) return nullptr;
  const FunctionInfo* fn = LookupFunction(name.text);
  if (fn == nullptr) {
    Fail(name.pos, StrCat("unknown function with name ", gotext::Quote(name.text)));
    return nullptr;
  }
  auto c = std::make_unique<Call>();
  c->func = fn;
  c->args = std::move(args);
  c->pos = {name.pos, end};
  return Finish(std::move(c), max_depth + 1);
}

ExprPtr Parser::ParseAggregate(const Token& op) {
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = AggregateOpFrom(op.kind);
  std::vector<ExprPtr> args;
  int max_depth = 0;
  int end = 0;
  {
    CounterGuard in_aggregation(&agg_depth_);
    Tok t = Peek().kind;
    bool have_modifier = false;
    if (t == Tok::kBy || t == Tok::kWithout) {
      Take();
      agg->without = t == Tok::kWithout;
      if (!ParseGroupingLabels(&agg->grouping, &end)) return nullptr;
      have_modifier = true;
    }
    if (!ParseCallBody(&args, &max_depth, &end)) return nullptr;
    if (!have_modifier) {
      t = Peek().kind;
      if (failed()) return nullptr;
      if (t == Tok::kBy || t == Tok::kWithout) {
        Take();
        agg->without = t == Tok::kWithout;
        if (!ParseGroupingLabels(&agg->grouping, &end)) return nullptr;
      }
    }
  }
  if (args.empty()) {
    Fail(op.pos, "no arguments for aggregate expression provided");
    return nullptr;
  }
  size_t want = AggregateHasParam(agg->op) ? 2 : 1;
  if (args.size() != want) {
    Fail(op.pos, StrCat("wrong number of arguments for aggregate expression provided, expected ",
                        want, ", got ", args.size()));
    return nullptr;
  }
  if (want == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args[want - 1]);
  agg->pos = {op.pos, end};
  return Finish(std::move(agg), max_depth + 1);
}

bool Parser::ParseGroupingLabels(std::vector<std::string>* labels, int* end) {
  Token t = Peek();
  if (failed()) return false;
  if (t.kind != Tok::kLeftParen) {
    Unexpected(t, "grouping opts", "\"(\"");
    return false;
  }
  Take();
  t = Peek();
  if (failed()) return false;
  if (t.kind == Tok::kRightParen) {
    Take();
    *end = t.end();
    return true;
  }
  while (true) {
    t = Peek();
    if (failed()) return false;
    if (!IsMaybeLabelTok(t.kind)) {
      Unexpected(t, "grouping opts", "label");
      return false;
    }
    Take();
    if (!IsLabelName(t.text)) {
      Unexpected(t, "grouping opts", "label");
      return false;
    }
    labels->emplace_back(t.text);
    t = Peek();
    if (failed()) return false;
    if (t.kind == Tok::kComma) {
      Take();
      Token next = Peek();
      if (failed()) return false;
      if (next.kind == Tok::kRightParen) {
        Take();
        *end = next.end();
        return true;
      }
      continue;
    }
    if (t.kind == Tok::kRightParen) {
      Take();
      *end = t.end();
      return true;
    }
    Unexpected(t, "grouping opts", "\",\" or \")\"");
    return false;
  }
}

bool Parser::ParseBinModifiers(BinaryExpr* b) {
  VectorMatching m;
  Tok t = Peek().kind;
  if (failed()) return false;
  if (t == Tok::kBool) {
    Take();
    b->return_bool = true;
    t = Peek().kind;
    if (failed()) return false;
  }
  if (t == Tok::kOn || t == Tok::kIgnoring) {
    Take();
    m.on = t == Tok::kOn;
    int end = 0;
    if (!ParseGroupingLabels(&m.labels, &end)) return false;
    t = Peek().kind;
    if (failed()) return false;
    if (t == Tok::kGroupLeft || t == Tok::kGroupRight) {
      Take();
      m.card = t == Tok::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
      Token next = Peek();
      if (failed()) return false;
      // The label list is optional; a `(` is always taken as its start.
      if (next.kind == Tok::kLeftParen) {
        if (!ParseGroupingLabels(&m.include, &end)) return false;
      } else if (!StartsExpr(next.kind)) {
        Unexpected(next, "grouping opts", "\"(\"");
        return false;
      }
    }
  }
  b->matching = std::move(m);
  return true;
}

}  // namespace internal
}  // namespace vigil::promql
