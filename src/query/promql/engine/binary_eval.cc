// Binary operators: scalar/scalar, vector/scalar and vector/vector with Prometheus' vector
// matching. Matching signatures and output label sets are computed once per series (or per
// matched pair), and only presence and values are looked at per step.
#include "absl/container/flat_hash_map.h"
#include "common/strings.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/engine/label_util.h"
#include "query/promql/engine/step_cursor.h"
#include "query/promql/functions/math_kernels.h"

namespace vigil::promql {
namespace {

// Operators whose result is a new quantity, so the metric name no longer applies (Prometheus
// keeps it for atan2 and comparisons).
bool DropsMetricName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: case BinaryOp::kSub: case BinaryOp::kMul: case BinaryOp::kDiv:
    case BinaryOp::kMod: case BinaryOp::kPow:
      return true;
    default:
      return false;
  }
}

// The parser sets matching on every vector/vector operation; a tree built otherwise gets
// the default (one-to-one on all labels, or many-to-many for set operators).
const VectorMatching& Matching(const BinaryExpr& e) {
  static const VectorMatching kOneToOne{};
  static const VectorMatching kManyToMany{Cardinality::kManyToMany, false, {}, {}};
  if (e.matching) return *e.matching;
  return IsSetOp(e.op) ? kManyToMany : kOneToOne;
}

// The operation's value and whether a comparison keeps the element (for comparisons the
// value is the left operand, as in Prometheus).
inline double ElemBinop(BinaryOp op, double l, double r, bool* keep) {
  BinopResult res = VectorElemBinop(op, l, r);
  *keep = res.keep;
  return res.value;
}

StepValue ScalarScalar(const BinaryExpr& e, const StepValue& l, const StepValue& r) {
  StepValue out;
  out.type = ValueType::kScalar;
  out.scalars.resize(l.scalars.size());
  for (size_t i = 0; i < l.scalars.size(); ++i) {
    out.scalars[i] = ScalarBinop(e.op, l.scalars[i], r.scalars[i]);
  }
  return out;
}

absl::StatusOr<StepValue> VectorScalar(Evaluator& ev, const BinaryExpr& e, const StepValue& vec,
                                       const StepValue& sc, bool scalar_left) {
  const bool drop_name = DropsMetricName(e.op) || e.return_bool;
  SeriesCollector out;
  for (const Series& s : vec.series) {
    size_t idx = SIZE_MAX;
    for (const Sample& p : s.points) {
      double sv = sc.scalars[ev.StepIndex(p.t)];
      double l = scalar_left ? sv : p.v;
      double r = scalar_left ? p.v : sv;
      bool keep;
      double v = ElemBinop(e.op, l, r, &keep);
      // A comparison keeps the vector element's value, whichever side it is on.
      if (IsComparison(e.op) && scalar_left) v = p.v;
      if (e.return_bool) {
        v = keep ? 1.0 : 0.0;
        keep = true;
      }
      if (!keep) continue;
      if (idx == SIZE_MAX) idx = out.Find(drop_name ? DropMetricName(s.labels) : s.labels);
      out.Add(idx, p.t, v);
    }
  }
  return ev.VectorResult(out);
}

// Assigns each distinct signature a small integer so per-step bookkeeping is array-indexed.
struct Signatures {
  std::vector<int> lhs, rhs;
  int count = 0;
};

Signatures ComputeSignatures(const Matrix& l, const Matrix& r, const VectorMatching& m) {
  Signatures s;
  absl::flat_hash_map<std::string, int> ids;
  std::string buf;
  auto id_of = [&](const Labels& labels) {
    MatchSignature(labels, m.on, m.labels, &buf);
    auto [it, inserted] = ids.try_emplace(buf, s.count);
    if (inserted) ++s.count;
    return it->second;
  };
  s.lhs.reserve(l.size());
  for (const Series& x : l) s.lhs.push_back(id_of(x.labels));
  s.rhs.reserve(r.size());
  for (const Series& x : r) s.rhs.push_back(id_of(x.labels));
  return s;
}

absl::StatusOr<StepValue> SetOperation(Evaluator& ev, const BinaryExpr& e, const StepValue& l,
                                       const StepValue& r) {
  Signatures sig = ComputeSignatures(l.series, r.series, Matching(e));
  std::vector<int64_t> rhs_step(sig.count, -1), lhs_step(sig.count, -1);
  std::vector<size_t> lidx(l.series.size(), SIZE_MAX), ridx(r.series.size(), SIZE_MAX);
  StepCursors lc(l.series), rc(r.series);
  SeriesCollector out;
  for (size_t k = 0; k < ev.num_steps(); ++k) {
    const int64_t ts = ev.StepTime(k);
    const int64_t step = static_cast<int64_t>(k);
    for (size_t j = 0; j < r.series.size(); ++j) {
      if (rc.At(j, ts)) rhs_step[sig.rhs[j]] = step;
    }
    for (size_t i = 0; i < l.series.size(); ++i) {
      const Sample* p = lc.At(i, ts);
      if (!p) continue;
      lhs_step[sig.lhs[i]] = step;
      bool in_rhs = rhs_step[sig.lhs[i]] == step;
      bool emit = e.op == BinaryOp::kOr || (e.op == BinaryOp::kAnd ? in_rhs : !in_rhs);
      if (!emit) continue;
      if (lidx[i] == SIZE_MAX) lidx[i] = out.Find(l.series[i].labels);
      out.Add(lidx[i], ts, p->v);
    }
    if (e.op != BinaryOp::kOr) continue;
    for (size_t j = 0; j < r.series.size(); ++j) {
      const Sample* p = rc.At(j, ts);
      if (!p || lhs_step[sig.rhs[j]] == step) continue;
      if (ridx[j] == SIZE_MAX) ridx[j] = out.Find(r.series[j].labels);
      out.Add(ridx[j], ts, p->v);
    }
  }
  return ev.VectorResult(out);
}

Labels ResultLabels(const Labels& many, const Labels& one, const BinaryExpr& e) {
  const VectorMatching& m = Matching(e);
  LabelsBuilder b(many);
  if (DropsMetricName(e.op)) b.Del(kMetricName);
  if (m.card == Cardinality::kOneToOne) {
    if (m.on) {
      for (const LabelView& lv : many) {
        if (std::find(m.labels.begin(), m.labels.end(), lv.name) == m.labels.end()) {
          b.Del(lv.name);
        }
      }
    } else {
      for (const auto& n : m.labels) b.Del(n);
    }
  }
  for (const auto& n : m.include) {
    std::string_view v = one.Get(n);
    if (!v.empty()) {
      b.Set(n, v);
    } else {
      b.Del(n);
    }
  }
  Labels out = b.Build();
  return e.return_bool ? DropMetricName(out) : out;
}

Labels MatchedLabels(const Labels& l, const VectorMatching& m) {
  std::vector<LabelView> kept;
  for (const LabelView& lv : l) {
    bool listed = std::find(m.labels.begin(), m.labels.end(), lv.name) != m.labels.end();
    if (m.on ? listed : (!listed && lv.name != kMetricName)) kept.push_back(lv);
  }
  return Labels::FromViews(kept);
}

absl::StatusOr<StepValue> MatchedOperation(Evaluator& ev, const BinaryExpr& e,
                                           const StepValue& lv, const StepValue& rv) {
  const VectorMatching& m = Matching(e);
  if (m.card == Cardinality::kManyToMany) {
    return absl::InternalError("many-to-many only allowed for set operators");
  }
  const bool swap = m.card == Cardinality::kOneToMany;
  // "many" is the side whose series may share a signature; "one" must be unique.
  const Matrix& many = swap ? rv.series : lv.series;
  const Matrix& one = swap ? lv.series : rv.series;
  Signatures sig = swap ? ComputeSignatures(one, many, m) : ComputeSignatures(many, one, m);
  const std::vector<int>& many_sig = swap ? sig.rhs : sig.lhs;
  const std::vector<int>& one_sig = swap ? sig.lhs : sig.rhs;

  std::vector<int64_t> one_step(sig.count, -1), matched_step(sig.count, -1);
  std::vector<size_t> one_at(sig.count, 0);
  StepCursors mc(many), oc(one);
  SeriesCollector out;
  // Output series by (many, one) pair; which step and signature last wrote each output.
  absl::flat_hash_map<std::pair<size_t, size_t>, size_t> pair_out;
  std::vector<int64_t> out_step;
  std::vector<int> out_sig;
  for (size_t k = 0; k < ev.num_steps(); ++k) {
    const int64_t ts = ev.StepTime(k);
    const int64_t step = static_cast<int64_t>(k);
    for (size_t j = 0; j < one.size(); ++j) {
      if (!oc.At(j, ts)) continue;
      int s = one_sig[j];
      if (one_step[s] == step) {
        return absl::AbortedError(StrCat(
            "found duplicate series for the match group ", MatchedLabels(one[j].labels, m).ToString(),
            " on the ", swap ? "left" : "right", " hand-side of the operation: [",
            one[j].labels.ToString(), ", ", one[one_at[s]].labels.ToString(),
            "];many-to-many matching not allowed: matching labels must be unique on one side"));
      }
      one_step[s] = step;
      one_at[s] = j;
    }
    for (size_t i = 0; i < many.size(); ++i) {
      const Sample* p = mc.At(i, ts);
      if (!p) continue;
      int s = many_sig[i];
      if (one_step[s] != step) continue;
      size_t j = one_at[s];
      const Sample* q = oc.At(j, ts);
      double vl = swap ? q->v : p->v;
      double vr = swap ? p->v : q->v;
      bool keep;
      double v = ElemBinop(e.op, vl, vr, &keep);
      if (e.return_bool) {
        v = keep ? 1.0 : 0.0;
      } else if (!keep) {
        continue;
      }
      auto [it, inserted] = pair_out.try_emplace(std::make_pair(i, j), 0);
      if (inserted) {
        it->second = out.Find(ResultLabels(many[i].labels, one[j].labels, e));
        if (out_step.size() <= it->second) {
          out_step.resize(it->second + 1, -1);
          out_sig.resize(it->second + 1, -1);
        }
      }
      size_t o = it->second;
      if (m.card == Cardinality::kOneToOne) {
        if (matched_step[s] == step) {
          return absl::AbortedError(
              "multiple matches for labels: many-to-one matching must be explicit "
              "(group_left/group_right)");
        }
        matched_step[s] = step;
      } else if (out_step[o] == step && out_sig[o] == s) {
        return absl::AbortedError(
            "multiple matches for labels: grouping labels must ensure unique matches");
      }
      if (out_step[o] == step) return DuplicateLabelsetError();
      out_step[o] = step;
      out_sig[o] = s;
      out.Add(o, ts, v);
    }
  }
  return ev.VectorResult(out);
}

}  // namespace

absl::StatusOr<StepValue> Evaluator::EvalBinary(const BinaryExpr& e) {
  absl::StatusOr<StepValue> l = Eval(*e.lhs);
  if (!l.ok()) return l.status();
  absl::StatusOr<StepValue> r = Eval(*e.rhs);
  if (!r.ok()) return r.status();
  absl::StatusOr<StepValue> out;
  const bool lvec = l->type == ValueType::kVector;
  const bool rvec = r->type == ValueType::kVector;
  if (!lvec && !rvec) {
    out = ScalarScalar(e, *l, *r);
  } else if (lvec && !rvec) {
    out = VectorScalar(*this, e, *l, *r, /*scalar_left=*/false);
  } else if (!lvec && rvec) {
    out = VectorScalar(*this, e, *r, *l, /*scalar_left=*/true);
  } else if (IsSetOp(e.op)) {
    out = SetOperation(*this, e, *l, *r);
  } else {
    out = MatchedOperation(*this, e, *l, *r);
  }
  Release(*l);
  Release(*r);
  return out;
}

}  // namespace vigil::promql
