// Element-wise math for PromQL: the single-argument math functions, round/clamp, and the
// binary operator kernels for arithmetic and comparison.
//
// Contract:
//  * Special values follow Go's math package as Prometheus 2.42 uses it: e.g. sgn(NaN) =
//    NaN and sgn(-0) = -0; Min/Max propagate NaN (unlike std::fmin/fmax) and order -0 below
//    +0; % is math.Mod (sign of the dividend, NaN for x % 0 and for ±Inf % y, x % ±Inf = x);
//    ^ is math.Pow (x ^ 0 = 1 even for NaN x, 1 ^ y = 1 even for NaN y).
//  * Bit-identical to Go 1.19/amd64 (checked against values it computed, see
//    testdata/go_reference_vectors.txt): abs, ceil, floor, sqrt, sgn, deg, rad, ln, log2,
//    log10 (Go's own log algorithm, which is not always correctly rounded), round, + - * /,
//    %, min/max, and ^ with integer exponents (Go's repeated squaring).
//  * From the C library, so they may differ from Go in the last bit for some inputs (Go
//    uses its own Cephes/fdlibm-derived code, and exp on amd64 even depends on the CPU's
//    FMA support): exp, sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh, asinh,
//    acosh, atanh and ^ with fractional exponents. The conformance files compare values
//    with a relative tolerance, so this does not affect them.
//  * Set operators (and/or/unless) are not element kernels; passing them is a caller bug
//    and yields NaN / false.
//
// clamp(v, min, max): the ENGINE must return an empty vector when max < min (2.42 drops
// every element); otherwise each value becomes Max(min, Min(max, v)), so a NaN bound turns
// every result into NaN. clamp_min/clamp_max are GoMax(min, v) / GoMin(max, v).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "query/promql/syntax/ast.h"

namespace vigil::promql {

enum class MathFn {
  kAbs,
  kCeil,
  kFloor,
  kExp,
  kSqrt,
  kLn,
  kLog2,
  kLog10,
  kSgn,
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kTanh,
  kAsinh,
  kAcosh,
  kAtanh,
  kDeg,
  kRad,
};

// The PromQL function name ("abs", "ln", "deg" …) to its kernel; nullopt otherwise.
std::optional<MathFn> MathFnFromName(std::string_view name);

double ApplyMathFunction(MathFn fn, double v);

// round(v, to_nearest): floor(v * (1/to_nearest) + 0.5) / (1/to_nearest); ties round up.
double Round(double v, double to_nearest = 1);

// Go's math.Max / math.Min special-case rules.
double GoMax(double x, double y);
double GoMin(double x, double y);

// Clamp for max >= min (see the file comment for max < min).
inline double Clamp(double v, double min, double max) { return GoMax(min, GoMin(max, v)); }

// + - * / % ^ atan2 on two floats. Comparison ops are not arithmetic: use the helpers below.
double ArithmeticOp(BinaryOp op, double lhs, double rhs);

// == != > < >= <= with IEEE semantics (every comparison with NaN is false except !=).
bool CompareOp(BinaryOp op, double lhs, double rhs);

// Vector-element semantics of any arithmetic or comparison operator: arithmetic keeps the
// computed value; a comparison keeps `lhs` when it holds and drops the element otherwise.
// (For `scalar op vector` the engine swaps the operands and, for comparisons, reports the
// vector's value; with the `bool` modifier it reports keep ? 1 : 0 and always keeps.)
struct BinopResult {
  double value;
  bool keep;
};
BinopResult VectorElemBinop(BinaryOp op, double lhs, double rhs);

// Scalar-scalar semantics: comparisons (which require `bool`) yield 1 or 0.
double ScalarBinop(BinaryOp op, double lhs, double rhs);

}  // namespace vigil::promql
