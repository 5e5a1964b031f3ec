// Prometheus' checkAST: the type checks that run after a successful parse, in the order
// Prometheus runs them (children first), so the first error reported is the same.
#include "common/labels.h"
#include "common/strings.h"
#include "query/promql/syntax/function_info.h"
#include "common/go_text.h"
#include "query/promql/syntax/parser_internal.h"

namespace vigil::promql::internal {
namespace {

class Checker {
 public:
  Checker(std::string_view input, ParseError* err) : in_(input), err_(err) {}

  // The expression's type, computed bottom-up (so checking is linear in the tree size).
  ValueType Check(Expr* e) {
    if (err_->set) return ValueType::kNone;
    switch (e->kind) {
      case NodeKind::kNumberLiteral:
        return ValueType::kScalar;
      case NodeKind::kStringLiteral:
        return ValueType::kString;
      case NodeKind::kVectorSelector:
        CheckSelector(*static_cast<VectorSelector*>(e));
        return ValueType::kVector;
      case NodeKind::kMatrixSelector:
        CheckSelector(*static_cast<MatrixSelector*>(e)->selector);
        return ValueType::kMatrix;
      case NodeKind::kSubquery: {
        auto* sq = static_cast<Subquery*>(e);
        ValueType t = Check(sq->expr.get());
        if (t != ValueType::kVector) {
          Error(e->pos.start, StrCat("subquery is only allowed on instant vector, got ",
                                     ValueTypeApiName(t), " instead"));
        }
        return ValueType::kMatrix;
      }
      case NodeKind::kParen:
        return Check(static_cast<ParenExpr*>(e)->expr.get());
      case NodeKind::kUnary: {
        ValueType t = Check(static_cast<UnaryExpr*>(e)->expr.get());
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          Error(e->pos.start,
                StrCat("unary expression only allowed on expressions of type scalar or instant "
                       "vector, got ",
                       gotext::Quote(ValueTypeDocName(t))));
        }
        return t;
      }
      case NodeKind::kBinary:
        return CheckBinary(static_cast<BinaryExpr*>(e));
      case NodeKind::kCall:
        return CheckCall(static_cast<Call*>(e));
      case NodeKind::kAggregate: {
        auto* a = static_cast<AggregateExpr*>(e);
        ExpectType(a->expr.get(), ValueType::kVector, "aggregation expression");
        if (a->op == AggregateOp::kTopK || a->op == AggregateOp::kBottomK ||
            a->op == AggregateOp::kQuantile) {
          ExpectType(a->param.get(), ValueType::kScalar, "aggregation parameter");
        } else if (a->op == AggregateOp::kCountValues) {
          ExpectType(a->param.get(), ValueType::kString, "aggregation parameter");
        }
        return ValueType::kVector;
      }
    }
    return ValueType::kNone;
  }

 private:
  void Error(int pos, std::string msg) { err_->Record(pos, std::move(msg)); }

  void ExpectType(Expr* e, ValueType want, std::string_view context) {
    ValueType t = Check(e);
    if (t != want) {
      Error(e->pos.start, StrCat("expected type ", ValueTypeDocName(want), " in ", context,
                                 ", got ", ValueTypeDocName(t)));
    }
  }

  void CheckSelector(const VectorSelector& vs) {
    if (!vs.name.empty()) {
      // The first matcher is the name's own; another __name__ matcher sets it twice.
      for (size_t i = 1; i < vs.matchers.size(); ++i) {
        const LabelMatcher& m = vs.matchers[i];
        if (m.name() == kMetricName) {
          Error(vs.pos.start, StrCat("metric name must not be set twice: ", gotext::Quote(vs.name),
                                     " or ", gotext::Quote(m.value())));
        }
      }
      return;  // the name itself is a non-empty matcher
    }
    for (const LabelMatcher& m : vs.matchers) {
      if (!m.MatchesEmpty()) return;
    }
    Error(vs.pos.start, "vector selector must contain at least one non-empty matcher");
  }

  // Where the operator starts: Prometheus points operator errors there.
  int OperatorPos(const BinaryExpr& b) const {
    size_t p = static_cast<size_t>(b.lhs->pos.end);
    while (p < in_.size() &&
           (in_[p] == ' ' || in_[p] == '\t' || in_[p] == '\n' || in_[p] == '\r')) {
      ++p;
    }
    return static_cast<int>(p);
  }

  ValueType CheckBinary(BinaryExpr* b) {
    ValueType lt = Check(b->lhs.get());
    ValueType rt = Check(b->rhs.get());
    if (b->return_bool && !IsComparison(b->op)) {
      Error(OperatorPos(*b), "bool modifier can only be used on comparison operators");
    }
    if (IsComparison(b->op) && !b->return_bool && lt == ValueType::kScalar &&
        rt == ValueType::kScalar) {
      Error(OperatorPos(*b), "comparisons between scalars must use BOOL modifier");
    }
    if (!b->matching) b->matching.emplace();
    VectorMatching& m = *b->matching;
    if (IsSetOp(b->op) && m.card == Cardinality::kOneToOne) m.card = Cardinality::kManyToMany;
    if (m.on) {
      for (const std::string& l1 : m.labels) {
        for (const std::string& l2 : m.include) {
          if (l1 == l2) {
            Error(OperatorPos(*b), StrCat("label ", gotext::Quote(l1),
                                          " must not occur in ON and GROUP clause at once"));
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Error(b->lhs->pos.start,
            "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Error(b->rhs->pos.start,
            "binary expression must contain only scalar and instant vector types");
    }
    std::string quoted_op = gotext::Quote(BinaryOpName(b->op));
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!m.labels.empty()) {
        Error(b->pos.start, "vector matching only allowed between instant vectors");
      }
      b->matching.reset();
    } else if (IsSetOp(b->op)) {
      if (m.card == Cardinality::kOneToMany || m.card == Cardinality::kManyToOne) {
        Error(b->pos.start, StrCat("no grouping allowed for ", quoted_op, " operation"));
      }
      if (m.card != Cardinality::kManyToMany) {
        Error(b->pos.start, "set operations must always be many-to-many");
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOp(b->op)) {
      Error(b->pos.start,
            StrCat("set operator ", quoted_op, " not allowed in binary scalar expression"));
    }
    return lt == ValueType::kScalar && rt == ValueType::kScalar ? ValueType::kScalar
                                                                : ValueType::kVector;
  }

  ValueType CheckCall(Call* c) {
    const FunctionInfo& f = *c->func;
    size_t nargs = f.arg_types.size();
    size_t got = c->args.size();
    std::string quoted = gotext::Quote(f.name);
    if (f.variadic == 0) {
      if (nargs != got) {
        Error(c->pos.start,
              StrCat("expected ", nargs, " argument(s) in call to ", quoted, ", got ", got));
      }
    } else {
      // variadic n > 0: the last n arguments are optional; -1: the last one repeats (and
      // may be left out).
      size_t optional = f.variadic > 0 ? static_cast<size_t>(f.variadic) : 1;
      size_t min = nargs >= optional ? nargs - optional : 0;
      if (got < min) {
        Error(c->pos.start,
              StrCat("expected at least ", min, " argument(s) in call to ", quoted, ", got ", got));
      } else if (f.variadic > 0 && got > nargs) {
        Error(c->pos.start, StrCat("expected at most ", nargs, " argument(s) in call to ", quoted,
                                   ", got ", got));
      }
    }
    std::string context = StrCat("call to function ", quoted);
    for (size_t i = 0; i < got; ++i) {
      size_t idx = i;
      if (i >= nargs) {
        if (f.variadic == 0 || nargs == 0) break;
        idx = nargs - 1;
      }
      ExpectType(c->args[i].get(), f.arg_types[idx], context);
    }
    return f.return_type;
  }

  std::string_view in_;
  ParseError* err_;
};

}  // namespace

bool CheckAst(Expr* root, std::string_view input, ParseError* err) {
  if (root == nullptr) return !err->set;
  Checker(input, err).Check(root);
  return !err->set;
}

}  // namespace vigil::promql::internal
