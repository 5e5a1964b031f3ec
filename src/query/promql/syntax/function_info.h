// The signatures of PromQL's functions (Prometheus 2.42): argument types, optional
// arguments and return type. The parser checks calls against them; the engine switches on
// the Function id.
//
// Thread-safety: the table is immutable.
#pragma once

#include <string_view>
#include <vector>

#include "query/promql/syntax/ast.h"

namespace vigil::promql {

enum class Function {
  kAbs, kAbsent, kAbsentOverTime, kAcos, kAcosh, kAsin, kAsinh, kAtan, kAtanh, kAvgOverTime,
  kCeil, kChanges, kClamp, kClampMax, kClampMin, kCos, kCosh, kCountOverTime, kDaysInMonth,
  kDayOfMonth, kDayOfWeek, kDayOfYear, kDeg, kDelta, kDeriv, kExp, kFloor, kHistogramCount,
  kHistogramFraction, kHistogramQuantile, kHistogramSum, kHoltWinters, kHour, kIdelta,
  kIncrease, kIrate, kLabelJoin, kLabelReplace, kLastOverTime, kLn, kLog10, kLog2,
  kMaxOverTime, kMinOverTime, kMinute, kMonth, kPi, kPredictLinear, kPresentOverTime,
  kQuantileOverTime, kRad, kRate, kResets, kRound, kScalar, kSgn, kSin, kSinh, kSort,
  kSortDesc, kSqrt, kStddevOverTime, kStdvarOverTime, kSumOverTime, kTan, kTanh, kTime,
  kTimestamp, kVector, kYear,
};

struct FunctionInfo {
  Function id;
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. n > 0: the last n may be left out. -1: the last
  // type repeats any number of times (label_join).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
};

// nullptr for an unknown name.
const FunctionInfo* LookupFunction(std::string_view name);

}  // namespace vigil::promql
