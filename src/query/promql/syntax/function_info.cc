#include "query/promql/syntax/function_info.h"

#include <algorithm>

namespace vigil::promql {
namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

// Prometheus 2.42's signatures, sorted by name for the lookup.
const std::vector<FunctionInfo>& Table() {
  static const std::vector<FunctionInfo> table = [] {
    std::vector<FunctionInfo> t{
        {Function::kAbs, "abs", {V}, 0, V},
        {Function::kAbsent, "absent", {V}, 0, V},
        {Function::kAbsentOverTime, "absent_over_time", {M}, 0, V},
        {Function::kAcos, "acos", {V}, 0, V},
        {Function::kAcosh, "acosh", {V}, 0, V},
        {Function::kAsin, "asin", {V}, 0, V},
        {Function::kAsinh, "asinh", {V}, 0, V},
        {Function::kAtan, "atan", {V}, 0, V},
        {Function::kAtanh, "atanh", {V}, 0, V},
        {Function::kAvgOverTime, "avg_over_time", {M}, 0, V},
        {Function::kCeil, "ceil", {V}, 0, V},
        {Function::kChanges, "changes", {M}, 0, V},
        {Function::kClamp, "clamp", {V, S, S}, 0, V},
        {Function::kClampMax, "clamp_max", {V, S}, 0, V},
        {Function::kClampMin, "clamp_min", {V, S}, 0, V},
        {Function::kCos, "cos", {V}, 0, V},
        {Function::kCosh, "cosh", {V}, 0, V},
        {Function::kCountOverTime, "count_over_time", {M}, 0, V},
        {Function::kDayOfMonth, "day_of_month", {V}, 1, V},
        {Function::kDayOfWeek, "day_of_week", {V}, 1, V},
        {Function::kDayOfYear, "day_of_year", {V}, 1, V},
        {Function::kDaysInMonth, "days_in_month", {V}, 1, V},
        {Function::kDeg, "deg", {V}, 0, V},
        {Function::kDelta, "delta", {M}, 0, V},
        {Function::kDeriv, "deriv", {M}, 0, V},
        {Function::kExp, "exp", {V}, 0, V},
        {Function::kFloor, "floor", {V}, 0, V},
        {Function::kHistogramCount, "histogram_count", {V}, 0, V},
        {Function::kHistogramFraction, "histogram_fraction", {S, S, V}, 0, V},
        {Function::kHistogramQuantile, "histogram_quantile", {S, V}, 0, V},
        {Function::kHistogramSum, "histogram_sum", {V}, 0, V},
        {Function::kHoltWinters, "holt_winters", {M, S, S}, 0, V},
        {Function::kHour, "hour", {V}, 1, V},
        {Function::kIdelta, "idelta", {M}, 0, V},
        {Function::kIncrease, "increase", {M}, 0, V},
        {Function::kIrate, "irate", {M}, 0, V},
        {Function::kLabelJoin, "label_join", {V, Str, Str, Str}, -1, V},
        {Function::kLabelReplace, "label_replace", {V, Str, Str, Str, Str}, 0, V},
        {Function::kLastOverTime, "last_over_time", {M}, 0, V},
        {Function::kLn, "ln", {V}, 0, V},
        {Function::kLog10, "log10", {V}, 0, V},
        {Function::kLog2, "log2", {V}, 0, V},
        {Function::kMaxOverTime, "max_over_time", {M}, 0, V},
        {Function::kMinOverTime, "min_over_time", {M}, 0, V},
        {Function::kMinute, "minute", {V}, 1, V},
        {Function::kMonth, "month", {V}, 1, V},
        {Function::kPi, "pi", {}, 0, S},
        {Function::kPredictLinear, "predict_linear", {M, S}, 0, V},
        {Function::kPresentOverTime, "present_over_time", {M}, 0, V},
        {Function::kQuantileOverTime, "quantile_over_time", {S, M}, 0, V},
        {Function::kRad, "rad", {V}, 0, V},
        {Function::kRate, "rate", {M}, 0, V},
        {Function::kResets, "resets", {M}, 0, V},
        {Function::kRound, "round", {V, S}, 1, V},
        {Function::kScalar, "scalar", {V}, 0, S},
        {Function::kSgn, "sgn", {V}, 0, V},
        {Function::kSin, "sin", {V}, 0, V},
        {Function::kSinh, "sinh", {V}, 0, V},
        {Function::kSort, "sort", {V}, 0, V},
        {Function::kSortDesc, "sort_desc", {V}, 0, V},
        {Function::kSqrt, "sqrt", {V}, 0, V},
        {Function::kStddevOverTime, "stddev_over_time", {M}, 0, V},
        {Function::kStdvarOverTime, "stdvar_over_time", {M}, 0, V},
        {Function::kSumOverTime, "sum_over_time", {M}, 0, V},
        {Function::kTan, "tan", {V}, 0, V},
        {Function::kTanh, "tanh", {V}, 0, V},
        {Function::kTime, "time", {}, 0, S},
        {Function::kTimestamp, "timestamp", {V}, 0, V},
        {Function::kVector, "vector", {S}, 0, V},
        {Function::kYear, "year", {V}, 1, V},
    };
    std::sort(t.begin(), t.end(),
              [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
    return t;
  }();
  return table;
}

}  // namespace

const FunctionInfo* LookupFunction(std::string_view name) {
  const auto& t = Table();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const FunctionInfo& f, std::string_view n) { return f.name < n; });
  if (it == t.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace vigil::promql
