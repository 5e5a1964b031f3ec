// Functions over range vectors (rate, *_over_time, …): for each series a window slides over
// its raw points, one step at a time; the kernel for the function is chosen once per call,
// not per window.
#include <optional>

#include "common/strings.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/engine/label_util.h"
#include "query/promql/functions/over_time.h"
#include "query/promql/functions/range_kernels.h"

namespace vigil::promql {
// The selector's equality matchers, minus names matched more than once or by another
// matcher type.
Labels AbsentLabelsFor(const Expr& arg) {
  const Expr* e = &arg;
  while (e->kind == NodeKind::kParen) e = static_cast<const ParenExpr*>(e)->expr.get();
  const Matchers* ms = nullptr;
  if (e->kind == NodeKind::kVectorSelector) {
    ms = &static_cast<const VectorSelector*>(e)->matchers;
  } else if (e->kind == NodeKind::kMatrixSelector) {
    ms = &static_cast<const MatrixSelector*>(e)->selector->matchers;
  }
  if (!ms) return {};
  LabelsBuilder b;
  std::vector<std::string> drop;
  for (const LabelMatcher& m : *ms) {
    if (m.name() == kMetricName) continue;
    if (m.type() == MatchType::kEqual && b.Get(m.name()).empty()) {
      b.Set(m.name(), m.value());
    } else {
      drop.push_back(m.name());
    }
  }
  for (const auto& n : drop) b.Del(n);
  return b.Build();
}

absl::StatusOr<StepValue> Evaluator::EvalRangeFunction(const Call& e, size_t range_arg) {
  // The other arguments are scalars (quantile, smoothing factors, prediction horizon).
  std::vector<std::vector<double>> scalars(e.args.size());
  for (size_t j = 0; j < e.args.size(); ++j) {
    if (j == range_arg) continue;
    absl::StatusOr<StepValue> v = Eval(*e.args[j]);
    if (!v.ok()) return v.status();
    scalars[j] = std::move(v->scalars);
  }
  absl::StatusOr<RangeInput> in = EvalRange(*e.args[range_arg]);
  if (!in.ok()) return in.status();
  const Function fn = e.func->id;
  const bool keep_name = fn == Function::kLastOverTime;
  SeriesCollector out;
  std::vector<bool> produced;    // per output series: filled by an earlier input series
  std::vector<bool> found(fn == Function::kAbsentOverTime ? num_steps_ : 0);
  std::vector<double> scratch;
  absl::Status error;

  // Runs `kernel(window, step index, step time, window end)` → optional value over every
  // window of every series.
  auto run = [&](auto&& kernel) -> absl::Status {
    size_t n = 0;
    for (Series& s : in->series) {
      if ((++n & 255) == 0) {
        if (absl::Status st = CheckDeadline(); !st.ok()) return st;
      }
      const std::vector<Sample>& pts = s.points;
      size_t lo = 0, hi = 0;
      size_t idx = SIZE_MAX;
      for (size_t k = 0; k < num_steps_; ++k) {
        const int64_t ts = StepTime(k);
        const int64_t ref = in->Ref(ts);
        const int64_t mint = ref - in->range_ms;
        while (hi < pts.size() && pts[hi].t <= ref) ++hi;
        while (lo < hi && pts[lo].t < mint) ++lo;
        if (lo == hi) continue;
        std::optional<double> v =
            kernel(std::span<const Sample>(pts.data() + lo, hi - lo), k, ts, ref);
        if (!error.ok()) return error;
        if (!v) continue;
        if (idx == SIZE_MAX) {
          idx = out.Find(keep_name ? s.labels : DropMetricName(s.labels));
          if (idx < produced.size() && produced[idx]) return DuplicateLabelsetError();
          produced.resize(std::max(produced.size(), idx + 1), false);
        }
        out.Add(idx, ts, *v);
      }
      if (idx != SIZE_MAX) produced[idx] = true;
    }
    return absl::OkStatus();
  };

  const int64_t range = in->range_ms;
  absl::Status st;
  using W = std::span<const Sample>;
  switch (fn) {
    case Function::kRate:
      st = run([&](W w, size_t, int64_t, int64_t ref) {
        return ExtrapolatedRate(w, ref - range, ref, true, true);
      });
      break;
    case Function::kIncrease:
      st = run([&](W w, size_t, int64_t, int64_t ref) {
        return ExtrapolatedRate(w, ref - range, ref, true, false);
      });
      break;
    case Function::kDelta:
      st = run([&](W w, size_t, int64_t, int64_t ref) {
        return ExtrapolatedRate(w, ref - range, ref, false, false);
      });
      break;
    case Function::kIrate:
      st = run([&](W w, size_t, int64_t, int64_t) { return InstantRate(w, true); });
      break;
    case Function::kIdelta:
      st = run([&](W w, size_t, int64_t, int64_t) { return InstantRate(w, false); });
      break;
    case Function::kDeriv:
      st = run([&](W w, size_t, int64_t, int64_t) { return Deriv(w); });
      break;
    case Function::kPredictLinear:
      st = run([&](W w, size_t k, int64_t ts, int64_t) {
        return PredictLinear(w, ts, scalars[1][k]);
      });
      break;
    case Function::kHoltWinters:
      st = run([&](W w, size_t k, int64_t, int64_t) -> std::optional<double> {
        absl::StatusOr<std::optional<double>> r = HoltWinters(w, scalars[1][k], scalars[2][k]);
        if (!r.ok()) {
          error = absl::AbortedError(r.status().message());
          return std::nullopt;
        }
        return *r;
      });
      break;
    case Function::kResets:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return Resets(w); });
      break;
    case Function::kChanges:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return Changes(w); });
      break;
    case Function::kAvgOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return AvgOverTime(w); });
      break;
    case Function::kSumOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return SumOverTime(w); });
      break;
    case Function::kCountOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return CountOverTime(w); });
      break;
    case Function::kMinOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return MinOverTime(w); });
      break;
    case Function::kMaxOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return MaxOverTime(w); });
      break;
    case Function::kStddevOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return StddevOverTime(w); });
      break;
    case Function::kStdvarOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return StdvarOverTime(w); });
      break;
    case Function::kLastOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return LastOverTime(w); });
      break;
    case Function::kPresentOverTime:
      st = run([&](W w, size_t, int64_t, int64_t) -> std::optional<double> { return PresentOverTime(w); });
      break;
    case Function::kQuantileOverTime:
      st = run([&](W w, size_t k, int64_t, int64_t) -> std::optional<double> {
        return QuantileOverTime(scalars[0][k], w, &scratch);
      });
      break;
    case Function::kAbsentOverTime:
      st = run([&](W, size_t k, int64_t, int64_t) -> std::optional<double> {
        found[k] = true;
        return std::nullopt;
      });
      break;
    default:
      st = absl::InternalError(StrCat("function ", e.func->name, " does not take a range vector"));
  }
  if (!st.ok()) return st;
  Release(PointCount(in->series));

  if (fn != Function::kAbsentOverTime) return VectorResult(out);
  StepValue v;
  v.type = ValueType::kVector;
  Series s{AbsentLabelsFor(*e.args[range_arg]), {}};
  for (size_t k = 0; k < num_steps_; ++k) {
    if (!found[k]) s.points.push_back({StepTime(k), 1});
  }
  if (!s.points.empty()) v.series.push_back(std::move(s));
  if (absl::Status rs = Reserve(PointCount(v.series)); !rs.ok()) return rs;
  return v;
}

}  // namespace vigil::promql
