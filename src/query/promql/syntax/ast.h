// The PromQL syntax tree, as the parser produces it and the engine evaluates it.
//
// Nodes are a small closed hierarchy: each has a `kind` so the engine dispatches with a
// switch and a static_cast (no visitor machinery), and owns its children. Positions are byte
// offsets into the query string, kept so errors can point at the offending part.
//
// Thread-safety: a parsed tree is immutable and may be evaluated by many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/matcher.h"

namespace vigil::promql {

// The four PromQL value types. Names are those Prometheus prints in errors and the API.
enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// "scalar", "instant vector", "range vector", "string" (as in parser type errors).
const char* ValueTypeDocName(ValueType t);
// "scalar", "vector", "matrix", "string" (the API's resultType).
const char* ValueTypeApiName(ValueType t);

enum class BinaryOp {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,  // arithmetic
  kEql, kNeq, kGtr, kLss, kGte, kLte,          // comparison
  kAnd, kOr, kUnless,                          // set
};
bool IsComparison(BinaryOp op);
bool IsSetOp(BinaryOp op);
// The operator as written: "+", "==", "and", "atan2" …
const char* BinaryOpName(BinaryOp op);

enum class AggregateOp {
  kSum, kAvg, kMin, kMax, kCount, kGroup, kStddev, kStdvar, kTopK, kBottomK, kQuantile,
  kCountValues,
};
// Aggregations that take a parameter: topk/bottomk (scalar), quantile (scalar),
// count_values (string).
bool AggregateHasParam(AggregateOp op);
const char* AggregateOpName(AggregateOp op);  // "sum", "count_values" …

// Byte offsets [start, end) into the query text.
struct PosRange {
  int start = 0;
  int end = 0;
};

enum class NodeKind {
  kNumberLiteral, kStringLiteral, kVectorSelector, kMatrixSelector, kSubquery, kParen, kUnary,
  kBinary, kCall, kAggregate,
};

struct Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr() = default;
  const NodeKind kind;
  PosRange pos;
};
using ExprPtr = std::unique_ptr<Expr>;

// The static type of an expression (what the parser checks and the API reports).
ValueType TypeOf(const Expr& e);

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(NodeKind::kNumberLiteral) {}
  double value = 0;
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(NodeKind::kStringLiteral) {}
  std::string value;  // unquoted
};

// `@` modifier of a selector or subquery.
enum class AtKind { kNone, kTimestamp, kStart, kEnd };

// The time modifiers shared by vector selectors and subqueries.
struct TimeModifiers {
  int64_t offset_ms = 0;  // may be negative
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;  // for kTimestamp (milliseconds since the epoch)
};

struct VectorSelector : Expr {
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  std::string name;   // metric name as written before the braces, "" if none
  Matchers matchers;  // all matchers, including __name__="name" when a name was given
  TimeModifiers mods;
};

// `selector[range]`. Time modifiers live on the inner selector, as in Prometheus.
struct MatrixSelector : Expr {
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  std::unique_ptr<VectorSelector> selector;
  int64_t range_ms = 0;
};

// `expr[range:step]`; step_ms == 0 means the engine's default subquery step.
struct Subquery : Expr {
  Subquery() : Expr(NodeKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;
  TimeModifiers mods;
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(NodeKind::kParen) {}
  ExprPtr expr;
};

// Unary minus or plus on a non-literal (the parser folds signs into number literals).
struct UnaryExpr : Expr {
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  bool negate = true;  // false for unary '+'
  ExprPtr expr;
};

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

// `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)` of a binary operation
// between two vectors.
struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;                       // on(...) given (else ignoring, possibly empty)
  std::vector<std::string> labels;       // the on/ignoring label list
  std::vector<std::string> include;      // the group_left/group_right label list
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  // Set when both sides are vectors (set operators are always many-to-many).
  std::optional<VectorMatching> matching;
  bool return_bool = false;  // comparison with `bool`
};

enum class Function;  // function_info.h
struct FunctionInfo;

struct Call : Expr {
  Call() : Expr(NodeKind::kCall) {}
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile/count_values
  std::vector<std::string> grouping;
  bool without = false;
};

// Every vector selector in `e` (those inside matrix selectors included), in query order:
// what /api/v1/query_exemplars looks up.
std::vector<const VectorSelector*> Selectors(const Expr& e);

// Prometheus' canonical single-line form (`sum by (job) (rate(x[5m]))`), as String() prints it.
std::string ToString(const Expr& e);
// Prometheus' prettified multi-line form (the /api/v1/format_query output).
std::string Prettify(const Expr& e);

}  // namespace vigil::promql
