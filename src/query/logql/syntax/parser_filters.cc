// Label filter expressions (`| status >= 500 and method="GET"`), in pipelines and after
// unwrap.
#include <algorithm>

#include "query/logql/syntax/parser_internal.h"

namespace vigil::logql::internal {
namespace {

bool CompareOpFrom(Tok t, CompareOp* op) {
  switch (t) {
    case Tok::kEq:
    case Tok::kCmpEq:
      *op = CompareOp::kEq;
      return true;
    case Tok::kNeq:
      *op = CompareOp::kNeq;
      return true;
    case Tok::kGt:
      *op = CompareOp::kGt;
      return true;
    case Tok::kGte:
      *op = CompareOp::kGte;
      return true;
    case Tok::kLt:
      *op = CompareOp::kLt;
      return true;
    case Tok::kLte:
      *op = CompareOp::kLte;
      return true;
    default:
      return false;
  }
}

}  // namespace

// Label filter expressions. Loki's grammar resolves them with yacc precedence: `and` binds
// tighter than `or`, both left-associative, while `,` and juxtaposition (which also mean
// `and`) have no precedence, so yacc always shifts past them: their right operand is
// everything up to the end of the expression (`a, b or c` is `a and (b or c)`). This is an
// operator-precedence parse with an explicit stack, so long chains use no recursion; runs of
// the same operation become one n-ary node.
bool Parser::ParseLabelFilter(LabelFilter* out) {
  enum class Op { kAnd, kOr, kComma };
  struct Operand {
    LabelFilter f;
    int depth;
  };
  std::vector<Operand> vals;
  std::vector<Op> ops;
  // Combines vals[first..] into one `kind` node, flattening operands of the same kind.
  auto combine = [&](LabelFilter::Kind kind, size_t first) {
    Operand& base = vals[first];
    LabelFilter node;
    int child_depth = 0;
    if (base.f.kind == kind) {
      node = std::move(base.f);
      child_depth = base.depth - 1;
    } else {
      node.kind = kind;
      node.children.push_back(std::move(base.f));
      child_depth = base.depth;
    }
    for (size_t i = first + 1; i < vals.size(); ++i) {
      Operand& o = vals[i];
      if (o.f.kind == kind) {
        child_depth = std::max(child_depth, o.depth - 1);
        for (LabelFilter& c : o.f.children) node.children.push_back(std::move(c));
      } else {
        child_depth = std::max(child_depth, o.depth);
        node.children.push_back(std::move(o.f));
      }
    }
    vals.resize(first);
    vals.push_back(Operand{std::move(node), child_depth + 1});
    return CheckDepth(child_depth + 1, last_end_);
  };
  auto kind_of = [](Op op) {
    return op == Op::kOr ? LabelFilter::Kind::kOr : LabelFilter::Kind::kAnd;
  };
  int depth = 0;
  LabelFilter first;
  if (!ParseLabelFilterPrimary(&first, &depth)) return false;
  vals.push_back(Operand{std::move(first), depth});
  while (true) {
    const Token& t = Peek();
    if (failed()) return false;
    Op op;
    bool consume = true;
    if (t.kind == Tok::kAnd) {
      op = Op::kAnd;
    } else if (t.kind == Tok::kOr) {
      op = Op::kOr;
    } else if (t.kind == Tok::kComma) {
      op = Op::kComma;
    } else if (t.kind == Tok::kIdentifier || t.kind == Tok::kOpenParen) {
      op = Op::kComma;
      consume = false;
    } else {
      break;
    }
    if (op != Op::kComma) {
      int prec = op == Op::kAnd ? 2 : 1;
      while (!ops.empty() && ops.back() != Op::kComma && (ops.back() == Op::kAnd ? 2 : 1) >= prec) {
        Op top = ops.back();
        ops.pop_back();
        if (!combine(kind_of(top), vals.size() - 2)) return false;
      }
    }
    ops.push_back(op);
    if (consume) Take();
    LabelFilter next;
    if (!ParseLabelFilterPrimary(&next, &depth)) return false;
    vals.push_back(Operand{std::move(next), depth});
  }
  while (!ops.empty()) {
    bool and_like = ops.back() != Op::kOr;
    size_t run = 0;
    while (run < ops.size() && (ops[ops.size() - 1 - run] != Op::kOr) == and_like) ++run;
    ops.resize(ops.size() - run);
    if (!combine(and_like ? LabelFilter::Kind::kAnd : LabelFilter::Kind::kOr,
                 vals.size() - run - 1)) {
      return false;
    }
  }
  last_depth_ = vals.front().depth;
  *out = std::move(vals.front().f);
  return true;
}

bool Parser::ParseLabelFilterPrimary(LabelFilter* out, int* depth) {
  const Token& t = Peek();
  if (failed()) return false;
  if (t.kind == Tok::kOpenParen) {
    bool ok = EnterNesting();
    NestingGuard guard(&nesting_);
    if (!ok) return false;
    Take();
    if (!ParseLabelFilter(out)) return false;
    *depth = last_depth_;
    if (Peek().kind != Tok::kCloseParen) {
      Unexpected(Peek());
      return false;
    }
    Take();
    return true;
  }
  if (t.kind != Tok::kIdentifier) {
    Unexpected(t, {Tok::kIdentifier, Tok::kOpenParen});
    return false;
  }
  out->kind = LabelFilter::Kind::kLeaf;
  *depth = 1;
  return ParseLabelFilterLeaf(&out->leaf);
}

bool Parser::ParseLabelFilterLeaf(LabelFilterLeaf* leaf) {
  leaf->name = std::string(Take().text);
  Token op = Take();
  if (op.kind == Tok::kError) {
    Unexpected(op);
    return false;
  }
  const Token& v = Peek();
  if (failed()) return false;
  bool equality = op.kind == Tok::kEq || op.kind == Tok::kNeq;
  if ((equality && v.kind == Tok::kString) || op.kind == Tok::kRe || op.kind == Tok::kNre) {
    Token s;
    if (!Expect(Tok::kString, &s)) return false;
    MatchType type = op.kind == Tok::kEq    ? MatchType::kEqual
                     : op.kind == Tok::kNeq ? MatchType::kNotEqual
                     : op.kind == Tok::kRe  ? MatchType::kRegexMatch
                                            : MatchType::kRegexNoMatch;
    auto m = MakeMatcher(type, leaf->name, s.str);
    if (!m.ok()) {
      FailSemantic(std::string(m.status().message()));
      return false;
    }
    leaf->kind = LabelValueKind::kString;
    leaf->matcher = std::move(*m);
    return true;
  }
  if (!CompareOpFrom(op.kind, &leaf->op)) {
    Unexpected(op);
    return false;
  }
  switch (v.kind) {
    case Tok::kIp: {
      if (!equality) break;
      Take();
      Token s;
      if (!Expect(Tok::kOpenParen) || !Expect(Tok::kString, &s) || !Expect(Tok::kCloseParen)) {
        return false;
      }
      leaf->kind = LabelValueKind::kIp;
      leaf->ip = std::move(s.str);
      return true;
    }
    case Tok::kDuration:
      leaf->kind = LabelValueKind::kDuration;
      leaf->duration_ns = Take().duration_ns;
      return true;
    case Tok::kBytes:
      leaf->kind = LabelValueKind::kBytes;
      leaf->bytes = Take().bytes;
      return true;
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub:
      leaf->kind = LabelValueKind::kNumber;
      return ParseSignedNumber(&leaf->number);
    default:
      break;
  }
  Unexpected(v);
  return false;
}

}  // namespace vigil::logql::internal
