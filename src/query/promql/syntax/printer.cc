// ToString and Prettify: Prometheus 2.42's Expr.String() and Pretty(0), byte for byte.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "common/labels.h"
#include "common/strings.h"
#include "query/promql/syntax/ast.h"
#include "query/promql/syntax/function_info.h"
#include "common/go_text.h"

namespace vigil::promql {
namespace {

constexpr size_t kMaxLineChars = 100;  // Pretty splits nodes whose String() is longer

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

// " @ 100.000 offset 5m", as selectors and subqueries print their modifiers.
void AppendModifiers(std::string* out, const TimeModifiers& m) {
  switch (m.at) {
    case AtKind::kTimestamp:
      StrAppend(out, " @ ", gotext::FormatFixed(static_cast<double>(m.at_ms) / 1000.0, 3));
      break;
    case AtKind::kStart:
      out->append(" @ start()");
      break;
    case AtKind::kEnd:
      out->append(" @ end()");
      break;
    case AtKind::kNone:
      break;
  }
  if (m.offset_ms > 0) {
    StrAppend(out, " offset ", gotext::DurationString(m.offset_ms));
  } else if (m.offset_ms < 0) {
    StrAppend(out, " offset -", gotext::DurationString(-m.offset_ms));
  }
}

// `name{a="b",c=~"d"}` without modifiers. Matchers print sorted; the matcher that only
// restates the metric name is left out.
void AppendSelectorBody(std::string* out, const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const LabelMatcher& m : vs.matchers) {
    if (m.name() == kMetricName && m.type() == MatchType::kEqual && m.value() == vs.name) continue;
    std::string s = StrCat(m.name(), MatchOpText(m.type()));
    gotext::AppendQuoted(&s, m.value());
    parts.push_back(std::move(s));
  }
  out->append(vs.name);
  if (parts.empty()) return;
  std::sort(parts.begin(), parts.end());
  out->push_back('{');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(parts[i]);
  }
  out->push_back('}');
}

void AppendLabelList(std::string* out, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->append(", ");
    out->append(labels[i]);
  }
}

// The operator with its modifiers: " + bool on (a) group_left (b) ".
std::string BinaryOperatorText(const BinaryExpr& b) {
  std::string s = StrCat(" ", BinaryOpName(b.op));
  if (b.return_bool) s.append(" bool");
  const auto& vm = b.matching;
  if (vm && (!vm->labels.empty() || vm->on)) {
    StrAppend(&s, vm->on ? " on (" : " ignoring (");
    AppendLabelList(&s, vm->labels);
    s.push_back(')');
    if (vm->card == Cardinality::kManyToOne || vm->card == Cardinality::kOneToMany) {
      StrAppend(&s, vm->card == Cardinality::kManyToOne ? " group_left (" : " group_right (");
      AppendLabelList(&s, vm->include);
      s.push_back(')');
    }
  }
  s.push_back(' ');
  return s;
}

// "sum by (a) " / "sum without () " / "sum".
std::string AggregatePrefix(const AggregateExpr& a) {
  std::string s = AggregateOpName(a.op);
  if (a.without || !a.grouping.empty()) {
    s.append(a.without ? " without (" : " by (");
    AppendLabelList(&s, a.grouping);
    s.append(") ");
  }
  return s;
}

// "[1h:5m] @ 100.000 offset 1m".
std::string SubquerySuffix(const Subquery& sq) {
  std::string s = StrCat("[", gotext::DurationString(sq.range_ms), ":");
  if (sq.step_ms != 0) s.append(gotext::DurationString(sq.step_ms));
  s.push_back(']');
  AppendModifiers(&s, sq.mods);
  return s;
}

// The single-line form of leaves (literals and selectors).
std::string LeafString(const Expr& e) {
  std::string out;
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
      return gotext::FormatFloat(static_cast<const NumberLiteral&>(e).value);
    case NodeKind::kStringLiteral:
      return gotext::Quote(static_cast<const StringLiteral&>(e).value);
    case NodeKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      AppendSelectorBody(&out, vs);
      AppendModifiers(&out, vs.mods);
      return out;
    }
    case NodeKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      AppendSelectorBody(&out, *ms.selector);
      StrAppend(&out, "[", gotext::DurationString(ms.range_ms), "]");
      AppendModifiers(&out, ms.selector->mods);
      return out;
    }
    default:
      return out;
  }
}

bool IsLeaf(const Expr& e) {
  return e.kind == NodeKind::kNumberLiteral || e.kind == NodeKind::kStringLiteral ||
         e.kind == NodeKind::kVectorSelector || e.kind == NodeKind::kMatrixSelector;
}

void Append(const Expr& e, std::string* out) {
  if (IsLeaf(e)) {
    out->append(LeafString(e));
    return;
  }
  switch (e.kind) {
    case NodeKind::kSubquery: {
      const auto& sq = static_cast<const Subquery&>(e);
      Append(*sq.expr, out);
      out->append(SubquerySuffix(sq));
      return;
    }
    case NodeKind::kParen:
      out->push_back('(');
      Append(*static_cast<const ParenExpr&>(e).expr, out);
      out->push_back(')');
      return;
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      out->push_back(u.negate ? '-' : '+');
      Append(*u.expr, out);
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      Append(*b.lhs, out);
      out->append(BinaryOperatorText(b));
      Append(*b.rhs, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      StrAppend(out, c.func->name, "(");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(", ");
        Append(*c.args[i], out);
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      StrAppend(out, AggregatePrefix(a), "(");
      if (a.param) {
        Append(*a.param, out);
        out->append(", ");
      }
      Append(*a.expr, out);
      out->push_back(')');
      return;
    }
    default:
      return;
  }
}

// Pretty(0). Whether a node splits depends on its single-line length; the lengths are
// computed once, bottom-up, so prettifying stays linear in the size of the query.
class Prettifier {
 public:
  std::string Run(const Expr& e) {
    std::string out;
    Pretty(e, 0, &out);
    return out;
  }

 private:
  size_t Len(const Expr& e) {
    if (auto it = len_.find(&e); it != len_.end()) return it->second;
    size_t n = 0;
    if (IsLeaf(e)) {
      n = LeafString(e).size();
    } else {
      switch (e.kind) {
        case NodeKind::kSubquery: {
          const auto& sq = static_cast<const Subquery&>(e);
          n = Len(*sq.expr) + SubquerySuffix(sq).size();
          break;
        }
        case NodeKind::kParen:
          n = 2 + Len(*static_cast<const ParenExpr&>(e).expr);
          break;
        case NodeKind::kUnary:
          n = 1 + Len(*static_cast<const UnaryExpr&>(e).expr);
          break;
        case NodeKind::kBinary: {
          const auto& b = static_cast<const BinaryExpr&>(e);
          n = Len(*b.lhs) + BinaryOperatorText(b).size() + Len(*b.rhs);
          break;
        }
        case NodeKind::kCall: {
          const auto& c = static_cast<const Call&>(e);
          n = c.func->name.size() + 2;
          for (size_t i = 0; i < c.args.size(); ++i) n += Len(*c.args[i]) + (i > 0 ? 2 : 0);
          break;
        }
        case NodeKind::kAggregate: {
          const auto& a = static_cast<const AggregateExpr&>(e);
          n = AggregatePrefix(a).size() + 2 + Len(*a.expr) + (a.param ? Len(*a.param) + 2 : 0);
          break;
        }
        default:
          break;
      }
    }
    len_.emplace(&e, n);
    return n;
  }

  static void Indent(int level, std::string* out) {
    out->append(2 * static_cast<size_t>(level), ' ');
  }

  void Pretty(const Expr& e, int level, std::string* out) {
    bool split = Len(e) > kMaxLineChars;
    if (e.kind == NodeKind::kUnary) {
      // The operand prints at the same level; its indentation moves before the sign.
      const auto& u = static_cast<const UnaryExpr&>(e);
      std::string child;
      Pretty(*u.expr, level, &child);
      size_t b = child.find_first_not_of(" \t\n\r\v\f");
      size_t last = child.find_last_not_of(" \t\n\r\v\f");
      Indent(level, out);
      out->push_back(u.negate ? '-' : '+');
      if (b != std::string::npos) out->append(child, b, last - b + 1);
      return;
    }
    if (e.kind == NodeKind::kSubquery) {
      // Prometheus 2.42 prints an unsplit subquery without its indentation.
      const auto& sq = static_cast<const Subquery&>(e);
      if (!split) {
        Append(e, out);
        return;
      }
      Pretty(*sq.expr, level, out);
      out->append(SubquerySuffix(sq));
      return;
    }
    if (!split || IsLeaf(e)) {
      Indent(level, out);
      Append(e, out);
      return;
    }
    switch (e.kind) {
      case NodeKind::kParen:
        Indent(level, out);
        out->append("(\n");
        Pretty(*static_cast<const ParenExpr&>(e).expr, level + 1, out);
        out->push_back('\n');
        Indent(level, out);
        out->push_back(')');
        return;
      case NodeKind::kBinary: {
        const auto& b = static_cast<const BinaryExpr&>(e);
        Pretty(*b.lhs, level + 1, out);
        out->push_back('\n');
        Indent(level, out);
        std::string op = BinaryOperatorText(b);
        out->append(op, 1, op.size() - 2);  // without the surrounding spaces
        out->push_back('\n');
        Pretty(*b.rhs, level + 1, out);
        return;
      }
      case NodeKind::kCall: {
        const auto& c = static_cast<const Call&>(e);
        Indent(level, out);
        StrAppend(out, c.func->name, "(\n");
        for (size_t i = 0; i < c.args.size(); ++i) {
          if (i > 0) out->append(",\n");
          Pretty(*c.args[i], level + 1, out);
        }
        out->push_back('\n');
        Indent(level, out);
        out->push_back(')');
        return;
      }
      case NodeKind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(e);
        Indent(level, out);
        StrAppend(out, AggregatePrefix(a), "(\n");
        if (a.param) {
          Pretty(*a.param, level + 1, out);
          out->append(",\n");
        }
        Pretty(*a.expr, level + 1, out);
        out->push_back('\n');
        Indent(level, out);
        out->push_back(')');
        return;
      }
      default:
        return;
    }
  }

  absl::flat_hash_map<const Expr*, size_t> len_;
};

}  // namespace

std::string ToString(const Expr& e) {
  std::string out;
  Append(e, &out);
  return out;
}

std::string Prettify(const Expr& e) { return Prettifier().Run(e); }

}  // namespace vigil::promql
