#include "query/promql/functions/math_kernels.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Go folds 1/Ln2 and 1/Ln10 as exact constants before rounding; spelling the quotients
// out keeps C++ from rounding ln2 first and dividing afterwards.
constexpr double kInvLn2 = 1.44269504088896340735992468100189214;    // log2(e)
constexpr double kInvLn10 = 0.434294481903251827651128918916605082;  // log10(e)

// Natural logarithm computed the way Go's math.Log does on amd64 (the platform of the
// official Prometheus builds): the classic fdlibm reduction x = 2^k * (1 + f) with
// 1 + f in [sqrt(2)/2, sqrt(2)), s = f / (2 + f),
// log(1 + f) = f - (f^2/2 - s * (f^2/2 + R(s^2))) with a fixed minimax polynomial R.
// Go's result is not always correctly rounded, so the C library's log cannot stand in.
// The exponent/mantissa split reads the bits directly, as Go's amd64 code does (which
// also means subnormal inputs are not renormalised first).
double GoLog(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kL1 = 6.666666666666735130e-01;
  constexpr double kL2 = 3.999999999940941908e-01;
  constexpr double kL3 = 2.857142874366239149e-01;
  constexpr double kL4 = 2.222219843214978396e-01;
  constexpr double kL5 = 1.818357216161805012e-01;
  constexpr double kL6 = 1.531383769920937332e-01;
  constexpr double kL7 = 1.479819860511658591e-01;
  if (std::isnan(x) || x == kInf) return x;
  if (x == 0) return -kInf;
  if (x < 0) return kNaN;

  const uint64_t bits = std::bit_cast<uint64_t>(x);
  double f1 = std::bit_cast<double>((bits & 0x000FFFFFFFFFFFFFULL) | 0x3FE0000000000000ULL);
  double k = static_cast<double>(static_cast<int>((bits >> 52) & 0x7FF) - 0x3FE);
  if (f1 <= std::numbers::sqrt2 / 2) {  // amd64 tests "not less than", so <= here
    f1 *= 2;
    k -= 1;
  }
  const double f = f1 - 1;
  const double s = f / (2 + f);
  const double s2 = s * s;
  const double s4 = s2 * s2;
  const double t1 = s2 * (kL1 + s4 * (kL3 + s4 * (kL5 + s4 * kL7)));
  const double t2 = s4 * (kL2 + s4 * (kL4 + s4 * kL6));
  const double r = t1 + t2;
  const double hfsq = 0.5 * f * f;
  return k * kLn2Hi - ((hfsq - (s * (hfsq + r) + k * kLn2Lo)) - f);
}

// math.Log2: exact for powers of two, otherwise log(frac)/ln2 + exp.
double GoLog2(double x) {
  int exp;
  const double frac = std::frexp(x, &exp);
  // frexp leaves NaN, ±Inf and ±0 alone (exp 0), so those fall through to log().
  if (frac == 0.5) return static_cast<double>(exp - 1);
  return GoLog(frac) * kInvLn2 + static_cast<double>(exp);
}

double GoLog10(double x) { return GoLog(x) * kInvLn10; }

bool IsOddInt(double x) {
  if (std::fabs(x) >= 9007199254740992.0) return false;  // 2^53 and above are even
  double int_part;
  const double frac = std::modf(x, &int_part);
  return frac == 0 && (static_cast<int64_t>(int_part) & 1) == 1;
}

// math.Pow, transcribed: its special cases, then x^y = x^frac(y) * x^int(y) with the
// integer power by repeated squaring on the frexp mantissa. That part is plain arithmetic,
// so integer powers match Go bit for bit; x^frac(y) uses exp(yf * log(x)) as Go does.
double GoPow(double x, double y) {
  if (y == 0 || x == 1) return 1;
  if (y == 1) return x;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0) {
    if (y < 0) return (std::signbit(x) && IsOddInt(y)) ? -kInf : kInf;
    if (y > 0) return (std::signbit(x) && IsOddInt(y)) ? x : 0;
  }
  if (std::isinf(y)) {
    if (x == -1) return 1;
    if ((std::fabs(x) < 1) == (y > 0)) return 0;
    return kInf;
  }
  if (std::isinf(x)) {
    if (x < 0) return GoPow(1 / x, -y);  // (-0)^(-y)
    if (y < 0) return 0;
    if (y > 0) return kInf;
  }
  if (y == 0.5) return std::sqrt(x);
  if (y == -0.5) return 1 / std::sqrt(x);

  double yi;
  double yf = std::modf(std::fabs(y), &yi);
  if (yf != 0 && x < 0) return kNaN;
  if (yi >= 9223372036854775808.0) {
    // A huge even integer exponent: overflow or underflow except for x == -1.
    if (x == -1) return 1;
    if ((std::fabs(x) < 1) == (y > 0)) return 0;
    return kInf;
  }
  double a1 = 1.0;  // the answer is a1 * 2^ae
  int64_t ae = 0;
  if (yf != 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = std::exp(yf * GoLog(x));
  }
  int xe_int;
  double x1 = std::frexp(x, &xe_int);
  int64_t xe = xe_int;
  for (int64_t i = static_cast<int64_t>(yi); i != 0; i >>= 1) {
    if (xe < -(1 << 12) || (1 << 12) < xe) {
      // The exponent alone decides over/underflow; stop before it overflows the int.
      ae += xe;
      break;
    }
    if ((i & 1) == 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < .5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  if (ae > 1 << 20) ae = 1 << 20;  // ldexp takes an int; anything this large saturates
  if (ae < -(1 << 20)) ae = -(1 << 20);
  return std::ldexp(a1, static_cast<int>(ae));
}

// math.Atan2's special cases and quadrant logic around atan(y/x).
double GoAtan2(double y, double x) {
  constexpr double kPi = std::numbers::pi;
  if (std::isnan(y) || std::isnan(x)) return kNaN;
  if (y == 0) {
    if (x >= 0 && !std::signbit(x)) return std::copysign(0.0, y);
    return std::copysign(kPi, y);
  }
  if (x == 0) return std::copysign(kPi / 2, y);
  if (std::isinf(x)) {
    if (x > 0) return std::isinf(y) ? std::copysign(kPi / 4, y) : std::copysign(0.0, y);
    return std::isinf(y) ? std::copysign(3 * kPi / 4, y) : std::copysign(kPi, y);
  }
  if (std::isinf(y)) return std::copysign(kPi / 2, y);
  const double q = std::atan(y / x);
  if (x < 0) return q <= 0 ? q + kPi : q - kPi;
  return q;
}

}  // namespace

std::optional<MathFn> MathFnFromName(std::string_view name) {
  static constexpr struct {
    std::string_view name;
    MathFn fn;
  } kTable[] = {
      {"abs", MathFn::kAbs},     {"ceil", MathFn::kCeil},   {"floor", MathFn::kFloor},
      {"exp", MathFn::kExp},     {"sqrt", MathFn::kSqrt},   {"ln", MathFn::kLn},
      {"log2", MathFn::kLog2},   {"log10", MathFn::kLog10}, {"sgn", MathFn::kSgn},
      {"sin", MathFn::kSin},     {"cos", MathFn::kCos},     {"tan", MathFn::kTan},
      {"asin", MathFn::kAsin},   {"acos", MathFn::kAcos},   {"atan", MathFn::kAtan},
      {"sinh", MathFn::kSinh},   {"cosh", MathFn::kCosh},   {"tanh", MathFn::kTanh},
      {"asinh", MathFn::kAsinh}, {"acosh", MathFn::kAcosh}, {"atanh", MathFn::kAtanh},
      {"deg", MathFn::kDeg},     {"rad", MathFn::kRad},
  };
  for (const auto& e : kTable) {
    if (e.name == name) return e.fn;
  }
  return std::nullopt;
}

double ApplyMathFunction(MathFn fn, double v) {
  switch (fn) {
    case MathFn::kAbs:
      return std::fabs(v);
    case MathFn::kCeil:
      return std::ceil(v);
    case MathFn::kFloor:
      return std::floor(v);
    case MathFn::kExp:
      return std::exp(v);
    case MathFn::kSqrt:
      return std::sqrt(v);
    case MathFn::kLn:
      return GoLog(v);
    case MathFn::kLog2:
      return GoLog2(v);
    case MathFn::kLog10:
      return GoLog10(v);
    case MathFn::kSgn:
      if (v < 0) return -1;
      if (v > 0) return 1;
      return v;  // ±0 and NaN pass through
    case MathFn::kSin:
      return std::sin(v);
    case MathFn::kCos:
      return std::cos(v);
    case MathFn::kTan:
      return std::tan(v);
    case MathFn::kAsin:
      return std::asin(v);
    case MathFn::kAcos:
      return std::acos(v);
    case MathFn::kAtan:
      return std::atan(v);
    case MathFn::kSinh:
      return std::sinh(v);
    case MathFn::kCosh:
      return std::cosh(v);
    case MathFn::kTanh:
      return std::tanh(v);
    case MathFn::kAsinh:
      return std::asinh(v);
    case MathFn::kAcosh:
      return std::acosh(v);
    case MathFn::kAtanh:
      return std::atanh(v);
    case MathFn::kDeg:
      return v * 180 / std::numbers::pi;
    case MathFn::kRad:
      return v * std::numbers::pi / 180;
  }
  return kNaN;
}

double Round(double v, double to_nearest) {
  // Multiplying by the inverse rounds better than dividing by to_nearest.
  const double inverse = 1.0 / to_nearest;
  return std::floor(v * inverse + 0.5) / inverse;
}

double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

double ArithmeticOp(BinaryOp op, double lhs, double rhs) {
  switch (op) {
    case BinaryOp::kAdd:
      return lhs + rhs;
    case BinaryOp::kSub:
      return lhs - rhs;
    case BinaryOp::kMul:
      return lhs * rhs;
    case BinaryOp::kDiv:
      return lhs / rhs;
    // fmod is exact, as Go's math.Mod is, and shares its special cases.
    case BinaryOp::kMod:
      return std::fmod(lhs, rhs);
    case BinaryOp::kPow:
      return GoPow(lhs, rhs);
    case BinaryOp::kAtan2:
      return GoAtan2(lhs, rhs);
    default:
      return kNaN;
  }
}

bool CompareOp(BinaryOp op, double lhs, double rhs) {
  switch (op) {
    case BinaryOp::kEql:
      return lhs == rhs;
    case BinaryOp::kNeq:
      return lhs != rhs;
    case BinaryOp::kGtr:
      return lhs > rhs;
    case BinaryOp::kLss:
      return lhs < rhs;
    case BinaryOp::kGte:
      return lhs >= rhs;
    case BinaryOp::kLte:
      return lhs <= rhs;
    default:
      return false;
  }
}


BinopResult VectorElemBinop(BinaryOp op, double lhs, double rhs) {
  if (IsComparison(op)) return {lhs, CompareOp(op, lhs, rhs)};
  return {ArithmeticOp(op, lhs, rhs), true};
}

double ScalarBinop(BinaryOp op, double lhs, double rhs) {
  if (IsComparison(op)) return CompareOp(op, lhs, rhs) ? 1 : 0;
  return ArithmeticOp(op, lhs, rhs);
}

}  // namespace vigil::promql
