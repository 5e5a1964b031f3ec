// The LogQL syntax tree, as the parser produces it and the LogQL engine evaluates it.
//
// A query is either a log query (a LogSelectorExpr: stream matchers plus a pipeline of
// stages) or a metric query built from range aggregations over log selectors, vector
// aggregations, binary operations, literals, vector(n) and label_replace. As in the PromQL
// tree, nodes form a small closed hierarchy dispatched on `kind` with a static_cast, and own
// their children. Pipeline stages are plain value structs in a std::variant, in query order.
//
// Everything the parser could check is checked: regular expressions are compiled (and kept,
// so the engine need not compile them again), `| regexp` has a named group, `| pattern` is
// well formed, JSON paths are parsed, values are converted. Parenthesized expressions leave no
// node; constant binary operations between two literals are folded into one literal, as Loki
// folds them.
//
// Thread-safety: a parsed tree is immutable and may be evaluated by many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "re2/re2.h"
#include "storage/matcher.h"

namespace vigil::logql {

// Byte offsets [start, end) into the query text.
struct PosRange {
  int start = 0;
  int end = 0;
};

// ---- Pipeline stages ---------------------------------------------------------------------

enum class LineFilterOp {
  kContains,     // |=  substring
  kNotContains,  // !=
  kMatch,        // |~  RE2 search (unanchored)
  kNotMatch,     // !~
  kPattern,      // |>  pattern match (`<_>` wildcards)
  kNotPattern,   // !>
};
const char* LineFilterOpName(LineFilterOp op);  // "|=", "!=", "|~", "!~", "|>", "!>"
bool IsNegative(LineFilterOp op);

struct LineFilterValue {
  std::string value;
  bool is_ip = false;  // ip("..."): the line holds an IP address matching this pattern
  // kMatch/kNotMatch (not ip): `value` compiled as Loki compiles it (RE2, unanchored).
  std::shared_ptr<const RE2> re;
};

// One line filter with its `or` alternatives: `|= "a" or "b"`. For a positive op the line
// must match one of the values; for a negative op it must match none of them (`!= "a" or
// "b"` keeps lines containing neither, as in Loki).
struct LineFilter {
  LineFilterOp op = LineFilterOp::kContains;
  std::vector<LineFilterValue> values;  // at least one
  bool HasIp() const;
};

// A step of a JSON path: `.field` / `["key"]` (kField) or `[3]` (kIndex).
struct JsonPathPart {
  bool is_index = false;
  std::string key;
  int64_t index = 0;
};

// `| json` extracts every field (nested keys joined with `_`); `| json a="x.y", b` extracts
// the listed paths into the named labels (`b` alone means the path "b").
struct JsonExtraction {
  std::string label;
  std::string path;  // as written
  std::vector<JsonPathPart> parts;
};
struct JsonParser {
  std::vector<JsonExtraction> extractions;  // empty: extract everything
};

struct LogfmtExtraction {
  std::string label;
  std::string key;
};
struct LogfmtParser {
  bool strict = false;                        // --strict: stop at the first malformed pair
  bool keep_empty = false;                    // --keep-empty: keep standalone keys as empty labels
  std::vector<LogfmtExtraction> extractions;  // empty: extract every key
};

// `| regexp "re"`: named groups become labels. `re` is compiled; it has at least one named
// group, and the names are valid label names without duplicates.
struct RegexpParser {
  std::string regex;
  std::shared_ptr<const RE2> re;
};

// `| pattern "<ip> - <_> <status>"`, split into literals and captures. There is at least one
// named capture, no two captures are adjacent and names do not repeat.
struct PatternPart {
  bool capture = false;  // capture name in `text` ("_" for an unnamed one), else a literal
  std::string text;
};
struct PatternParser {
  std::string pattern;
  std::vector<PatternPart> parts;
};

struct Unpack {};
struct Decolorize {};

// Label filter leaves: a string matcher (`= != =~ !~` against a string), or a comparison of
// the label's value converted to a number, duration or byte size, or an ip() match.
enum class LabelValueKind { kString, kNumber, kDuration, kBytes, kIp };
enum class CompareOp { kEq, kNeq, kGt, kGte, kLt, kLte };
const char* CompareOpName(CompareOp op);  // "==", "!=", ">", ">=", "<", "<="

struct LabelFilterLeaf {
  LabelValueKind kind = LabelValueKind::kString;
  std::string name;
  LabelMatcher matcher;           // kString (anchored regexes, as in stream selectors)
  CompareOp op = CompareOp::kEq;  // the other kinds (kIp: kEq or kNeq)
  double number = 0;              // kNumber
  int64_t duration_ns = 0;        // kDuration
  uint64_t bytes = 0;             // kBytes
  std::string ip;                 // kIp: the pattern inside ip("...")
};

// A label filter expression: a leaf, or an `and`/`or` of two or more children (nested
// operations of the same kind are flattened). `and` binds tighter than `or`; `,` and
// juxtaposition also mean `and`, grouping (as in Loki's grammar) everything to their right.
struct LabelFilter {
  enum class Kind { kLeaf, kAnd, kOr };
  Kind kind = Kind::kLeaf;
  LabelFilterLeaf leaf;               // kLeaf
  std::vector<LabelFilter> children;  // kAnd, kOr
};

struct LineFormat {
  std::string tmpl;  // a Go text/template
};

// `| label_format dst=src` renames (is_template false, value is the source label);
// `dst="{{.x}}"` sets dst from a template.
struct LabelFormatItem {
  std::string dst;
  std::string value;
  bool is_template = false;
};
struct LabelFormat {
  std::vector<LabelFormatItem> items;
};

// A `drop`/`keep` operand: a plain label name, or a matcher on that label.
struct LabelRef {
  std::string name;
  std::optional<LabelMatcher> matcher;
};
struct DropLabels {
  std::vector<LabelRef> labels;
};
struct KeepLabels {
  std::vector<LabelRef> labels;
};

using Stage =
    std::variant<LineFilter, JsonParser, LogfmtParser, RegexpParser, PatternParser, Unpack,
                 Decolorize, LabelFilter, LineFormat, LabelFormat, DropLabels, KeepLabels>;

enum class UnwrapConversion { kNone, kBytes, kDuration, kDurationSeconds };
const char* UnwrapConversionName(UnwrapConversion c);  // "", "bytes", "duration", ...

// `| unwrap latency`, `| unwrap duration(latency)`, then label filters applied after the
// conversion (`| __error__=""`).
struct Unwrap {
  std::string label;
  UnwrapConversion conversion = UnwrapConversion::kNone;
  std::vector<LabelFilter> post_filters;
};

// ---- Expressions -------------------------------------------------------------------------

enum class NodeKind {
  kLogSelector,
  kRangeAggregation,
  kVectorAggregation,
  kBinary,
  kLiteral,
  kVector,
  kLabelReplace,
};

struct Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr() = default;
  const NodeKind kind;
  PosRange pos;
};
using ExprPtr = std::unique_ptr<Expr>;

// `{app="x"} |= "err" | json | level="error"`. At least one matcher does not match the empty
// string. `unwrap` is set only on the operand of a range aggregation.
struct LogSelectorExpr : Expr {
  LogSelectorExpr() : Expr(NodeKind::kLogSelector) {}
  Matchers matchers;
  std::vector<Stage> pipeline;
  std::optional<Unwrap> unwrap;
};

enum class RangeOp {
  kCountOverTime,
  kRate,
  kRateCounter,
  kBytesOverTime,
  kBytesRate,
  kAbsentOverTime,
  kSumOverTime,
  kAvgOverTime,
  kMaxOverTime,
  kMinOverTime,
  kFirstOverTime,
  kLastOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
};
const char* RangeOpName(RangeOp op);  // "count_over_time", "rate", ...

struct Grouping {
  bool without = false;
  std::vector<std::string> labels;
};

// `rate({app="x"} |= "err" [5m] offset 1h)`, `quantile_over_time(0.99, {...} | unwrap d
// [5m]) by (route)`. Validated as Loki validates it: sum/avg/min/max/first/last/stdvar/
// stddev/quantile_over_time and rate_counter have an unwrap, count_over_time and bytes_*
// have none, rate and absent_over_time may have one; only avg/min/max/first/last/stdvar/
// stddev/quantile_over_time take a grouping; only quantile_over_time takes a parameter.
struct RangeAggregationExpr : Expr {
  RangeAggregationExpr() : Expr(NodeKind::kRangeAggregation) {}
  RangeOp op = RangeOp::kCountOverTime;
  std::unique_ptr<LogSelectorExpr> selector;  // with its unwrap, if any
  int64_t range_ns = 0;                       // a whole number of milliseconds
  int64_t offset_ns = 0;                      // may be negative
  std::optional<double> param;                // quantile_over_time's φ
  std::optional<Grouping> grouping;
};

enum class VectorOp {
  kSum,
  kAvg,
  kMin,
  kMax,
  kCount,
  kStddev,
  kStdvar,
  kTopK,
  kBottomK,
  kSort,
  kSortDesc,
};
const char* VectorOpName(VectorOp op);  // "sum", "topk", "sort_desc", ...

// `sum by (level) (...)`; no grouping is `by ()`. topk/bottomk have param >= 1.
struct VectorAggregationExpr : Expr {
  VectorAggregationExpr() : Expr(NodeKind::kVectorAggregation) {}
  VectorOp op = VectorOp::kSum;
  ExprPtr expr;
  Grouping grouping;
  int64_t param = 0;
};

enum class BinaryOp {
  kOr,
  kAnd,
  kUnless,  // set
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,  // arithmetic
  kEql,
  kNeq,
  kGtr,
  kGte,
  kLss,
  kLte,  // comparison
};
const char* BinaryOpName(BinaryOp op);  // "or", "+", "==", ...
bool IsComparison(BinaryOp op);
bool IsSetOp(BinaryOp op);

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;                   // on(...) given, else ignoring(...) (possibly empty)
  std::vector<std::string> labels;   // the on/ignoring list
  std::vector<std::string> include;  // the group_left/group_right list
};

// Both operands are metric expressions and at most one is a literal.
struct BinaryExpr : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  VectorMatching matching;
  bool return_bool = false;
};

struct LiteralExpr : Expr {
  LiteralExpr() : Expr(NodeKind::kLiteral) {}
  double value = 0;
};

// vector(n): a one-sample vector without labels at every step.
struct VectorExpr : Expr {
  VectorExpr() : Expr(NodeKind::kVector) {}
  double value = 0;
};

// label_replace(expr, "dst", "replacement", "src", "regex"); `re` is `^(?:regex)$`.
struct LabelReplaceExpr : Expr {
  LabelReplaceExpr() : Expr(NodeKind::kLabelReplace) {}
  ExprPtr expr;
  std::string dst;
  std::string replacement;
  std::string src;
  std::string regex;
  std::shared_ptr<const RE2> re;
};

// True for metric queries (anything but a log selector).
inline bool IsMetricQuery(const Expr& e) { return e.kind != NodeKind::kLogSelector; }

// Every log selector of the tree, in query order.
std::vector<const LogSelectorExpr*> Selectors(const Expr& e);

// Structural equality (compiled regexes and positions aside; NaN literals equal each other).
bool Equal(const Expr& a, const Expr& b);
bool Equal(const LabelFilter& a, const LabelFilter& b);

// The canonical LogQL text of the tree: it parses back to an equal tree. Spacing follows
// PromQL's printer (`sum by (level) (count_over_time({app="x"} |= "err" [5m]))`), label
// filters print as Loki prints them (`status>=500`, `method="GET"`).
std::string ToString(const Expr& e);
std::string ToString(const LabelFilter& f);

}  // namespace vigil::logql
