#include "query/logql/engine/range_aggregation.h"

#include <algorithm>
#include <cmath>

#include "query/promql/functions/aggregation_kernels.h"
#include "query/promql/functions/quantile.h"

namespace vigil::logql {

bool StepSeries::Empty() const {
  return std::none_of(present.begin(), present.end(), [](bool b) { return b; });
}

namespace {

// Prometheus' counter rate with extrapolation, over ns timestamps (rate_counter).
double CounterRate(std::span<const TimedValue> s, int64_t range_ns) {
  if (s.size() < 2) return 0;
  double result = s.back().value - s.front().value;
  double last = 0;
  for (const TimedValue& v : s) {
    if (v.value < last) result += last;
    last = v.value;
  }
  const double range_s = static_cast<double>(range_ns) / 1e9;
  const double range_start = static_cast<double>(s.front().ts_ns - range_ns) / 1e9;
  const double first_t = static_cast<double>(s.front().ts_ns) / 1e9;
  const double last_t = static_cast<double>(s.back().ts_ns) / 1e9;
  double to_start = first_t - range_start;
  double to_end = 0;  // the window ends at the last sample, as in Loki
  const double sampled = last_t - first_t;
  if (sampled <= 0) return 0;
  const double avg_gap = sampled / static_cast<double>(s.size() - 1);
  if (result > 0 && s.front().value >= 0) {
    double to_zero = sampled * (s.front().value / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  const double threshold = avg_gap * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : avg_gap / 2;
  interval += to_end < threshold ? to_end : avg_gap / 2;
  return result * (interval / sampled) / range_s;
}

double Reduce(const RangeAggregationExpr& e, std::span<const TimedValue> w,
              std::vector<double>* scratch) {
  const double range_s = static_cast<double>(e.range_ns) / 1e9;
  switch (e.op) {
    case RangeOp::kCountOverTime:
      return static_cast<double>(w.size());
    case RangeOp::kRate:
    case RangeOp::kBytesRate: {
      double sum = 0;
      for (const TimedValue& v : w) sum += v.value;
      return sum / range_s;
    }
    case RangeOp::kBytesOverTime:
    case RangeOp::kSumOverTime: {
      double sum = 0;
      for (const TimedValue& v : w) sum += v.value;
      return sum;
    }
    case RangeOp::kAvgOverTime: {
      promql::AvgAccumulator acc;
      acc.Init(w[0].value);
      for (size_t i = 1; i < w.size(); ++i) acc.Add(w[i].value);
      return acc.Result();
    }
    case RangeOp::kMaxOverTime: {
      double m = w[0].value;
      for (const TimedValue& v : w) promql::UpdateMax(&m, v.value);
      return m;
    }
    case RangeOp::kMinOverTime: {
      double m = w[0].value;
      for (const TimedValue& v : w) promql::UpdateMin(&m, v.value);
      return m;
    }
    case RangeOp::kFirstOverTime:
      return w.front().value;
    case RangeOp::kLastOverTime:
      return w.back().value;
    case RangeOp::kStdvarOverTime:
    case RangeOp::kStddevOverTime: {
      promql::VarianceAccumulator acc;
      acc.Init(w[0].value);
      for (size_t i = 1; i < w.size(); ++i) acc.Add(w[i].value);
      return e.op == RangeOp::kStdvarOverTime ? acc.Stdvar() : acc.Stddev();
    }
    case RangeOp::kQuantileOverTime: {
      scratch->clear();
      for (const TimedValue& v : w) scratch->push_back(v.value);
      return promql::Quantile(e.param.value_or(0), scratch);
    }
    case RangeOp::kRateCounter:
      return CounterRate(w, e.range_ns);
    case RangeOp::kAbsentOverTime:
      return 1;
  }
  return 0;
}

}  // namespace

void AggregateRange(const RangeAggregationExpr& expr, const StepGrid& grid,
                    std::span<const TimedValue> samples, StepSeries* out,
                    std::vector<double>* scratch) {
  const size_t n = grid.size();
  out->values.assign(n, 0);
  out->present.assign(n, false);
  auto by_time = [](const TimedValue& v, int64_t t) { return v.ts_ns <= t; };
  for (size_t i = 0; i < n; ++i) {
    const int64_t hi = grid.At(i) - expr.offset_ns;
    const int64_t lo = hi - expr.range_ns;
    // (lo, hi]: first sample after lo, first sample after hi.
    auto first = std::partition_point(samples.begin(), samples.end(),
                                      [&](const TimedValue& v) { return by_time(v, lo); });
    auto last = std::partition_point(first, samples.end(),
                                     [&](const TimedValue& v) { return by_time(v, hi); });
    if (first == last) continue;
    out->values[i] = Reduce(expr, std::span<const TimedValue>(&*first, static_cast<size_t>(last - first)), scratch);
    out->present[i] = true;
  }
}

StepSeries AbsentSeries(const RangeAggregationExpr& expr, const StepGrid& grid,
                        const std::vector<StepSeries>& present) {
  StepSeries s;
  std::vector<Label> labels;
  for (const LabelMatcher& m : expr.selector->matchers) {
    if (m.type() == MatchType::kEqual && !m.value().empty()) labels.push_back({m.name(), m.value()});
  }
  s.labels = Labels::FromUnsorted(std::move(labels));
  const size_t n = grid.size();
  s.values.assign(n, 1);
  s.present.assign(n, true);
  for (const StepSeries& p : present) {
    for (size_t i = 0; i < n; ++i) {
      if (p.present[i]) s.present[i] = false;
    }
  }
  return s;
}

}  // namespace vigil::logql
