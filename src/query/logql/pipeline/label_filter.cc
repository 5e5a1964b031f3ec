#include "query/logql/pipeline/label_filter.h"

#include "query/logql/pipeline/value_parse.h"

namespace vigil::logql::pipeline {
namespace {

template <typename T>
bool Compare(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
  }
  return false;
}

}  // namespace

LabelFilter LabelFilter::Leaf(Node node) {
  LabelFilter f;
  f.nodes_.push_back(std::move(node));
  f.root_ = 0;
  return f;
}

absl::StatusOr<LabelFilter> LabelFilter::String(MatchType type, std::string_view name,
                                                std::string_view value) {
  absl::StatusOr<LabelMatcher> m = LabelMatcher::Make(type, name, value);
  if (!m.ok()) return m.status();
  Node n;
  n.kind = Node::Kind::kString;
  n.name = std::string(name);
  n.matcher = std::move(*m);
  return Leaf(std::move(n));
}

LabelFilter LabelFilter::Numeric(std::string_view name, CompareOp op, double value) {
  Node n;
  n.kind = Node::Kind::kNumeric;
  n.name = std::string(name);
  n.op = op;
  n.number = value;
  return Leaf(std::move(n));
}

LabelFilter LabelFilter::Duration(std::string_view name, CompareOp op, int64_t nanoseconds) {
  Node n;
  n.kind = Node::Kind::kDuration;
  n.name = std::string(name);
  n.op = op;
  n.duration = nanoseconds;
  return Leaf(std::move(n));
}

LabelFilter LabelFilter::Bytes(std::string_view name, CompareOp op, uint64_t bytes) {
  Node n;
  n.kind = Node::Kind::kBytes;
  n.name = std::string(name);
  n.op = op;
  n.bytes = bytes;
  return Leaf(std::move(n));
}

LabelFilter LabelFilter::Combine(Node::Kind kind, const LabelFilter& left,
                                 const LabelFilter& right) {
  LabelFilter f;
  f.nodes_ = left.nodes_;
  const int offset = static_cast<int>(f.nodes_.size());
  for (Node n : right.nodes_) {
    if (n.left >= 0) n.left += offset;
    if (n.right >= 0) n.right += offset;
    f.nodes_.push_back(std::move(n));
  }
  Node parent;
  parent.kind = kind;
  parent.left = left.root_;
  parent.right = right.root_ + offset;
  f.nodes_.push_back(std::move(parent));
  f.root_ = static_cast<int>(f.nodes_.size()) - 1;
  return f;
}

LabelFilter LabelFilter::And(const LabelFilter& left, const LabelFilter& right) {
  return Combine(Node::Kind::kAnd, left, right);
}

LabelFilter LabelFilter::Or(const LabelFilter& left, const LabelFilter& right) {
  return Combine(Node::Kind::kOr, left, right);
}

bool LabelFilter::Eval(int index, LineState& state) const {
  const Node& n = nodes_[static_cast<size_t>(index)];
  switch (n.kind) {
    case Node::Kind::kAnd:
      return Eval(n.left, state) && Eval(n.right, state);
    case Node::Kind::kOr:
      return Eval(n.left, state) || Eval(n.right, state);
    case Node::Kind::kString:
      return n.matcher->Matches(state.Get(n.name));
    case Node::Kind::kNumeric:
    case Node::Kind::kDuration:
    case Node::Kind::kBytes: {
      if (state.HasError()) return true;  // only string matchers filter failed lines
      std::string_view v;
      if (!state.Lookup(n.name, &v)) return false;
      std::string err;
      bool ok = false, result = false;
      if (n.kind == Node::Kind::kNumeric) {
        double x = 0;
        ok = ParseGoFloatValue(v, &x, &err);
        result = ok && Compare(n.op, x, n.number);
      } else if (n.kind == Node::Kind::kDuration) {
        int64_t x = 0;
        ok = ParseGoDuration(v, &x, &err);
        result = ok && Compare(n.op, x, n.duration);
      } else {
        uint64_t x = 0;
        ok = ParseHumanBytes(v, &x, &err);
        result = ok && Compare(n.op, x, n.bytes);
      }
      if (!ok) {
        state.SetError(kLabelFilterErr, err);
        return true;
      }
      return result;
    }
  }
  return false;
}

}  // namespace vigil::logql::pipeline
