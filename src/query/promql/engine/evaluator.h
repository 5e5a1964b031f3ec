// The evaluator: walks a PromQL tree over a grid of steps (start, start+interval, … end) and
// produces, for each node, its value at every step at once.
//
// Representation, chosen so that work is per series rather than per step wherever the
// semantics allow:
// - a vector-typed node yields a Matrix whose points sit exactly on step timestamps (a series
//   has no point at steps where it is absent);
// - a scalar-typed node yields one double per step;
// - range-typed nodes (matrix selectors, subqueries) are consumed by the functions that take
//   them, which slide a window over each series' raw points (EvalRange*); only an instant
//   query of a range expression materialises them as a result.
//
// Thread-safety: one Evaluator per query, used by one thread.
#pragma once

#include <cstdint>
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "query/promql/engine/engine.h"
#include "query/promql/engine/value.h"
#include "query/promql/syntax/ast.h"
#include "query/promql/syntax/function_info.h"

namespace vigil::promql {

class SeriesCollector;

// Receives a vector-typed result one series at a time (labels, step-aligned points).
using SeriesSink = std::function<void(const Labels&, std::span<const Sample>)>;

// State shared by a query's evaluator and the evaluators of its subqueries.
struct QueryContext {
  MetricsStore* store = nullptr;
  const EngineOptions* options = nullptr;
  int64_t deadline_ns = 0;      // steady clock
  int64_t query_start_ms = 0;   // for `@ start()`
  int64_t query_end_ms = 0;     // for `@ end()`
  boost::asio::thread_pool* pool = nullptr;  // per-series work; null: inline
  int pool_threads = 0;
  int64_t current_samples = 0;  // points held by live intermediate values
  int64_t peak_samples = 0;
  std::vector<std::string> warnings;
};

// The value of a scalar or vector node over all steps.
struct StepValue {
  ValueType type = ValueType::kNone;
  Matrix series;                // kVector
  std::vector<double> scalars;  // kScalar: one per step
  std::string str;              // kString
};

// A range-typed argument prepared for sliding windows: where its series come from and how to
// place the window for a step. A matrix selector is read series by series straight from
// storage when it is walked (ForEachRangeSeries), so a long range is never copied whole; a
// subquery's series are its evaluated result.
struct RangeInput {
  const VectorSelector* selector = nullptr;  // matrix selector: read [mint, maxt] lazily
  int64_t mint = 0;
  int64_t maxt = 0;
  Matrix series;                             // subquery result
  int64_t range_ms = 0;
  int64_t offset_ms = 0;
  bool has_at = false;
  int64_t at_ms = 0;
  // The window's right edge for an evaluation at `ts`; the window is [ref - range, ref].
  int64_t Ref(int64_t ts) const { return (has_at ? at_ms : ts) - offset_ms; }
};

class Evaluator {
 public:
  Evaluator(QueryContext* ctx, int64_t start_ms, int64_t end_ms, int64_t interval_ms);

  absl::StatusOr<StepValue> Eval(const Expr& e);
  // A range-typed expression (matrix selector or subquery) ready for windowing.
  absl::StatusOr<RangeInput> EvalRange(const Expr& e);
  // Calls fn(labels, points) for each series of a range argument, points sorted and without
  // staleness markers.
  template <typename F>
  absl::Status ForEachRangeSeries(const RangeInput& in, F&& fn);
  // The storage read behind a matrix selector's RangeInput; the querier owns the set's data.
  struct RangeSelection {
    std::unique_ptr<MetricsQuerier> querier;
    std::unique_ptr<SeriesSet> set;
  };
  RangeSelection SelectRange(const RangeInput& in);
  // ForEachRangeSeries over the rest of an already selected set.
  template <typename F>
  absl::Status ForEachSelected(SeriesSet& set, F&& fn);
  // The raw points of a range-typed expression at the single step (instant queries).
  absl::StatusOr<Matrix> EvalRangeAsMatrix(const Expr& e);

  int64_t start() const { return start_; }
  int64_t end() const { return end_; }
  int64_t interval() const { return interval_; }
  size_t num_steps() const { return num_steps_; }
  int64_t StepTime(size_t i) const { return start_ + static_cast<int64_t>(i) * interval_; }
  size_t StepIndex(int64_t t) const { return static_cast<size_t>((t - start_) / interval_); }
  QueryContext& ctx() { return *ctx_; }

  // Sample accounting: fails with ResourceExhausted once the query holds more points than
  // allowed; Release gives them back when an intermediate value is dropped.
  absl::Status Reserve(int64_t points);
  void Release(int64_t points);
  void Release(const StepValue& v);
  absl::Status CheckDeadline();
  // The collected series as a vector value, accounted against the sample limit.
  absl::StatusOr<StepValue> VectorResult(SeriesCollector& out);

 private:
  template <typename OnSeries, typename OnPoint>
  absl::Status WalkSelector(const VectorSelector& vs, OnSeries&& on_series, OnPoint&& on_point);
  absl::StatusOr<StepValue> EvalVectorSelector(const VectorSelector& vs);
  absl::StatusOr<StepValue> EvalTimestampOfSelector(const VectorSelector& vs);
  absl::StatusOr<StepValue> EvalStepInvariant(const Expr& e);
  absl::StatusOr<StepValue> EvalUnary(const UnaryExpr& e);
  absl::StatusOr<StepValue> EvalBinary(const BinaryExpr& e);
  absl::StatusOr<StepValue> EvalAggregate(const AggregateExpr& e);
  absl::StatusOr<StepValue> EvalCall(const Call& e);
  // With a sink, each output series goes to it as it is produced and the result is empty.
  absl::StatusOr<StepValue> EvalRangeFunction(const Call& e, size_t range_arg,
                                              const SeriesSink* sink = nullptr);
  absl::StatusOr<StepValue> EvalCellAggregate(const AggregateExpr& e);
  absl::StatusOr<StepValue> HistogramQuantileOverSteps(const std::vector<double>& q,
                                                       const StepValue& in);

  // Resolves `@ start()`/`@ end()` to a time.
  int64_t AtTime(const TimeModifiers& m) const;
  std::vector<Sample> scratch_;  // a series' points without staleness markers

  QueryContext* ctx_;
  int64_t start_;
  int64_t end_;
  int64_t interval_;
  size_t num_steps_;
};

// True when no part of `e` depends on the evaluation time: every selector and subquery in
// it has an `@`, or it is made of literals only (then it is constant anyway).
bool IsStepInvariant(const Expr& e);

int64_t PointCount(const Matrix& m);
void DropStaleMarkers(std::vector<Sample>* pts);

// The labels absent()/absent_over_time() give their output, from the argument's matchers.
Labels AbsentLabelsFor(const Expr& arg);

// Prometheus' error for two output series with one label set at one step.
absl::Status DuplicateLabelsetError();

// Builds a vector-typed result: a label set seen before (by packed encoding) continues its
// earlier series, so inputs that map to the same labels merge. Points may arrive out of
// step order (input series are processed one after another); Take sorts them. Two points at
// one step in one series mean two inputs produced the same labels at one evaluation:
// Prometheus' "vector cannot contain metrics with the same labelset".
class SeriesCollector {
 public:
  // Index of the series for `labels`, created on first use (in order of first appearance).
  size_t Find(const Labels& labels);
  void Add(size_t index, int64_t t, double v) {
    std::vector<Sample>& pts = out_[index].points;
    if (!pts.empty() && pts.back().t >= t) unsorted_[index] = true;
    pts.push_back({t, v});
  }
  // Adds a run of points in time order; moved in whole when the series has none yet.
  void AddAll(size_t index, std::vector<Sample>&& pts) {
    std::vector<Sample>& dst = out_[index].points;
    if (dst.empty()) {
      dst = std::move(pts);
      return;
    }
    if (!pts.empty() && dst.back().t >= pts.front().t) unsorted_[index] = true;
    dst.insert(dst.end(), pts.begin(), pts.end());
  }
  absl::StatusOr<Matrix> Take();
  size_t size() const { return out_.size(); }
  const Labels& labels(size_t index) const { return out_[index].labels; }

 private:
  Matrix out_;
  std::vector<bool> unsorted_;
  absl::flat_hash_map<std::string, size_t> index_;
};

}  // namespace vigil::promql

namespace vigil::promql {

template <typename F>
absl::Status Evaluator::ForEachRangeSeries(const RangeInput& in, F&& fn) {
  if (!in.selector) {
    for (const Series& s : in.series) {
      if (absl::Status st = fn(s.labels, std::span<const Sample>(s.points)); !st.ok()) return st;
    }
    return absl::OkStatus();
  }
  RangeSelection sel = SelectRange(in);
  return ForEachSelected(*sel.set, fn);
}

template <typename F>
absl::Status Evaluator::ForEachSelected(SeriesSet& set, F&& fn) {
  size_t n = 0;
  while (set.Next()) {
    if ((++n & 255) == 0) {
      if (absl::Status st = CheckDeadline(); !st.ok()) return st;
    }
    std::span<const Sample> pts = set.samples();
    // Range functions never see staleness markers; copy only the series that have one.
    if (std::any_of(pts.begin(), pts.end(), [](const Sample& x) { return IsStaleNaN(x.v); })) {
      scratch_.assign(pts.begin(), pts.end());
      DropStaleMarkers(&scratch_);
      pts = scratch_;
    }
    if (absl::Status st = fn(set.labels(), pts); !st.ok()) return st;
  }
  return set.status();
}

}  // namespace vigil::promql
