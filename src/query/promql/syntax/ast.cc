#include "query/promql/syntax/ast.h"

#include "query/promql/syntax/function_info.h"

namespace vigil::promql {

const char* ValueTypeDocName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

const char* ValueTypeApiName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOp(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "?";
}

bool AggregateHasParam(AggregateOp op) {
  return op == AggregateOp::kTopK || op == AggregateOp::kBottomK || op == AggregateOp::kQuantile ||
         op == AggregateOp::kCountValues;
}

const char* AggregateOpName(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopK:
      return "topk";
    case AggregateOp::kBottomK:
      return "bottomk";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kCountValues:
      return "count_values";
  }
  return "?";
}

ValueType TypeOf(const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
      return ValueType::kScalar;
    case NodeKind::kStringLiteral:
      return ValueType::kString;
    case NodeKind::kVectorSelector:
      return ValueType::kVector;
    case NodeKind::kMatrixSelector:
    case NodeKind::kSubquery:
      return ValueType::kMatrix;
    case NodeKind::kParen: {
      const auto& p = static_cast<const ParenExpr&>(e);
      return p.expr ? TypeOf(*p.expr) : ValueType::kNone;
    }
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return u.expr ? TypeOf(*u.expr) : ValueType::kNone;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      if (b.lhs && b.rhs && TypeOf(*b.lhs) == ValueType::kScalar &&
          TypeOf(*b.rhs) == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      return c.func ? c.func->return_type : ValueType::kNone;
    }
    case NodeKind::kAggregate:
      return ValueType::kVector;
  }
  return ValueType::kNone;
}

namespace {

void CollectSelectors(const Expr& e, std::vector<const VectorSelector*>* out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return;
    case NodeKind::kVectorSelector:
      out->push_back(&static_cast<const VectorSelector&>(e));
      return;
    case NodeKind::kMatrixSelector:
      out->push_back(static_cast<const MatrixSelector&>(e).selector.get());
      return;
    case NodeKind::kSubquery:
      return CollectSelectors(*static_cast<const Subquery&>(e).expr, out);
    case NodeKind::kParen:
      return CollectSelectors(*static_cast<const ParenExpr&>(e).expr, out);
    case NodeKind::kUnary:
      return CollectSelectors(*static_cast<const UnaryExpr&>(e).expr, out);
    case NodeKind::kBinary:
      CollectSelectors(*static_cast<const BinaryExpr&>(e).lhs, out);
      return CollectSelectors(*static_cast<const BinaryExpr&>(e).rhs, out);
    case NodeKind::kCall:
      for (const auto& a : static_cast<const Call&>(e).args) CollectSelectors(*a, out);
      return;
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (a.param) CollectSelectors(*a.param, out);
      return CollectSelectors(*a.expr, out);
    }
  }
}

}  // namespace

std::vector<const VectorSelector*> Selectors(const Expr& e) {
  std::vector<const VectorSelector*> out;
  CollectSelectors(e, &out);
  return out;
}

}  // namespace vigil::promql
