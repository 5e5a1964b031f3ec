#include "query/promql/conformance/at_rewrite.h"

#include <string_view>

#include "query/promql/syntax/function_info.h"

namespace vigil::promql::conformance {
namespace {

bool IsAtUnsafe(std::string_view fn) {
  static constexpr std::string_view kUnsafe[] = {
      "days_in_month", "day_of_month", "day_of_week",    "day_of_year", "hour",      "minute",
      "month",         "year",         "predict_linear", "time",        "timestamp",
  };
  for (std::string_view u : kUnsafe) {
    if (fn == u) return true;
  }
  return false;
}

void Fix(TimeModifiers& m, int64_t t_ms) {
  if (m.at != AtKind::kTimestamp) {
    m.at = AtKind::kTimestamp;
    m.at_ms = t_ms;
  }
}

// `frozen`: an ancestor subquery has a timestamp, so this subtree keeps its own times.
void Walk(Expr* e, int64_t t_ms, bool frozen, bool* unsafe) {
  if (e == nullptr) return;
  switch (e->kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return;
    case NodeKind::kVectorSelector:
      if (!frozen) Fix(static_cast<VectorSelector*>(e)->mods, t_ms);
      return;
    case NodeKind::kMatrixSelector: {
      auto* m = static_cast<MatrixSelector*>(e);
      if (!frozen && m->selector) Fix(m->selector->mods, t_ms);
      return;
    }
    case NodeKind::kSubquery: {
      auto* s = static_cast<Subquery*>(e);
      if (!frozen) Fix(s->mods, t_ms);
      // Whether set before or just now, the subquery has a timestamp: its inside is frozen.
      Walk(s->expr.get(), t_ms, true, unsafe);
      return;
    }
    case NodeKind::kParen:
      Walk(static_cast<ParenExpr*>(e)->expr.get(), t_ms, frozen, unsafe);
      return;
    case NodeKind::kUnary:
      Walk(static_cast<UnaryExpr*>(e)->expr.get(), t_ms, frozen, unsafe);
      return;
    case NodeKind::kBinary: {
      auto* b = static_cast<BinaryExpr*>(e);
      Walk(b->lhs.get(), t_ms, frozen, unsafe);
      Walk(b->rhs.get(), t_ms, frozen, unsafe);
      return;
    }
    case NodeKind::kCall: {
      auto* c = static_cast<Call*>(e);
      if (!frozen && c->func != nullptr && IsAtUnsafe(c->func->name)) *unsafe = true;
      for (auto& a : c->args) Walk(a.get(), t_ms, frozen, unsafe);
      return;
    }
    case NodeKind::kAggregate: {
      auto* a = static_cast<AggregateExpr*>(e);
      Walk(a->param.get(), t_ms, frozen, unsafe);
      Walk(a->expr.get(), t_ms, frozen, unsafe);
      return;
    }
  }
}

}  // namespace

bool InjectAtModifier(Expr& root, int64_t t_ms) {
  bool unsafe = false;
  Walk(&root, t_ms, false, &unsafe);
  return !unsafe;
}

std::vector<int64_t> AtVariantTimes(int64_t t_ms) {
  if (t_ms == 0) return {-1000, 0, 1000};
  return {-10 * t_ms, 0, t_ms / 5, t_ms, 10 * t_ms};
}

}  // namespace vigil::promql::conformance
