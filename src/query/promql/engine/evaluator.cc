#include "query/promql/engine/evaluator.h"

#include <algorithm>
#include <chrono>

#include "common/strings.h"
#include "query/promql/engine/label_util.h"

namespace vigil::promql {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Step values of a scalar-typed node that does not depend on time.
StepValue ConstantScalar(double v, size_t steps) {
  StepValue out;
  out.type = ValueType::kScalar;
  out.scalars.assign(steps, v);
  return out;
}

const Expr& UnwrapParens(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind == NodeKind::kParen) cur = static_cast<const ParenExpr*>(cur)->expr.get();
  return *cur;
}

}  // namespace

absl::Status DuplicateLabelsetError() {
  return absl::AbortedError("vector cannot contain metrics with the same labelset");
}

size_t SeriesCollector::Find(const Labels& labels) {
  auto [it, inserted] = index_.try_emplace(ToAbsl(labels.packed()), out_.size());
  if (inserted) {
    out_.push_back(Series{labels, {}});
    unsorted_.push_back(false);
  }
  return it->second;
}

absl::StatusOr<Matrix> SeriesCollector::Take() {
  for (size_t i = 0; i < out_.size(); ++i) {
    if (!unsorted_[i]) continue;
    auto& pts = out_[i].points;
    std::stable_sort(pts.begin(), pts.end(),
                     [](const Sample& a, const Sample& b) { return a.t < b.t; });
    for (size_t j = 1; j < pts.size(); ++j) {
      if (pts[j].t == pts[j - 1].t) return DuplicateLabelsetError();
    }
  }
  index_.clear();
  return std::move(out_);
}

bool IsStepInvariant(const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return true;
    case NodeKind::kVectorSelector:
      return static_cast<const VectorSelector&>(e).mods.at != AtKind::kNone;
    case NodeKind::kMatrixSelector:
      return static_cast<const MatrixSelector&>(e).selector->mods.at != AtKind::kNone;
    case NodeKind::kSubquery:
      return static_cast<const Subquery&>(e).mods.at != AtKind::kNone;
    case NodeKind::kParen:
      return IsStepInvariant(*static_cast<const ParenExpr&>(e).expr);
    case NodeKind::kUnary:
      return IsStepInvariant(*static_cast<const UnaryExpr&>(e).expr);
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return IsStepInvariant(*b.lhs) && IsStepInvariant(*b.rhs);
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      return IsStepInvariant(*a.expr) && (!a.param || IsStepInvariant(*a.param));
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      // Functions that read the evaluation time itself (timestamp() of a non-selector
      // reports the step's time).
      switch (c.func->id) {
        case Function::kTime: case Function::kPredictLinear: case Function::kTimestamp:
        case Function::kYear:
        case Function::kMonth: case Function::kDayOfMonth: case Function::kDayOfWeek:
        case Function::kDayOfYear: case Function::kDaysInMonth: case Function::kHour:
        case Function::kMinute:
          return false;
        default:
          break;
      }
      for (const auto& a : c.args) {
        if (!IsStepInvariant(*a)) return false;
      }
      return true;
    }
  }
  return false;
}

Evaluator::Evaluator(QueryContext* ctx, int64_t start_ms, int64_t end_ms, int64_t interval_ms)
    : ctx_(ctx), start_(start_ms), end_(end_ms), interval_(interval_ms > 0 ? interval_ms : 1) {
  num_steps_ = static_cast<size_t>((end_ - start_) / interval_) + 1;
}

absl::Status Evaluator::Reserve(int64_t points) {
  ctx_->current_samples += points;
  if (ctx_->current_samples > ctx_->options->max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  ctx_->peak_samples = std::max(ctx_->peak_samples, ctx_->current_samples);
  return absl::OkStatus();
}

void Evaluator::Release(int64_t points) { ctx_->current_samples -= points; }

void Evaluator::Release(const StepValue& v) { Release(PointCount(v.series)); }

absl::Status Evaluator::CheckDeadline() {
  if (ctx_->deadline_ns != 0 && NowNs() > ctx_->deadline_ns) {
    return absl::DeadlineExceededError("query timed out in expression evaluation");
  }
  return absl::OkStatus();
}

int64_t Evaluator::AtTime(const TimeModifiers& m) const {
  switch (m.at) {
    case AtKind::kStart: return ctx_->query_start_ms;
    case AtKind::kEnd: return ctx_->query_end_ms;
    default: return m.at_ms;
  }
}

absl::StatusOr<StepValue> Evaluator::Eval(const Expr& e) {
  if (absl::Status st = CheckDeadline(); !st.ok()) return st;
  if (num_steps_ > 1 && e.kind != NodeKind::kNumberLiteral &&
      e.kind != NodeKind::kStringLiteral && e.kind != NodeKind::kParen && IsStepInvariant(e)) {
    return EvalStepInvariant(e);
  }
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
      return ConstantScalar(static_cast<const NumberLiteral&>(e).value, num_steps_);
    case NodeKind::kStringLiteral: {
      StepValue out;
      out.type = ValueType::kString;
      out.str = static_cast<const StringLiteral&>(e).value;
      return out;
    }
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e));
    case NodeKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr);
    case NodeKind::kUnary:
      return EvalUnary(static_cast<const UnaryExpr&>(e));
    case NodeKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e));
    case NodeKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e));
    case NodeKind::kCall:
      return EvalCall(static_cast<const Call&>(e));
    case NodeKind::kMatrixSelector:
    case NodeKind::kSubquery:
      break;
  }
  return absl::InvalidArgumentError(
      "range vector expressions can only be evaluated as an instant query or a function "
      "argument");
}

// Evaluates a time-independent subtree once and repeats its value at every step.
absl::StatusOr<StepValue> Evaluator::EvalStepInvariant(const Expr& e) {
  Evaluator once(ctx_, start_, start_, interval_);
  absl::StatusOr<StepValue> v = once.Eval(e);
  if (!v.ok()) return v.status();
  if (v->type == ValueType::kScalar) {
    v->scalars.assign(num_steps_, v->scalars.empty() ? 0 : v->scalars[0]);
    return v;
  }
  if (v->type != ValueType::kVector) return v;
  int64_t added = 0;
  for (Series& s : v->series) {
    if (s.points.empty()) continue;
    double val = s.points[0].v;
    s.points.resize(num_steps_);
    for (size_t i = 0; i < num_steps_; ++i) s.points[i] = {StepTime(i), val};
    added += static_cast<int64_t>(num_steps_) - 1;
  }
  if (absl::Status st = Reserve(added); !st.ok()) return st;
  return v;
}

// Calls on_series(labels) for each selected series, then on_point(step time, sample) for
// each step at which the selector picks a sample: the newest at or before the reference
// time, if it is within the lookback window and not a staleness marker.
template <typename OnSeries, typename OnPoint>
absl::Status Evaluator::WalkSelector(const VectorSelector& vs, OnSeries&& on_series,
                                     OnPoint&& on_point) {
  const bool has_at = vs.mods.at != AtKind::kNone;
  const int64_t at = AtTime(vs.mods);
  auto ref = [&](int64_t ts) { return (has_at ? at : ts) - vs.mods.offset_ms; };
  const int64_t lookback = ctx_->options->lookback_delta_ms;
  const int64_t mint = ref(start_) - lookback;
  const int64_t maxt = ref(end_);
  std::unique_ptr<MetricsQuerier> q = ctx_->store->Querier(mint, maxt);
  std::unique_ptr<SeriesSet> set = q->Select(vs.matchers, SelectHints{mint, maxt, false});
  size_t n = 0;
  while (set->Next()) {
    if ((++n & 255) == 0) {
      if (absl::Status st = CheckDeadline(); !st.ok()) return st;
    }
    std::span<const Sample> smp = set->samples();
    on_series(set->labels());
    size_t j = 0;
    for (size_t i = 0; i < num_steps_; ++i) {
      const int64_t ts = StepTime(i);
      const int64_t r = ref(ts);
      while (j < smp.size() && smp[j].t <= r) ++j;
      if (j == 0) continue;
      const Sample& last = smp[j - 1];
      if (last.t < r - lookback || IsStaleNaN(last.v)) continue;
      on_point(ts, last);
    }
  }
  return set->status();
}

absl::StatusOr<StepValue> Evaluator::EvalVectorSelector(const VectorSelector& vs) {
  StepValue out;
  out.type = ValueType::kVector;
  absl::Status st = WalkSelector(
      vs,
      [&](const Labels& l) {
        if (!out.series.empty() && out.series.back().points.empty()) out.series.pop_back();
        out.series.push_back(Series{l, {}});
      },
      [&](int64_t ts, const Sample& smp) { out.series.back().points.push_back({ts, smp.v}); });
  if (!st.ok()) return st;
  if (!out.series.empty() && out.series.back().points.empty()) out.series.pop_back();
  if (absl::Status rs = Reserve(PointCount(out.series)); !rs.ok()) return rs;
  return out;
}

// timestamp(selector): the time of the sample the selector picks, not the step's time.
absl::StatusOr<StepValue> Evaluator::EvalTimestampOfSelector(const VectorSelector& vs) {
  SeriesCollector out;
  const Labels* labels = nullptr;
  size_t idx = SIZE_MAX;
  absl::Status st = WalkSelector(
      vs,
      [&](const Labels& l) {
        labels = &l;
        idx = SIZE_MAX;
      },
      [&](int64_t ts, const Sample& smp) {
        if (idx == SIZE_MAX) idx = out.Find(DropMetricName(*labels));
        out.Add(idx, ts, static_cast<double>(smp.t) / 1000.0);
      });
  if (!st.ok()) return st;
  return VectorResult(out);
}

absl::StatusOr<StepValue> Evaluator::VectorResult(SeriesCollector& out) {
  absl::StatusOr<Matrix> m = out.Take();
  if (!m.ok()) return m.status();
  StepValue v;
  v.type = ValueType::kVector;
  v.series = std::move(*m);
  if (absl::Status st = Reserve(PointCount(v.series)); !st.ok()) return st;
  return v;
}

void DropStaleMarkers(std::vector<Sample>* pts) {
  std::erase_if(*pts, [](const Sample& x) { return IsStaleNaN(x.v); });
}

Evaluator::RangeSelection Evaluator::SelectRange(const RangeInput& in) {
  RangeSelection sel;
  sel.querier = ctx_->store->Querier(in.mint, in.maxt);
  sel.set = sel.querier->Select(in.selector->matchers, SelectHints{in.mint, in.maxt, false});
  return sel;
}

int64_t PointCount(const Matrix& m) {
  int64_t n = 0;
  for (const Series& s : m) n += static_cast<int64_t>(s.points.size());
  return n;
}

absl::StatusOr<StepValue> Evaluator::EvalUnary(const UnaryExpr& e) {
  absl::StatusOr<StepValue> v = Eval(*e.expr);
  if (!v.ok() || !e.negate) return v;
  if (v->type == ValueType::kScalar) {
    for (double& x : v->scalars) x = -x;
    return v;
  }
  SeriesCollector out;
  for (Series& s : v->series) {
    size_t idx = out.Find(DropMetricName(s.labels));
    for (const Sample& p : s.points) out.Add(idx, p.t, -p.v);
  }
  absl::StatusOr<Matrix> m = out.Take();
  if (!m.ok()) return m.status();
  v->series = std::move(*m);
  return v;
}

absl::StatusOr<RangeInput> Evaluator::EvalRange(const Expr& expr) {
  const Expr& e = UnwrapParens(expr);
  RangeInput in;
  if (e.kind == NodeKind::kMatrixSelector) {
    const auto& ms = static_cast<const MatrixSelector&>(e);
    const VectorSelector& vs = *ms.selector;
    in.range_ms = ms.range_ms;
    in.offset_ms = vs.mods.offset_ms;
    in.has_at = vs.mods.at != AtKind::kNone;
    in.at_ms = AtTime(vs.mods);
    in.selector = &vs;
    in.mint = in.Ref(start_) - in.range_ms;
    in.maxt = in.Ref(end_);
    return in;
  }
  if (e.kind != NodeKind::kSubquery) {
    return absl::InvalidArgumentError("expected a range vector expression");
  }
  const auto& sq = static_cast<const Subquery&>(e);
  in.range_ms = sq.range_ms;
  in.offset_ms = sq.mods.offset_ms;
  in.has_at = sq.mods.at != AtKind::kNone;
  in.at_ms = AtTime(sq.mods);
  const int64_t step = sq.step_ms > 0 ? sq.step_ms : ctx_->options->default_subquery_step_ms;
  // The inner evaluation runs on its own grid: multiples of its step, from the first one
  // inside the earliest window to the latest reference time.
  const int64_t first = in.Ref(start_) - in.range_ms;
  int64_t inner_start = step * (first / step);
  if (inner_start < first) inner_start += step;
  const int64_t inner_end = in.Ref(end_);
  if (inner_start > inner_end) return in;
  // Every inner step holds at least a scalar: refuse grids larger than the sample limit
  // before allocating for them.
  if ((inner_end - inner_start) / step >= ctx_->options->max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  Evaluator inner(ctx_, inner_start, inner_end, step);
  absl::StatusOr<StepValue> v = inner.Eval(*sq.expr);
  if (!v.ok()) return v.status();
  if (v->type == ValueType::kScalar) {
    // A scalar subquery body: one series without labels.
    Series s;
    for (size_t i = 0; i < inner.num_steps(); ++i) s.points.push_back({inner.StepTime(i), v->scalars[i]});
    if (absl::Status st = Reserve(static_cast<int64_t>(s.points.size())); !st.ok()) return st;
    in.series.push_back(std::move(s));
    return in;
  }
  in.series = std::move(v->series);
  return in;
}

absl::StatusOr<Matrix> Evaluator::EvalRangeAsMatrix(const Expr& expr) {
  absl::StatusOr<RangeInput> in = EvalRange(expr);
  if (!in.ok()) return in.status();
  const int64_t r = in->Ref(start_);
  Matrix out;
  absl::Status st = ForEachRangeSeries(*in, [&](const Labels& l, std::span<const Sample> pts) {
    auto lo = std::lower_bound(pts.begin(), pts.end(), r - in->range_ms,
                               [](const Sample& a, int64_t t) { return a.t < t; });
    auto hi = std::upper_bound(pts.begin(), pts.end(), r,
                               [](int64_t t, const Sample& a) { return t < a.t; });
    if (lo >= hi) return absl::OkStatus();
    out.push_back(Series{l, std::vector<Sample>(lo, hi)});
    return Reserve(static_cast<int64_t>(hi - lo));
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace vigil::promql
