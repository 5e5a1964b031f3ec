// Functions over range vectors (rate, *_over_time, …): for each series a window slides over
// its raw points, one step at a time; the kernel for the function is chosen once per call,
// not per window.
#include <algorithm>
#include <deque>
#include <optional>

#include "common/strings.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/engine/label_util.h"
#include "query/promql/engine/ordered_fan_out.h"
#include "query/promql/engine/task_group.h"
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

namespace {

// What one batch of series needs while its windows are evaluated on a worker thread.
struct WindowTask {
  std::vector<double> scratch;  // quantile_over_time
  std::vector<Sample> points;   // a series decoded on this worker
  absl::Status error;
  bool may_have_resets = true;  // of the series being evaluated
  int64_t budget = 0;           // window points the sample limit still allows
  RateShapeCache rate_shapes;   // rate, increase, delta
};

// A run of input series and, per series, its output points. The series are either indices
// into a random-access set (decoded by the worker), or copied or evaluated ones (`input`).
struct Batch {
  const SeriesSet* set = nullptr;
  size_t first = 0;
  size_t count = 0;
  std::vector<Series> owned;  // series copied out of a sequential set
  std::span<const Series> input;
  std::vector<std::vector<Sample>> outputs;
  WindowTask task;

  size_t size() const { return set ? count : input.size(); }
  const Labels& labels(size_t i) const { return set ? set->LabelsAt(first + i) : input[i].labels; }
  // The i-th series' points; decoding errors land in task.error.
  std::span<const Sample> points(size_t i) {
    if (!set) return input[i].points;
    task.points.clear();
    task.error = set->SamplesAt(first + i, &task.points);
    DropStaleMarkers(&task.points);
    return task.points;
  }
};

constexpr size_t kBatchSeries = 256;
constexpr size_t kMinBatchSeries = 16;
constexpr size_t kBatchPoints = 1 << 17;

// Four comparisons per branch: a series without resets (the usual case) is scanned end to
// end, and over a day of samples the per-sample branch was a visible share of rate().
bool HasCounterReset(std::span<const Sample> pts) {
  size_t i = 1;
  for (; i + 4 <= pts.size(); i += 4) {
    const bool reset = (pts[i].v < pts[i - 1].v) | (pts[i + 1].v < pts[i].v) |
                       (pts[i + 2].v < pts[i + 1].v) | (pts[i + 3].v < pts[i + 2].v);
    if (reset) return true;
  }
  for (; i < pts.size(); ++i) {
    if (pts[i].v < pts[i - 1].v) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<StepValue> Evaluator::EvalRangeFunction(const Call& e, size_t range_arg,
                                                       const SeriesSink* sink) {
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
  std::vector<bool> found(fn == Function::kAbsentOverTime ? num_steps_ : 0);
  // rate() and increase() treat a decrease as a counter reset; a series found to have none
  // skips the per-window reset scan.
  const bool counter_fn = fn == Function::kRate || fn == Function::kIncrease;
  const RateShapeCache rate_shapes(in->range_ms, counter_fn, fn == Function::kRate);

  // Evaluates `kernel(window, task, step index, step time, window end)` → optional value
  // over every window of every series. Series are cut into batches that run on the worker
  // pool and on this thread; results are merged in input order, so the output is the same
  // as a sequential run.
  auto run = [&](auto&& kernel) -> absl::Status {
    auto compute = [&](Batch& b) {
      b.outputs.resize(b.size());
      for (size_t si = 0; si < b.size(); ++si) {
        std::span<const Sample> pts = b.points(si);
        if (!b.task.error.ok()) return;
        b.task.may_have_resets = !counter_fn || HasCounterReset(pts);
        if (pts.empty()) continue;
        // Sized for a point per step and written by index (cut to size below).
        std::vector<Sample>& dst = b.outputs[si];
        dst.resize(num_steps_);
        size_t n = 0;
        size_t lo = 0, hi = 0;
        for (size_t k = 0; k < num_steps_; ++k) {
          const int64_t ts = StepTime(k);
          const int64_t ref = in->Ref(ts);
          const int64_t mint = ref - in->range_ms;
          while (hi < pts.size() && pts[hi].t <= ref) ++hi;
          while (lo < hi && pts[lo].t < mint) ++lo;
          if (lo == hi) continue;
          if (static_cast<int64_t>(hi - lo) > b.task.budget) {
            b.task.error = absl::ResourceExhaustedError(
                "query processing would load too many samples into memory in query execution");
            return;
          }
          std::optional<double> v = kernel(pts.subspan(lo, hi - lo), b.task, k, ts, ref);
          if (!b.task.error.ok()) return;
          if (v) dst[n++] = {ts, *v};
        }
        dst.resize(n);
      }
      // The input points are no longer needed; the labels are, for the merge.
      for (Series& s : b.owned) std::vector<Sample>().swap(s.points);
    };
    // An output label set produced by two input series is an error even when their points
    // never meet at one step, as in Prometheus.
    std::vector<bool> produced;
    auto merge = [&](Batch& b) -> absl::Status {
      if (!b.task.error.ok()) return b.task.error;
      for (size_t si = 0; si < b.size(); ++si) {
        std::vector<Sample>& pts = b.outputs[si];
        if (pts.empty()) continue;
        const Labels& labels = b.labels(si);
        size_t idx = out.Find(keep_name ? labels : DropMetricName(labels));
        if (idx < produced.size() && produced[idx]) return DuplicateLabelsetError();
        produced.resize(std::max(produced.size(), idx + 1), false);
        produced[idx] = true;
        if (sink) {
          (*sink)(out.labels(idx), pts);
        } else {
          out.AddAll(idx, std::move(pts));
        }
      }
      std::vector<std::vector<Sample>>().swap(b.outputs);
      return absl::OkStatus();
    };
    // absent_over_time writes shared per-step flags: it runs on this thread alone.
    boost::asio::thread_pool* pool = fn == Function::kAbsentOverTime ? nullptr : ctx_->pool;
    const size_t threads = static_cast<size_t>(std::max(1, ctx_->pool_threads));
    const int64_t budget = ctx_->options->max_samples - ctx_->current_samples;
    RangeSelection sel;
    if (in->selector) sel = SelectRange(*in);
    const int64_t random_access = sel.set ? sel.set->Size() : -1;
    if (random_access >= 0 || !sel.set) {
      // Batches are computed on the pool and on this thread, and merged here in input order
      // as they complete. Workers decode their own series from a random-access set, so
      // reading storage is spread over the cores too. Several batches per core keep the
      // cores evenly busy to the end.
      std::vector<Batch> batches;
      if (random_access >= 0) {
        const size_t n = static_cast<size_t>(random_access);
        const size_t per_batch = std::clamp<size_t>((n + 8 * threads - 1) / (8 * threads),
                                                    kMinBatchSeries, kBatchSeries);
        batches.resize((n + per_batch - 1) / per_batch);
        for (size_t bi = 0; bi < batches.size(); ++bi) {
          batches[bi].set = sel.set.get();
          batches[bi].first = bi * per_batch;
          batches[bi].count = std::min(per_batch, n - bi * per_batch);
        }
      } else {
        const std::span<const Series> all(in->series);
        batches.resize((all.size() + kBatchSeries - 1) / kBatchSeries);
        for (size_t bi = 0; bi < batches.size(); ++bi) {
          batches[bi].input =
              all.subspan(bi * kBatchSeries, std::min(kBatchSeries, all.size() - bi * kBatchSeries));
        }
      }
      for (Batch& b : batches) {
        b.task.budget = budget;
        b.task.rate_shapes = rate_shapes;
      }
      absl::Status st;
      RunOrdered(
          pool, threads, batches.size(), 4 * threads, [&](size_t i) { compute(batches[i]); },
          [&](size_t i) {
            st = CheckDeadline();
            if (st.ok()) st = merge(batches[i]);
            return st.ok();
          });
      return st;
    }
    // A set read front to back: this thread reads it and hands copies to the pool.
    std::deque<Batch> batches;
    TaskGroup group(pool);
    const size_t max_in_flight = 2 * threads;
    auto dispatch = [&](Batch& b) {
      b.task.budget = budget;
      b.task.rate_shapes = rate_shapes;
      group.WaitBelow(max_in_flight);
      group.Run([&compute, &b] { compute(b); });
    };
    Batch* cur = nullptr;
    size_t cur_points = 0;
    absl::Status st = ForEachSelected(*sel.set, [&](const Labels& l, std::span<const Sample> pts) {
      if (!cur) {
        cur = &batches.emplace_back();
        cur_points = 0;
      }
      cur->owned.push_back(Series{l, std::vector<Sample>(pts.begin(), pts.end())});
      cur_points += pts.size();
      if (cur->owned.size() >= kBatchSeries || cur_points >= kBatchPoints) {
        cur->input = cur->owned;
        dispatch(*cur);
        cur = nullptr;
      }
      return absl::OkStatus();
    });
    if (cur) {
      cur->input = cur->owned;
      dispatch(*cur);
    }
    group.Wait();
    if (!st.ok()) return st;
    for (Batch& b : batches) {
      if (absl::Status ms = merge(b); !ms.ok()) return ms;
    }
    return absl::OkStatus();
  };

  absl::Status st;
  using W = std::span<const Sample>;
  switch (fn) {
    case Function::kRate:
      st = run([&](W w, WindowTask& t, size_t, int64_t, int64_t ref) {
        return t.rate_shapes.Rate(w, ref, t.may_have_resets);
      });
      break;
    case Function::kIncrease:
      st = run([&](W w, WindowTask& t, size_t, int64_t, int64_t ref) {
        return t.rate_shapes.Rate(w, ref, t.may_have_resets);
      });
      break;
    case Function::kDelta:
      st = run([&](W w, WindowTask& t, size_t, int64_t, int64_t ref) {
        return t.rate_shapes.Rate(w, ref, true);
      });
      break;
    case Function::kIrate:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) { return InstantRate(w, true); });
      break;
    case Function::kIdelta:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) { return InstantRate(w, false); });
      break;
    case Function::kDeriv:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) { return Deriv(w); });
      break;
    case Function::kPredictLinear:
      st = run([&](W w, WindowTask&, size_t k, int64_t ts, int64_t) {
        return PredictLinear(w, ts, scalars[1][k]);
      });
      break;
    case Function::kHoltWinters:
      st = run([&](W w, WindowTask& t, size_t k, int64_t, int64_t) -> std::optional<double> {
        absl::StatusOr<std::optional<double>> r = HoltWinters(w, scalars[1][k], scalars[2][k]);
        if (!r.ok()) {
          t.error = absl::AbortedError(r.status().message());
          return std::nullopt;
        }
        return *r;
      });
      break;
    case Function::kResets:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return Resets(w); });
      break;
    case Function::kChanges:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return Changes(w); });
      break;
    case Function::kAvgOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return AvgOverTime(w); });
      break;
    case Function::kSumOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return SumOverTime(w); });
      break;
    case Function::kCountOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return CountOverTime(w); });
      break;
    case Function::kMinOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return MinOverTime(w); });
      break;
    case Function::kMaxOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return MaxOverTime(w); });
      break;
    case Function::kStddevOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return StddevOverTime(w); });
      break;
    case Function::kStdvarOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return StdvarOverTime(w); });
      break;
    case Function::kLastOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return LastOverTime(w); });
      break;
    case Function::kPresentOverTime:
      st = run([&](W w, WindowTask&, size_t, int64_t, int64_t) -> std::optional<double> { return PresentOverTime(w); });
      break;
    case Function::kQuantileOverTime:
      st = run([&](W w, WindowTask& t, size_t k, int64_t, int64_t) -> std::optional<double> {
        return QuantileOverTime(scalars[0][k], w, &t.scratch);
      });
      break;
    case Function::kAbsentOverTime:
      st = run([&](W, WindowTask&, size_t k, int64_t, int64_t) -> std::optional<double> {
        found[k] = true;
        return std::nullopt;
      });
      break;
    default:
      st = absl::InternalError(StrCat("function ", e.func->name, " does not take a range vector"));
  }
  if (!st.ok()) return st;
  Release(PointCount(in->series));

  if (sink) return StepValue{ValueType::kVector, {}, {}, {}};
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
