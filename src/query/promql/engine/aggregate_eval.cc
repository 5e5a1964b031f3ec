// Aggregation operators. Each input series' group is computed once; per step only the
// accumulators of the groups present at that step are touched, in order of first
// appearance (which is the output order of an instant query, as in Prometheus).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"
#include "query/promql/engine/cell_aggregator.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/engine/label_util.h"
#include "query/promql/engine/step_cursor.h"
#include "query/promql/functions/quantile.h"

namespace vigil::promql {
namespace {

// Per-group state of the aggregations that keep elements rather than a few numbers.
struct Selection {
  std::vector<size_t> heap;     // topk/bottomk: input series indices
  std::vector<double> values;   // quantile
};

// Go's container/heap over series indices, with Prometheus' orderings for topk (smallest
// on top, NaN smallest) and bottomk (largest on top, NaN "largest"), so ties and NaNs pick
// the same elements Prometheus picks.
struct SelectionHeap {
  const std::vector<double>* vals;
  bool reverse;
  bool Less(size_t a, size_t b) const {
    double x = (*vals)[a], y = (*vals)[b];
    if (std::isnan(x)) return true;
    return reverse ? x > y : x < y;
  }
  void Up(std::vector<size_t>& h, size_t j) const {
    while (j > 0) {
      size_t i = (j - 1) / 2;
      if (!Less(h[j], h[i])) break;
      std::swap(h[i], h[j]);
      j = i;
    }
  }
  bool Down(std::vector<size_t>& h, size_t i0) const {
    size_t i = i0, n = h.size();
    while (true) {
      size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      size_t j = j1;
      if (j1 + 1 < n && Less(h[j1 + 1], h[j1])) j = j1 + 1;
      if (!Less(h[j], h[i])) break;
      std::swap(h[i], h[j]);
      i = j;
    }
    return i > i0;
  }
  void Push(std::vector<size_t>& h, size_t x) const {
    h.push_back(x);
    Up(h, h.size() - 1);
  }
  void Fix(std::vector<size_t>& h, size_t i) const {
    if (!Down(h, i)) Up(h, i);
  }
};

std::string FormatValueLabel(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace

absl::StatusOr<StepValue> Evaluator::EvalAggregate(const AggregateExpr& e) {
  StepValue param;
  if (e.param) {
    absl::StatusOr<StepValue> p = Eval(*e.param);
    if (!p.ok()) return p.status();
    param = std::move(*p);
  }
  std::string value_label;
  if (e.op == AggregateOp::kCountValues) {
    value_label = param.str;
    if (!IsValidLabelName(value_label)) {
      return absl::AbortedError(StrCat("invalid label name ", QuoteString(value_label)));
    }
  }
  if (IsCellAggregation(e.op)) return EvalCellAggregate(e);
  absl::StatusOr<StepValue> in = Eval(*e.expr);
  if (!in.ok()) return in.status();
  const Matrix& series = in->series;

  // Group of each input series (count_values groups per value, below).
  std::vector<size_t> group_of(series.size());
  std::vector<Labels> group_labels;
  {
    absl::flat_hash_map<std::string, size_t> ids;
    for (size_t i = 0; i < series.size() && e.op != AggregateOp::kCountValues; ++i) {
      Labels g = AggregationGroupLabels(series[i].labels, e, "");
      auto [it, inserted] = ids.try_emplace(ToAbsl(g.packed()), group_labels.size());
      if (inserted) group_labels.push_back(std::move(g));
      group_of[i] = it->second;
    }
  }
  std::vector<Selection> acc(group_labels.size());
  std::vector<int64_t> acc_step(group_labels.size(), -1);
  std::vector<size_t> out_index(group_labels.size(), SIZE_MAX);
  std::vector<size_t> series_out(series.size(), SIZE_MAX);
  std::vector<double> cur(series.size());  // values at the current step, for the heaps
  std::vector<size_t> touched;
  absl::flat_hash_map<std::string, size_t> value_groups;  // count_values: labels → output
  StepCursors cursors(series);
  SeriesCollector out;

  for (size_t k = 0; k < num_steps_; ++k) {
    if ((k & 63) == 0) {
      if (absl::Status st = CheckDeadline(); !st.ok()) return st;
    }
    const int64_t ts = StepTime(k);
    const int64_t step = static_cast<int64_t>(k);
    int64_t topk = 0;
    double q = 0;
    if (e.op == AggregateOp::kTopK || e.op == AggregateOp::kBottomK) {
      double f = param.scalars[k];
      if (!(f >= -9.2233720368547758e18 && f <= 9.2233720368547758e18)) {
        return absl::AbortedError(StrCat("Scalar value ", f, " overflows int64"));
      }
      topk = static_cast<int64_t>(f);
      if (topk < 1) continue;
    } else if (e.op == AggregateOp::kQuantile) {
      q = param.scalars[k];
    }
    if (e.op == AggregateOp::kCountValues) {
      // Count per (group, value) directly into the output.
      absl::flat_hash_map<size_t, double> counts;
      std::vector<size_t> order;
      for (size_t i = 0; i < series.size(); ++i) {
        const Sample* p = cursors.At(i, ts);
        if (!p) continue;
        LabelsBuilder b(series[i].labels);
        b.Set(value_label, FormatValueLabel(p->v));
        Labels g = AggregationGroupLabels(b.Build(), e, value_label);
        auto [it, inserted] = value_groups.try_emplace(ToAbsl(g.packed()), 0);
        if (inserted) it->second = out.Find(g);
        auto [c, fresh] = counts.try_emplace(it->second, 0);
        if (fresh) order.push_back(it->second);
        c->second += 1;
      }
      for (size_t o : order) out.Add(o, ts, counts[o]);
      continue;
    }

    touched.clear();
    for (size_t i = 0; i < series.size(); ++i) {
      const Sample* p = cursors.At(i, ts);
      if (!p) continue;
      const double v = p->v;
      cur[i] = v;
      const size_t g = group_of[i];
      Selection& a = acc[g];
      if (acc_step[g] != step) {
        // First element of the group at this step.
        acc_step[g] = step;
        touched.push_back(g);
        a.heap.clear();
        a.values.clear();
        if (e.op == AggregateOp::kQuantile) {
          a.values.push_back(v);
        } else {
          a.heap.push_back(i);
        }
        continue;
      }
      if (e.op == AggregateOp::kQuantile) {
        a.values.push_back(v);
        continue;
      }
      SelectionHeap h{&cur, e.op == AggregateOp::kBottomK};
      if (static_cast<int64_t>(a.heap.size()) < topk) {
        h.Push(a.heap, i);
      } else {
        double top = cur[a.heap[0]];
        bool better = e.op == AggregateOp::kTopK ? top < v : top > v;
        if (better || (std::isnan(top) && !std::isnan(v))) {
          a.heap[0] = i;
          if (topk > 1) h.Fix(a.heap, 0);
        }
      }
    }

    for (size_t g : touched) {
      Selection& a = acc[g];
      if (e.op == AggregateOp::kTopK || e.op == AggregateOp::kBottomK) {
        // Highest first for topk, lowest first for bottomk; NaN last.
        const bool top = e.op == AggregateOp::kTopK;
        std::stable_sort(a.heap.begin(), a.heap.end(), [&](size_t x, size_t y) {
          double vx = cur[x], vy = cur[y];
          if (std::isnan(vx)) return false;
          if (std::isnan(vy)) return true;
          return top ? vx > vy : vx < vy;
        });
        for (size_t i : a.heap) {
          if (series_out[i] == SIZE_MAX) series_out[i] = out.Find(series[i].labels);
          out.Add(series_out[i], ts, cur[i]);
        }
        continue;
      }
      if (out_index[g] == SIZE_MAX) out_index[g] = out.Find(group_labels[g]);
      out.Add(out_index[g], ts, Quantile(q, &a.values));
    }
  }
  Release(*in);
  return VectorResult(out);
}

// A cell aggregation over a range function's result consumes that result series by series
// as the function produces it, so the intermediate vector is never held; otherwise over the
// evaluated argument.
absl::StatusOr<StepValue> Evaluator::EvalCellAggregate(const AggregateExpr& e) {
  CellAggregator agg(e, *this);
  const Expr* inner = e.expr.get();
  while (inner->kind == NodeKind::kParen) inner = static_cast<const ParenExpr*>(inner)->expr.get();
  size_t range_arg = SIZE_MAX;
  if (inner->kind == NodeKind::kCall && !(num_steps_ > 1 && IsStepInvariant(*inner))) {
    const Call& c = static_cast<const Call&>(*inner);
    for (size_t i = 0; i < c.args.size() && c.func->id != Function::kAbsentOverTime; ++i) {
      if (TypeOf(*c.args[i]) == ValueType::kMatrix) range_arg = i;
    }
  }
  if (range_arg != SIZE_MAX) {
    const SeriesSink sink = [&agg](const Labels& l, std::span<const Sample> pts) {
      agg.Add(l, pts);
    };
    absl::StatusOr<StepValue> r =
        EvalRangeFunction(static_cast<const Call&>(*inner), range_arg, &sink);
    if (!r.ok()) return r.status();
  } else {
    absl::StatusOr<StepValue> in = Eval(*e.expr);
    if (!in.ok()) return in.status();
    for (const Series& s : in->series) agg.Add(s.labels, s.points);
    Release(*in);
  }
  StepValue v = agg.Finish();
  if (absl::Status st = Reserve(PointCount(v.series)); !st.ok()) return st;
  return v;
}

}  // namespace vigil::promql
