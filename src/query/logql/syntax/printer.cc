// ToString: canonical LogQL that parses back to an equal tree.
#include <cmath>

#include "common/strings.h"
#include "query/logql/syntax/ast.h"
#include "query/logql/syntax/units.h"
#include "common/go_text.h"

namespace vigil::logql {
namespace {

using gotext::AppendQuoted;
using gotext::FormatFloat;

const char* MatchOpText(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "=";
}

// A number as the lexer reads it back. "-0" would lex as a duration (Go reads it as 0s), so
// the sign is set apart.
std::string NumberText(double v) {
  if (v == 0 && std::signbit(v)) return "- 0";
  return FormatFloat(v);
}

// A literal: LogQL has no Inf or NaN literals, so those print as expressions folding to them.
std::string LiteralText(double v) {
  if (std::isnan(v)) return "(0 / 0)";
  if (std::isinf(v)) return v > 0 ? "(2 ^ 1024)" : "(-2 ^ 1025)";
  return NumberText(v);
}

void AppendMatcher(std::string* out, const LabelMatcher& m) {
  StrAppend(out, m.name(), MatchOpText(m.type()));
  AppendQuoted(out, m.value());
}

void AppendList(std::string* out, const std::vector<std::string>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->append(", ");
    out->append(items[i]);
  }
}

void AppendLeaf(std::string* out, const LabelFilterLeaf& l) {
  switch (l.kind) {
    case LabelValueKind::kString:
      AppendMatcher(out, l.matcher);
      return;
    case LabelValueKind::kIp:
      StrAppend(out, l.name, l.op == CompareOp::kNeq ? "!=" : "=", "ip(");
      AppendQuoted(out, l.ip);
      out->push_back(')');
      return;
    case LabelValueKind::kNumber:
      StrAppend(out, l.name, CompareOpName(l.op), NumberText(l.number));
      return;
    case LabelValueKind::kDuration:
      StrAppend(out, l.name, CompareOpName(l.op), FormatDuration(l.duration_ns));
      return;
    case LabelValueKind::kBytes:
      StrAppend(out, l.name, CompareOpName(l.op), FormatBytes(l.bytes));
      return;
  }
}

void AppendFilter(std::string* out, const LabelFilter& f) {
  if (f.kind == LabelFilter::Kind::kLeaf) {
    AppendLeaf(out, f.leaf);
    return;
  }
  bool is_and = f.kind == LabelFilter::Kind::kAnd;
  for (size_t i = 0; i < f.children.size(); ++i) {
    if (i > 0) out->append(is_and ? " and " : " or ");
    const LabelFilter& c = f.children[i];
    // `or` under `and` needs parentheses; so does a nested node of the same kind (a tree
    // built by hand rather than parsed), to keep its shape.
    bool paren = c.kind != LabelFilter::Kind::kLeaf && (is_and || c.kind == f.kind);
    if (paren) out->push_back('(');
    AppendFilter(out, c);
    if (paren) out->push_back(')');
  }
}

void AppendExtractions(std::string* out,
                       const std::vector<std::pair<std::string, std::string>>& xs) {
  for (size_t i = 0; i < xs.size(); ++i) {
    out->append(i == 0 ? " " : ", ");
    StrAppend(out, xs[i].first, "=");
    AppendQuoted(out, xs[i].second);
  }
}

void AppendRefs(std::string* out, const std::vector<LabelRef>& refs) {
  for (size_t i = 0; i < refs.size(); ++i) {
    out->append(i == 0 ? " " : ", ");
    if (refs[i].matcher) {
      AppendMatcher(out, *refs[i].matcher);
    } else {
      out->append(refs[i].name);
    }
  }
}

struct StagePrinter {
  std::string* out;
  void operator()(const LineFilter& f) const {
    out->append(LineFilterOpName(f.op));
    for (size_t i = 0; i < f.values.size(); ++i) {
      out->append(i == 0 ? " " : " or ");
      if (f.values[i].is_ip) out->append("ip(");
      AppendQuoted(out, f.values[i].value);
      if (f.values[i].is_ip) out->push_back(')');
    }
  }
  void operator()(const JsonParser& p) const {
    out->append("| json");
    std::vector<std::pair<std::string, std::string>> xs;
    for (const JsonExtraction& x : p.extractions) xs.emplace_back(x.label, x.path);
    AppendExtractions(out, xs);
  }
  void operator()(const LogfmtParser& p) const {
    out->append("| logfmt");
    if (p.strict) out->append(" --strict");
    if (p.keep_empty) out->append(" --keep-empty");
    std::vector<std::pair<std::string, std::string>> xs;
    for (const LogfmtExtraction& x : p.extractions) xs.emplace_back(x.label, x.key);
    AppendExtractions(out, xs);
  }
  void operator()(const RegexpParser& p) const {
    out->append("| regexp ");
    AppendQuoted(out, p.regex);
  }
  void operator()(const PatternParser& p) const {
    out->append("| pattern ");
    AppendQuoted(out, p.pattern);
  }
  void operator()(const Unpack&) const { out->append("| unpack"); }
  void operator()(const Decolorize&) const { out->append("| decolorize"); }
  void operator()(const LabelFilter& f) const {
    out->append("| ");
    AppendFilter(out, f);
  }
  void operator()(const LineFormat& f) const {
    out->append("| line_format ");
    AppendQuoted(out, f.tmpl);
  }
  void operator()(const LabelFormat& f) const {
    out->append("| label_format");
    for (size_t i = 0; i < f.items.size(); ++i) {
      StrAppend(out, i == 0 ? " " : ", ", f.items[i].dst, "=");
      if (f.items[i].is_template) {
        AppendQuoted(out, f.items[i].value);
      } else {
        out->append(f.items[i].value);
      }
    }
  }
  void operator()(const DropLabels& d) const {
    out->append("| drop");
    AppendRefs(out, d.labels);
  }
  void operator()(const KeepLabels& k) const {
    out->append("| keep");
    AppendRefs(out, k.labels);
  }
};

void AppendSelector(std::string* out, const LogSelectorExpr& s) {
  out->push_back('{');
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendMatcher(out, s.matchers[i]);
  }
  out->push_back('}');
  for (const Stage& st : s.pipeline) {
    out->push_back(' ');
    std::visit(StagePrinter{out}, st);
  }
  if (s.unwrap) {
    const Unwrap& u = *s.unwrap;
    if (u.conversion == UnwrapConversion::kNone) {
      StrAppend(out, " | unwrap ", u.label);
    } else {
      StrAppend(out, " | unwrap ", UnwrapConversionName(u.conversion), "(", u.label, ")");
    }
    for (const LabelFilter& f : u.post_filters) {
      out->append(" | ");
      AppendFilter(out, f);
    }
  }
}

void AppendGrouping(std::string* out, const Grouping& g) {
  out->append(g.without ? "without (" : "by (");
  AppendList(out, g.labels);
  out->push_back(')');
}

int Precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return 1;
    case BinaryOp::kAnd:
    case BinaryOp::kUnless:
      return 2;
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kGte:
    case BinaryOp::kLss:
    case BinaryOp::kLte:
      return 3;
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
      return 4;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      return 5;
    case BinaryOp::kPow:
      return 6;
  }
  return 0;
}

void AppendExpr(std::string* out, const Expr& e);

// An operand of a binary operation, parenthesized when the tree would otherwise re-associate.
void AppendOperand(std::string* out, const Expr& e, int parent_prec, bool right, bool right_assoc) {
  bool paren = false;
  if (e.kind == NodeKind::kBinary) {
    int p = Precedence(static_cast<const BinaryExpr&>(e).op);
    paren = p < parent_prec || (p == parent_prec && right != right_assoc);
  }
  if (paren) out->push_back('(');
  AppendExpr(out, e);
  if (paren) out->push_back(')');
}

void AppendBinary(std::string* out, const BinaryExpr& b) {
  int prec = Precedence(b.op);
  bool right_assoc = b.op == BinaryOp::kPow;
  AppendOperand(out, *b.lhs, prec, /*right=*/false, right_assoc);
  StrAppend(out, " ", BinaryOpName(b.op));
  if (b.return_bool) out->append(" bool");
  const VectorMatching& m = b.matching;
  if (m.on || !m.labels.empty() || m.card != Cardinality::kOneToOne) {
    out->append(m.on ? " on (" : " ignoring (");
    AppendList(out, m.labels);
    out->push_back(')');
    if (m.card != Cardinality::kOneToOne) {
      out->append(m.card == Cardinality::kManyToOne ? " group_left" : " group_right");
      if (!m.include.empty()) {
        out->append(" (");
        AppendList(out, m.include);
        out->push_back(')');
      }
    }
  }
  out->push_back(' ');
  AppendOperand(out, *b.rhs, prec, /*right=*/true, right_assoc);
}

void AppendExpr(std::string* out, const Expr& e) {
  switch (e.kind) {
    case NodeKind::kLogSelector:
      AppendSelector(out, static_cast<const LogSelectorExpr&>(e));
      return;
    case NodeKind::kRangeAggregation: {
      const auto& r = static_cast<const RangeAggregationExpr&>(e);
      StrAppend(out, RangeOpName(r.op), "(");
      if (r.param) StrAppend(out, FormatFloat(*r.param), ", ");
      AppendSelector(out, *r.selector);
      StrAppend(out, " [", gotext::DurationString(r.range_ns / 1000000), "]");
      if (r.offset_ns != 0) StrAppend(out, " offset ", FormatDuration(r.offset_ns));
      out->push_back(')');
      if (r.grouping) {
        out->push_back(' ');
        AppendGrouping(out, *r.grouping);
      }
      return;
    }
    case NodeKind::kVectorAggregation: {
      const auto& v = static_cast<const VectorAggregationExpr&>(e);
      out->append(VectorOpName(v.op));
      if (v.grouping.without || !v.grouping.labels.empty()) {
        out->push_back(' ');
        AppendGrouping(out, v.grouping);
        out->push_back(' ');
      }
      out->push_back('(');
      if (v.op == VectorOp::kTopK || v.op == VectorOp::kBottomK) StrAppend(out, v.param, ", ");
      AppendExpr(out, *v.expr);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary:
      AppendBinary(out, static_cast<const BinaryExpr&>(e));
      return;
    case NodeKind::kLiteral:
      out->append(LiteralText(static_cast<const LiteralExpr&>(e).value));
      return;
    case NodeKind::kVector:
      StrAppend(out, "vector(", NumberText(static_cast<const VectorExpr&>(e).value), ")");
      return;
    case NodeKind::kLabelReplace: {
      const auto& l = static_cast<const LabelReplaceExpr&>(e);
      out->append("label_replace(");
      AppendExpr(out, *l.expr);
      for (const std::string* s : {&l.dst, &l.replacement, &l.src, &l.regex}) {
        out->append(", ");
        AppendQuoted(out, *s);
      }
      out->push_back(')');
      return;
    }
  }
}

}  // namespace

std::string ToString(const Expr& e) {
  std::string out;
  AppendExpr(&out, e);
  return out;
}

std::string ToString(const LabelFilter& f) {
  std::string out;
  AppendFilter(&out, f);
  return out;
}

}  // namespace vigil::logql
