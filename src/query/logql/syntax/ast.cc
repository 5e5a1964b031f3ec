#include "query/logql/syntax/ast.h"

#include <cmath>

namespace vigil::logql {
namespace {

bool SameNumber(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

bool SameMatcher(const LabelMatcher& a, const LabelMatcher& b) {
  return a.type() == b.type() && a.name() == b.name() && a.value() == b.value();
}

bool SameMatchers(const Matchers& a, const Matchers& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameMatcher(a[i], b[i])) return false;
  }
  return true;
}

bool SameGrouping(const Grouping& a, const Grouping& b) {
  return a.without == b.without && a.labels == b.labels;
}

bool SameLeaf(const LabelFilterLeaf& a, const LabelFilterLeaf& b) {
  if (a.kind != b.kind || a.name != b.name) return false;
  switch (a.kind) {
    case LabelValueKind::kString:
      return SameMatcher(a.matcher, b.matcher);
    case LabelValueKind::kNumber:
      return a.op == b.op && SameNumber(a.number, b.number);
    case LabelValueKind::kDuration:
      return a.op == b.op && a.duration_ns == b.duration_ns;
    case LabelValueKind::kBytes:
      return a.op == b.op && a.bytes == b.bytes;
    case LabelValueKind::kIp:
      return a.op == b.op && a.ip == b.ip;
  }
  return false;
}

bool SameFilters(const std::vector<LabelFilter>& a, const std::vector<LabelFilter>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Equal(a[i], b[i])) return false;
  }
  return true;
}

bool SameRefs(const std::vector<LabelRef>& a, const std::vector<LabelRef>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].matcher.has_value() != b[i].matcher.has_value())
      return false;
    if (a[i].matcher && !SameMatcher(*a[i].matcher, *b[i].matcher)) return false;
  }
  return true;
}

// Stage equality, one overload per alternative.
struct StageEq {
  bool operator()(const LineFilter& a, const LineFilter& b) const {
    if (a.op != b.op || a.values.size() != b.values.size()) return false;
    for (size_t i = 0; i < a.values.size(); ++i) {
      if (a.values[i].value != b.values[i].value || a.values[i].is_ip != b.values[i].is_ip) {
        return false;
      }
    }
    return true;
  }
  bool operator()(const JsonParser& a, const JsonParser& b) const {
    if (a.extractions.size() != b.extractions.size()) return false;
    for (size_t i = 0; i < a.extractions.size(); ++i) {
      if (a.extractions[i].label != b.extractions[i].label ||
          a.extractions[i].path != b.extractions[i].path) {
        return false;
      }
    }
    return true;
  }
  bool operator()(const LogfmtParser& a, const LogfmtParser& b) const {
    if (a.strict != b.strict || a.keep_empty != b.keep_empty ||
        a.extractions.size() != b.extractions.size()) {
      return false;
    }
    for (size_t i = 0; i < a.extractions.size(); ++i) {
      if (a.extractions[i].label != b.extractions[i].label ||
          a.extractions[i].key != b.extractions[i].key) {
        return false;
      }
    }
    return true;
  }
  bool operator()(const RegexpParser& a, const RegexpParser& b) const { return a.regex == b.regex; }
  bool operator()(const PatternParser& a, const PatternParser& b) const {
    return a.pattern == b.pattern;
  }
  bool operator()(const Unpack&, const Unpack&) const { return true; }
  bool operator()(const Decolorize&, const Decolorize&) const { return true; }
  bool operator()(const LabelFilter& a, const LabelFilter& b) const { return Equal(a, b); }
  bool operator()(const LineFormat& a, const LineFormat& b) const { return a.tmpl == b.tmpl; }
  bool operator()(const LabelFormat& a, const LabelFormat& b) const {
    if (a.items.size() != b.items.size()) return false;
    for (size_t i = 0; i < a.items.size(); ++i) {
      if (a.items[i].dst != b.items[i].dst || a.items[i].value != b.items[i].value ||
          a.items[i].is_template != b.items[i].is_template) {
        return false;
      }
    }
    return true;
  }
  bool operator()(const DropLabels& a, const DropLabels& b) const {
    return SameRefs(a.labels, b.labels);
  }
  bool operator()(const KeepLabels& a, const KeepLabels& b) const {
    return SameRefs(a.labels, b.labels);
  }
  template <typename A, typename B>
  bool operator()(const A&, const B&) const {
    return false;
  }
};

bool SameSelector(const LogSelectorExpr& a, const LogSelectorExpr& b) {
  if (!SameMatchers(a.matchers, b.matchers) || a.pipeline.size() != b.pipeline.size()) return false;
  for (size_t i = 0; i < a.pipeline.size(); ++i) {
    if (!std::visit(StageEq{}, a.pipeline[i], b.pipeline[i])) return false;
  }
  if (a.unwrap.has_value() != b.unwrap.has_value()) return false;
  if (a.unwrap) {
    const Unwrap& x = *a.unwrap;
    const Unwrap& y = *b.unwrap;
    if (x.label != y.label || x.conversion != y.conversion ||
        !SameFilters(x.post_filters, y.post_filters)) {
      return false;
    }
  }
  return true;
}

void CollectSelectors(const Expr& e, std::vector<const LogSelectorExpr*>* out) {
  switch (e.kind) {
    case NodeKind::kLogSelector:
      out->push_back(static_cast<const LogSelectorExpr*>(&e));
      break;
    case NodeKind::kRangeAggregation:
      out->push_back(static_cast<const RangeAggregationExpr&>(e).selector.get());
      break;
    case NodeKind::kVectorAggregation:
      CollectSelectors(*static_cast<const VectorAggregationExpr&>(e).expr, out);
      break;
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      CollectSelectors(*b.lhs, out);
      CollectSelectors(*b.rhs, out);
      break;
    }
    case NodeKind::kLabelReplace:
      CollectSelectors(*static_cast<const LabelReplaceExpr&>(e).expr, out);
      break;
    case NodeKind::kLiteral:
    case NodeKind::kVector:
      break;
  }
}

}  // namespace

const char* LineFilterOpName(LineFilterOp op) {
  switch (op) {
    case LineFilterOp::kContains:
      return "|=";
    case LineFilterOp::kNotContains:
      return "!=";
    case LineFilterOp::kMatch:
      return "|~";
    case LineFilterOp::kNotMatch:
      return "!~";
    case LineFilterOp::kPattern:
      return "|>";
    case LineFilterOp::kNotPattern:
      return "!>";
  }
  return "|=";
}

bool IsNegative(LineFilterOp op) {
  return op == LineFilterOp::kNotContains || op == LineFilterOp::kNotMatch ||
         op == LineFilterOp::kNotPattern;
}

bool LineFilter::HasIp() const {
  for (const LineFilterValue& v : values) {
    if (v.is_ip) return true;
  }
  return false;
}

const char* CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNeq:
      return "!=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGte:
      return ">=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLte:
      return "<=";
  }
  return "==";
}

const char* UnwrapConversionName(UnwrapConversion c) {
  switch (c) {
    case UnwrapConversion::kNone:
      return "";
    case UnwrapConversion::kBytes:
      return "bytes";
    case UnwrapConversion::kDuration:
      return "duration";
    case UnwrapConversion::kDurationSeconds:
      return "duration_seconds";
  }
  return "";
}

const char* RangeOpName(RangeOp op) {
  switch (op) {
    case RangeOp::kCountOverTime:
      return "count_over_time";
    case RangeOp::kRate:
      return "rate";
    case RangeOp::kRateCounter:
      return "rate_counter";
    case RangeOp::kBytesOverTime:
      return "bytes_over_time";
    case RangeOp::kBytesRate:
      return "bytes_rate";
    case RangeOp::kAbsentOverTime:
      return "absent_over_time";
    case RangeOp::kSumOverTime:
      return "sum_over_time";
    case RangeOp::kAvgOverTime:
      return "avg_over_time";
    case RangeOp::kMaxOverTime:
      return "max_over_time";
    case RangeOp::kMinOverTime:
      return "min_over_time";
    case RangeOp::kFirstOverTime:
      return "first_over_time";
    case RangeOp::kLastOverTime:
      return "last_over_time";
    case RangeOp::kStdvarOverTime:
      return "stdvar_over_time";
    case RangeOp::kStddevOverTime:
      return "stddev_over_time";
    case RangeOp::kQuantileOverTime:
      return "quantile_over_time";
  }
  return "";
}

const char* VectorOpName(VectorOp op) {
  switch (op) {
    case VectorOp::kSum:
      return "sum";
    case VectorOp::kAvg:
      return "avg";
    case VectorOp::kMin:
      return "min";
    case VectorOp::kMax:
      return "max";
    case VectorOp::kCount:
      return "count";
    case VectorOp::kStddev:
      return "stddev";
    case VectorOp::kStdvar:
      return "stdvar";
    case VectorOp::kTopK:
      return "topk";
    case VectorOp::kBottomK:
      return "bottomk";
    case VectorOp::kSort:
      return "sort";
    case VectorOp::kSortDesc:
      return "sort_desc";
  }
  return "";
}

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kUnless:
      return "unless";
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
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kLte:
      return "<=";
  }
  return "";
}

bool IsComparison(BinaryOp op) {
  return op == BinaryOp::kEql || op == BinaryOp::kNeq || op == BinaryOp::kGtr ||
         op == BinaryOp::kGte || op == BinaryOp::kLss || op == BinaryOp::kLte;
}

bool IsSetOp(BinaryOp op) {
  return op == BinaryOp::kOr || op == BinaryOp::kAnd || op == BinaryOp::kUnless;
}

std::vector<const LogSelectorExpr*> Selectors(const Expr& e) {
  std::vector<const LogSelectorExpr*> out;
  CollectSelectors(e, &out);
  return out;
}

bool Equal(const LabelFilter& a, const LabelFilter& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == LabelFilter::Kind::kLeaf) return SameLeaf(a.leaf, b.leaf);
  return SameFilters(a.children, b.children);
}

bool Equal(const Expr& a, const Expr& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case NodeKind::kLogSelector:
      return SameSelector(static_cast<const LogSelectorExpr&>(a),
                          static_cast<const LogSelectorExpr&>(b));
    case NodeKind::kRangeAggregation: {
      const auto& x = static_cast<const RangeAggregationExpr&>(a);
      const auto& y = static_cast<const RangeAggregationExpr&>(b);
      if (x.op != y.op || x.range_ns != y.range_ns || x.offset_ns != y.offset_ns) return false;
      if (x.param.has_value() != y.param.has_value()) return false;
      if (x.param && !SameNumber(*x.param, *y.param)) return false;
      if (x.grouping.has_value() != y.grouping.has_value()) return false;
      if (x.grouping && !SameGrouping(*x.grouping, *y.grouping)) return false;
      return SameSelector(*x.selector, *y.selector);
    }
    case NodeKind::kVectorAggregation: {
      const auto& x = static_cast<const VectorAggregationExpr&>(a);
      const auto& y = static_cast<const VectorAggregationExpr&>(b);
      return x.op == y.op && x.param == y.param && SameGrouping(x.grouping, y.grouping) &&
             Equal(*x.expr, *y.expr);
    }
    case NodeKind::kBinary: {
      const auto& x = static_cast<const BinaryExpr&>(a);
      const auto& y = static_cast<const BinaryExpr&>(b);
      return x.op == y.op && x.return_bool == y.return_bool && x.matching.card == y.matching.card &&
             x.matching.on == y.matching.on && x.matching.labels == y.matching.labels &&
             x.matching.include == y.matching.include && Equal(*x.lhs, *y.lhs) &&
             Equal(*x.rhs, *y.rhs);
    }
    case NodeKind::kLiteral:
      return SameNumber(static_cast<const LiteralExpr&>(a).value,
                        static_cast<const LiteralExpr&>(b).value);
    case NodeKind::kVector:
      return SameNumber(static_cast<const VectorExpr&>(a).value,
                        static_cast<const VectorExpr&>(b).value);
    case NodeKind::kLabelReplace: {
      const auto& x = static_cast<const LabelReplaceExpr&>(a);
      const auto& y = static_cast<const LabelReplaceExpr&>(b);
      return x.dst == y.dst && x.replacement == y.replacement && x.src == y.src &&
             x.regex == y.regex && Equal(*x.expr, *y.expr);
    }
  }
  return false;
}

}  // namespace vigil::logql
