#include "query/logql/engine/vector_ops.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "common/regex_template.h"
#include "common/strings.h"
#include "query/promql/functions/aggregation_kernels.h"
#include "query/promql/functions/math_kernels.h"

namespace vigil::logql {
namespace {

promql::BinaryOp ToPromql(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return promql::BinaryOp::kAdd;
    case BinaryOp::kSub: return promql::BinaryOp::kSub;
    case BinaryOp::kMul: return promql::BinaryOp::kMul;
    case BinaryOp::kDiv: return promql::BinaryOp::kDiv;
    case BinaryOp::kMod: return promql::BinaryOp::kMod;
    case BinaryOp::kPow: return promql::BinaryOp::kPow;
    case BinaryOp::kEql: return promql::BinaryOp::kEql;
    case BinaryOp::kNeq: return promql::BinaryOp::kNeq;
    case BinaryOp::kGtr: return promql::BinaryOp::kGtr;
    case BinaryOp::kGte: return promql::BinaryOp::kGte;
    case BinaryOp::kLss: return promql::BinaryOp::kLss;
    case BinaryOp::kLte: return promql::BinaryOp::kLte;
    case BinaryOp::kAnd: return promql::BinaryOp::kAnd;
    case BinaryOp::kOr: return promql::BinaryOp::kOr;
    case BinaryOp::kUnless: return promql::BinaryOp::kUnless;
  }
  return promql::BinaryOp::kAdd;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The matching signature of a series: the on() labels, or all but the ignoring() ones.
std::string Signature(const Labels& l, const VectorMatching& m) {
  std::string sig;
  for (const LabelView& lv : l) {
    bool listed = Contains(m.labels, lv.name);
    if (m.on != listed) continue;
    StrAppend(&sig, lv.name, '\xff', lv.value, '\xff');
  }
  return sig;
}

Labels DropMetricName(const Labels& l) {
  LabelsBuilder b(l);
  b.Del("__name__");
  return b.Build();
}

}  // namespace

Labels GroupLabels(const Labels& labels, const Grouping& g) {
  std::vector<Label> kept;
  for (const LabelView& l : labels) {
    if (Contains(g.labels, l.name) != g.without) kept.push_back({std::string(l.name), std::string(l.value)});
  }
  return Labels(kept);
}

absl::StatusOr<StepValue> AggregateVector(const VectorAggregationExpr& e, StepValue in,
                                          size_t steps) {
  StepValue out;
  if (e.op == VectorOp::kSort || e.op == VectorOp::kSortDesc) {
    // Order is decided per step by the API layer for instant queries; a range query's matrix
    // is unordered, so sort only changes instant results (as in Prometheus).
    std::stable_sort(in.series.begin(), in.series.end(), [&](const StepSeries& a, const StepSeries& b) {
      double va = a.present.empty() || !a.present.back() ? NAN : a.values.back();
      double vb = b.present.empty() || !b.present.back() ? NAN : b.values.back();
      if (std::isnan(va)) return false;
      if (std::isnan(vb)) return true;
      return e.op == VectorOp::kSort ? va < vb : va > vb;
    });
    return in;
  }
  if (e.op == VectorOp::kTopK || e.op == VectorOp::kBottomK) {
    // Keep, at each step, the k largest (smallest) series of each group.
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i = 0; i < in.series.size(); ++i) {
      groups[std::string(GroupLabels(in.series[i].labels, e.grouping).packed())].push_back(i);
    }
    std::vector<StepSeries> kept = in.series;
    for (StepSeries& s : kept) s.present.assign(steps, false);
    const size_t k = static_cast<size_t>(e.param);
    for (const auto& [key, members] : groups) {
      std::vector<size_t> order;
      for (size_t t = 0; t < steps; ++t) {
        order.clear();
        for (size_t i : members) {
          if (in.series[i].present[t]) order.push_back(i);
        }
        auto better = [&](size_t a, size_t b) {
          double va = in.series[a].values[t], vb = in.series[b].values[t];
          if (std::isnan(va)) return false;
          if (std::isnan(vb)) return true;
          return e.op == VectorOp::kTopK ? va > vb : va < vb;
        };
        size_t n = std::min(k, order.size());
        std::partial_sort(order.begin(), order.begin() + n, order.end(), better);
        for (size_t j = 0; j < n; ++j) {
          kept[order[j]].present[t] = true;
          kept[order[j]].values[t] = in.series[order[j]].values[t];
        }
      }
    }
    for (StepSeries& s : kept) {
      if (!s.Empty()) out.series.push_back(std::move(s));
    }
    return out;
  }
  // Accumulating aggregations, group by group, step by step.
  struct Group {
    StepSeries series;
    std::vector<int64_t> count;
    std::vector<promql::AvgAccumulator> avg;
    std::vector<promql::VarianceAccumulator> var;
  };
  std::vector<Group> groups;
  absl::flat_hash_map<std::string, size_t> index;
  for (StepSeries& s : in.series) {
    Labels key = GroupLabels(s.labels, e.grouping);
    auto [it, added] = index.try_emplace(std::string(key.packed()), groups.size());
    if (added) {
      Group g;
      g.series.labels = std::move(key);
      g.series.values.assign(steps, 0);
      g.series.present.assign(steps, false);
      g.count.assign(steps, 0);
      if (e.op == VectorOp::kAvg) g.avg.resize(steps);
      if (e.op == VectorOp::kStddev || e.op == VectorOp::kStdvar) g.var.resize(steps);
      groups.push_back(std::move(g));
    }
    Group& g = groups[it->second];
    for (size_t t = 0; t < steps; ++t) {
      if (!s.present[t]) continue;
      double v = s.values[t];
      bool first = !g.series.present[t];
      g.series.present[t] = true;
      g.count[t]++;
      double& acc = g.series.values[t];
      switch (e.op) {
        case VectorOp::kSum: acc = first ? v : acc + v; break;
        case VectorOp::kMin: if (first) acc = v; else promql::UpdateMin(&acc, v); break;
        case VectorOp::kMax: if (first) acc = v; else promql::UpdateMax(&acc, v); break;
        case VectorOp::kCount: acc = static_cast<double>(g.count[t]); break;
        case VectorOp::kAvg: if (first) g.avg[t].Init(v); else g.avg[t].Add(v); break;
        case VectorOp::kStddev:
        case VectorOp::kStdvar: if (first) g.var[t].Init(v); else g.var[t].Add(v); break;
        default: break;
      }
    }
  }
  for (Group& g : groups) {
    for (size_t t = 0; t < steps; ++t) {
      if (!g.series.present[t]) continue;
      if (e.op == VectorOp::kAvg) g.series.values[t] = g.avg[t].Result();
      if (e.op == VectorOp::kStddev) g.series.values[t] = g.var[t].Stddev();
      if (e.op == VectorOp::kStdvar) g.series.values[t] = g.var[t].Stdvar();
    }
    out.series.push_back(std::move(g.series));
  }
  return out;
}

absl::StatusOr<StepValue> ApplyBinary(const BinaryExpr& e, StepValue lhs, StepValue rhs,
                                      size_t steps) {
  const promql::BinaryOp op = ToPromql(e.op);
  const bool comparison = IsComparison(e.op);
  StepValue out;
  if (lhs.is_scalar && rhs.is_scalar) {
    out.is_scalar = true;
    out.scalar = promql::ScalarBinop(op, lhs.scalar, rhs.scalar);
    return out;
  }
  if (lhs.is_scalar || rhs.is_scalar) {
    const bool scalar_left = lhs.is_scalar;
    const double k = scalar_left ? lhs.scalar : rhs.scalar;
    StepValue& vec = scalar_left ? rhs : lhs;
    for (StepSeries& s : vec.series) {
      if (!comparison || e.return_bool) s.labels = DropMetricName(s.labels);
      for (size_t t = 0; t < steps; ++t) {
        if (!s.present[t]) continue;
        double a = scalar_left ? k : s.values[t], b = scalar_left ? s.values[t] : k;
        promql::BinopResult r = promql::VectorElemBinop(op, a, b);
        if (comparison) {
          if (e.return_bool) {
            s.values[t] = r.keep ? 1 : 0;
          } else if (!r.keep) {
            s.present[t] = false;
          }  // else the series keeps its own value
        } else {
          s.values[t] = r.value;
        }
      }
      if (!s.Empty()) out.series.push_back(std::move(s));
    }
    return out;
  }
  const VectorMatching& m = e.matching;
  if (IsSetOp(e.op)) {
    absl::flat_hash_map<std::string, std::vector<size_t>> rsig;
    for (size_t i = 0; i < rhs.series.size(); ++i) rsig[Signature(rhs.series[i].labels, m)].push_back(i);
    auto rhs_present = [&](const std::string& sig, size_t t) {
      auto it = rsig.find(sig);
      if (it == rsig.end()) return false;
      for (size_t i : it->second) {
        if (rhs.series[i].present[t]) return true;
      }
      return false;
    };
    if (e.op == BinaryOp::kOr) {
      absl::flat_hash_map<std::string, std::vector<size_t>> lsig;
      for (size_t i = 0; i < lhs.series.size(); ++i) lsig[Signature(lhs.series[i].labels, m)].push_back(i);
      for (StepSeries& s : lhs.series) out.series.push_back(s);
      for (StepSeries& s : rhs.series) {
        std::string sig = Signature(s.labels, m);
        auto it = lsig.find(sig);
        for (size_t t = 0; t < steps && it != lsig.end(); ++t) {
          for (size_t i : it->second) {
            if (lhs.series[i].present[t]) s.present[t] = false;
          }
        }
        if (!s.Empty()) out.series.push_back(std::move(s));
      }
      return out;
    }
    for (StepSeries& s : lhs.series) {
      std::string sig = Signature(s.labels, m);
      for (size_t t = 0; t < steps; ++t) {
        if (!s.present[t]) continue;
        bool in_rhs = rhs_present(sig, t);
        if ((e.op == BinaryOp::kAnd) != in_rhs) s.present[t] = false;
      }
      if (!s.Empty()) out.series.push_back(std::move(s));
    }
    return out;
  }
  // Arithmetic and comparison between vectors: one-to-one or many-to-one/one-to-many.
  const bool many_left = m.card == Cardinality::kManyToOne;
  const bool many_right = m.card == Cardinality::kOneToMany;
  StepValue& one = many_right ? lhs : rhs;   // the "one" side
  StepValue& many = many_right ? rhs : lhs;  // the side whose series are kept
  absl::flat_hash_map<std::string, std::vector<size_t>> one_by_sig;
  for (size_t i = 0; i < one.series.size(); ++i) one_by_sig[Signature(one.series[i].labels, m)].push_back(i);
  absl::flat_hash_map<std::string, size_t> produced;  // result labels -> index, for duplicates
  for (StepSeries& s : many.series) {
    std::string sig = Signature(s.labels, m);
    auto it = one_by_sig.find(sig);
    if (it == one_by_sig.end()) continue;
    // Result labels: one-to-one keeps the matching labels; group_x keeps the many side's
    // labels plus the listed ones from the one side.
    for (size_t oi : it->second) {
      StepSeries r;
      const StepSeries& o = one.series[oi];
      if (m.card == Cardinality::kOneToOne) {
        LabelsBuilder b(s.labels);
        for (const LabelView& l : s.labels) {
          if (m.on ? !Contains(m.labels, l.name) : Contains(m.labels, l.name)) b.Del(l.name);
        }
        r.labels = b.Build();
      } else {
        LabelsBuilder b(s.labels);
        for (const std::string& name : m.include) b.Set(name, o.labels.Get(name));
        r.labels = b.Build();
      }
      if (!comparison || e.return_bool) r.labels = DropMetricName(r.labels);
      r.values.assign(steps, 0);
      r.present.assign(steps, false);
      for (size_t t = 0; t < steps; ++t) {
        if (!s.present[t] || !o.present[t]) continue;
        double a = many_right ? o.values[t] : s.values[t];
        double b = many_right ? s.values[t] : o.values[t];
        promql::BinopResult res = promql::VectorElemBinop(op, a, b);
        if (comparison && !e.return_bool) {
          if (!res.keep) continue;
          r.values[t] = a;
        } else {
          r.values[t] = comparison ? (res.keep ? 1 : 0) : res.value;
        }
        r.present[t] = true;
      }
      if (r.Empty()) continue;
      auto [pit, added] = produced.try_emplace(std::string(r.labels.packed()), out.series.size());
      if (!added) {
        // Two matches at overlapping steps for one result: Prometheus' many-to-many error.
        StepSeries& prev = out.series[pit->second];
        for (size_t t = 0; t < steps; ++t) {
          if (prev.present[t] && r.present[t]) {
            return absl::AbortedError(
                m.card == Cardinality::kOneToOne
                    ? "found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side"
                    : "multiple matches for labels: grouping labels must ensure unique matches");
          }
          if (r.present[t]) {
            prev.present[t] = true;
            prev.values[t] = r.values[t];
          }
        }
        continue;
      }
      out.series.push_back(std::move(r));
    }
    (void)many_left;
  }
  return out;
}

absl::StatusOr<StepValue> ApplyLabelReplace(const LabelReplaceExpr& e, StepValue in) {
  std::vector<re2::StringPiece> groups(e.re->NumberOfCapturingGroups() + 1);
  std::string expanded;
  for (StepSeries& s : in.series) {
    std::string_view src = s.labels.Get(e.src);
    if (!e.re->Match(re2::StringPiece(src.data(), src.size()), 0, src.size(), RE2::ANCHOR_BOTH,
                     groups.data(), static_cast<int>(groups.size()))) {
      continue;
    }
    expanded.clear();
    ExpandRegexTemplate(e.replacement, *e.re, groups, &expanded);
    LabelsBuilder b(s.labels);
    b.Set(e.dst, expanded);
    s.labels = b.Build();
  }
  return in;
}

}  // namespace vigil::logql
