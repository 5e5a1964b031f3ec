// Function calls whose arguments are instant vectors and scalars. Element-wise functions run
// per series over all its points; the few that look at a whole vector (scalar, absent,
// histogram_quantile, sort) run per step.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/engine/label_functions.h"
#include "query/promql/engine/label_util.h"
#include "query/promql/engine/step_cursor.h"
#include "query/promql/functions/date_kernels.h"
#include "query/promql/functions/histogram_quantile.h"
#include "query/promql/functions/math_kernels.h"

namespace vigil::promql {
namespace {

const Expr& Unwrap(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind == NodeKind::kParen) cur = static_cast<const ParenExpr*>(cur)->expr.get();
  return *cur;
}

bool IsDateFunction(Function f) {
  switch (f) {
    case Function::kYear: case Function::kMonth: case Function::kDayOfMonth:
    case Function::kDayOfWeek: case Function::kDayOfYear: case Function::kDaysInMonth:
    case Function::kHour: case Function::kMinute:
      return true;
    default:
      return false;
  }
}

DateFn DateFnOf(Function f) {
  switch (f) {
    case Function::kYear: return DateFn::kYear;
    case Function::kMonth: return DateFn::kMonth;
    case Function::kDayOfMonth: return DateFn::kDayOfMonth;
    case Function::kDayOfWeek: return DateFn::kDayOfWeek;
    case Function::kDayOfYear: return DateFn::kDayOfYear;
    case Function::kDaysInMonth: return DateFn::kDaysInMonth;
    case Function::kHour: return DateFn::kHour;
    default: return DateFn::kMinute;
  }
}

double DateValue(Function f, double unix_seconds) {
  return ApplyDateFunction(DateFnOf(f), unix_seconds);
}

StepValue ScalarValue(std::vector<double> v) {
  StepValue out;
  out.type = ValueType::kScalar;
  out.scalars = std::move(v);
  return out;
}

}  // namespace

absl::StatusOr<StepValue> Evaluator::EvalCall(const Call& e) {
  const Function fn = e.func->id;
  if (fn == Function::kTimestamp) {
    const Expr& arg = Unwrap(*e.args[0]);
    if (arg.kind == NodeKind::kVectorSelector) {
      return EvalTimestampOfSelector(static_cast<const VectorSelector&>(arg));
    }
  }
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (TypeOf(*e.args[i]) == ValueType::kMatrix) return EvalRangeFunction(e, i);
  }

  // Time-only functions.
  if (fn == Function::kTime || fn == Function::kPi) {
    std::vector<double> v(num_steps_);
    for (size_t k = 0; k < num_steps_; ++k) {
      v[k] = fn == Function::kPi ? std::numbers::pi : static_cast<double>(StepTime(k)) / 1000.0;
    }
    return ScalarValue(std::move(v));
  }
  if (IsDateFunction(fn) && e.args.empty()) {
    Series s;
    for (size_t k = 0; k < num_steps_; ++k) {
      s.points.push_back({StepTime(k), DateValue(fn, static_cast<double>(StepTime(k)) / 1000.0)});
    }
    StepValue out;
    out.type = ValueType::kVector;
    if (absl::Status st = Reserve(static_cast<int64_t>(s.points.size())); !st.ok()) return st;
    out.series.push_back(std::move(s));
    return out;
  }

  std::vector<StepValue> args;
  args.reserve(e.args.size());
  for (const auto& a : e.args) {
    absl::StatusOr<StepValue> v = Eval(*a);
    if (!v.ok()) return v.status();
    args.push_back(std::move(*v));
  }
  auto release_args = [&] {
    for (const auto& a : args) Release(a);
  };

  switch (fn) {
    case Function::kVector: {
      Series s;
      for (size_t k = 0; k < num_steps_; ++k) s.points.push_back({StepTime(k), args[0].scalars[k]});
      StepValue out;
      out.type = ValueType::kVector;
      if (absl::Status st = Reserve(static_cast<int64_t>(s.points.size())); !st.ok()) return st;
      out.series.push_back(std::move(s));
      return out;
    }
    case Function::kScalar: {
      std::vector<double> v(num_steps_, std::nan(""));
      std::vector<int> count(num_steps_, 0);
      for (const Series& s : args[0].series) {
        for (const Sample& p : s.points) {
          size_t k = StepIndex(p.t);
          if (++count[k] == 1) v[k] = p.v;
        }
      }
      for (size_t k = 0; k < num_steps_; ++k) {
        if (count[k] != 1) v[k] = std::nan("");
      }
      release_args();
      return ScalarValue(std::move(v));
    }
    case Function::kAbsent: {
      std::vector<bool> present(num_steps_, false);
      for (const Series& s : args[0].series) {
        for (const Sample& p : s.points) present[StepIndex(p.t)] = true;
      }
      release_args();
      Series s{AbsentLabelsFor(*e.args[0]), {}};
      for (size_t k = 0; k < num_steps_; ++k) {
        if (!present[k]) s.points.push_back({StepTime(k), 1});
      }
      StepValue out;
      out.type = ValueType::kVector;
      if (!s.points.empty()) out.series.push_back(std::move(s));
      return out;
    }
    case Function::kHistogramQuantile: {
      absl::StatusOr<StepValue> r = HistogramQuantileOverSteps(args[0].scalars, args[1]);
      release_args();
      return r;
    }
    case Function::kHistogramCount: case Function::kHistogramSum:
    case Function::kHistogramFraction: {
      // These read native histograms, which a float-only store never holds: no output.
      release_args();
      StepValue out;
      out.type = ValueType::kVector;
      return out;
    }
    case Function::kLabelReplace: case Function::kLabelJoin: {
      absl::StatusOr<StepValue> r = fn == Function::kLabelReplace
                                        ? LabelReplace(*this, std::move(args))
                                        : LabelJoin(*this, std::move(args));
      return r;
    }
    case Function::kSort: case Function::kSortDesc: {
      StepValue v = std::move(args[0]);
      // Only an instant query's order is observable (range results are sorted by labels).
      if (num_steps_ == 1) {
        const bool desc = fn == Function::kSortDesc;
        std::stable_sort(v.series.begin(), v.series.end(), [&](const Series& a, const Series& b) {
          double x = a.points[0].v, y = b.points[0].v;
          if (std::isnan(x)) return false;
          if (std::isnan(y)) return true;
          return desc ? x > y : x < y;
        });
      }
      return v;
    }
    default:
      break;
  }

  // Element-wise functions of one vector, with optional per-step scalar parameters.
  const std::optional<MathFn> math = MathFnFromName(e.func->name);
  const StepValue& vec = args[0];
  SeriesCollector out;
  for (const Series& s : vec.series) {
    size_t idx = SIZE_MAX;
    for (const Sample& p : s.points) {
      const size_t k = StepIndex(p.t);
      double v = p.v;
      switch (fn) {
        case Function::kRound: {
          double to_nearest = args.size() > 1 ? args[1].scalars[k] : 1.0;
          v = Round(v, to_nearest);
          break;
        }
        case Function::kClamp: {
          double lo = args[1].scalars[k], hi = args[2].scalars[k];
          if (lo > hi) continue;  // an empty result, as in Prometheus
          v = Clamp(v, lo, hi);
          break;
        }
        case Function::kClampMin: v = GoMax(args[1].scalars[k], v); break;
        case Function::kClampMax: v = GoMin(args[1].scalars[k], v); break;
        case Function::kTimestamp: v = static_cast<double>(p.t) / 1000.0; break;
        default:
          if (IsDateFunction(fn)) {
            v = DateValue(fn, v);
          } else if (math) {
            v = ApplyMathFunction(*math, v);
          } else {
            return absl::InternalError(StrCat("no evaluation for function ", e.func->name));
          }
      }
      if (idx == SIZE_MAX) idx = out.Find(DropMetricName(s.labels));
      out.Add(idx, p.t, v);
    }
  }
  release_args();
  return VectorResult(out);
}

// histogram_quantile over classic buckets: series are grouped by their labels without `le`
// (the metric name included, so two histograms that differ only by name stay apart and then
// collide in the output, as in Prometheus); each group's buckets at a step give one value.
absl::StatusOr<StepValue> Evaluator::HistogramQuantileOverSteps(const std::vector<double>& q,
                                                                const StepValue& in) {
  struct Group {
    Labels out_labels;
    size_t out = SIZE_MAX;
    int64_t step = -1;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;
  std::vector<int> group_of(in.series.size(), -1);
  std::vector<double> bound(in.series.size(), 0);
  {
    absl::flat_hash_map<std::string, int> ids;
    static const std::vector<std::string> kLe = {"le"};
    static const std::vector<std::string> kLeAndName = {"le", std::string(kMetricName)};
    for (size_t i = 0; i < in.series.size(); ++i) {
      const Labels& l = in.series[i].labels;
      if (!ParseBucketBound(l.Get("le"), &bound[i])) continue;
      Labels key = RemoveLabels(l, kLe);
      auto [it, inserted] = ids.try_emplace(ToAbsl(key.packed()), static_cast<int>(groups.size()));
      if (inserted) groups.push_back(Group{RemoveLabels(l, kLeAndName), SIZE_MAX, -1, {}});
      group_of[i] = it->second;
    }
  }
  SeriesCollector out;
  StepCursors cursors(in.series);
  std::vector<int> touched;
  for (size_t k = 0; k < num_steps_; ++k) {
    const int64_t ts = StepTime(k);
    touched.clear();
    for (size_t i = 0; i < in.series.size(); ++i) {
      if (group_of[i] < 0) continue;
      const Sample* p = cursors.At(i, ts);
      if (!p) continue;
      Group& g = groups[group_of[i]];
      if (g.step != static_cast<int64_t>(k)) {
        g.step = static_cast<int64_t>(k);
        g.buckets.clear();
        touched.push_back(group_of[i]);
      }
      g.buckets.push_back(Bucket{bound[i], p->v});
    }
    for (int gi : touched) {
      Group& g = groups[gi];
      if (g.out == SIZE_MAX) g.out = out.Find(g.out_labels);
      out.Add(g.out, ts, BucketQuantile(q[k], &g.buckets));
    }
  }
  return VectorResult(out);
}

}  // namespace vigil::promql
