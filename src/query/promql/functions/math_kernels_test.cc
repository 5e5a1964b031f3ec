#include "query/promql/functions/math_kernels.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double M(MathFn fn, double v) { return ApplyMathFunction(fn, v); }

// Within a couple of ulps of the value Go printed in the 2.42 test files.
void ExpectGo(double go, double got) {
  if (std::isnan(go)) {
    EXPECT_TRUE(std::isnan(got)) << got;
    return;
  }
  EXPECT_NEAR(go, got, std::fabs(go) * 4e-16) << "got " << got;
}

TEST(MathFnTest, ExpLnSqrtLogFromFunctionsTest) {
  ExpectGo(22026.465794806718, M(MathFn::kExp, 10));
  ExpectGo(485165195.4097903, M(MathFn::kExp, 20));
  EXPECT_EQ(1, M(MathFn::kExp, 0));
  ExpectGo(4.5399929762484854e-05, M(MathFn::kExp, -10));
  ExpectGo(2.302585092994046, M(MathFn::kLn, 10));
  ExpectGo(2.995732273553991, M(MathFn::kLn, 20));
  EXPECT_EQ(-kInf, M(MathFn::kLn, 0));
  EXPECT_TRUE(std::isnan(M(MathFn::kLn, -10)));
  ExpectGo(3.1622776601683795, M(MathFn::kSqrt, 10));
  ExpectGo(4.47213595499958, M(MathFn::kSqrt, 20));
  ExpectGo(3.3219280948873626, M(MathFn::kLog2, 10));
  ExpectGo(4.321928094887363, M(MathFn::kLog2, 20));
  EXPECT_EQ(-kInf, M(MathFn::kLog2, 0));
  EXPECT_TRUE(std::isnan(M(MathFn::kLog2, -10)));
  EXPECT_EQ(10, M(MathFn::kLog2, 1024));  // exact for powers of two
  EXPECT_EQ(-3, M(MathFn::kLog2, 0.125));
  EXPECT_EQ(kInf, M(MathFn::kLog2, kInf));
  ExpectGo(1, M(MathFn::kLog10, 10));
  ExpectGo(1.301029995663981, M(MathFn::kLog10, 20));
  EXPECT_EQ(-kInf, M(MathFn::kLog10, 0));
  EXPECT_TRUE(std::isnan(M(MathFn::kLog10, -10)));
}

TEST(MathFnTest, TrigFromTrigFunctionsTest) {
  ExpectGo(-0.5440211108893699, M(MathFn::kSin, 10));
  ExpectGo(0.9129452507276277, M(MathFn::kSin, 20));
  ExpectGo(-0.8390715290764524, M(MathFn::kCos, 10));
  ExpectGo(0.40808206181339196, M(MathFn::kCos, 20));
  ExpectGo(0.6483608274590867, M(MathFn::kTan, 10));
  ExpectGo(2.2371609442247427, M(MathFn::kTan, 20));
  ExpectGo(-0.10016742116155944, M(MathFn::kAsin, 10 - 10.1));
  EXPECT_TRUE(std::isnan(M(MathFn::kAsin, 20 - 10.1)));
  ExpectGo(1.670963747956456, M(MathFn::kAcos, 10 - 10.1));
  ExpectGo(1.4711276743037345, M(MathFn::kAtan, 10));
  ExpectGo(1.5208379310729538, M(MathFn::kAtan, 20));
  // trig_functions.test lists cosh(10) for sinh(10) too; its 1e-6 relative tolerance hides
  // that. The true sinh(10) is 11013.232874703393.
  EXPECT_NEAR(11013.232920103324, M(MathFn::kSinh, 10), 11013.2 * 1e-6);
  ExpectGo(11013.232874703393, M(MathFn::kSinh, 10));
  ExpectGo(2.4258259770489514e+08, M(MathFn::kSinh, 20));
  ExpectGo(11013.232920103324, M(MathFn::kCosh, 10));
  ExpectGo(0.9999999958776927, M(MathFn::kTanh, 10));
  ExpectGo(1, M(MathFn::kTanh, 20));
  ExpectGo(2.99822295029797, M(MathFn::kAsinh, 10));
  ExpectGo(3.6895038689889055, M(MathFn::kAsinh, 20));
  ExpectGo(2.993222846126381, M(MathFn::kAcosh, 10));
  ExpectGo(3.6882538673612966, M(MathFn::kAcosh, 20));
  ExpectGo(-0.10033534773107522, M(MathFn::kAtanh, 10 - 10.1));
  EXPECT_TRUE(std::isnan(M(MathFn::kAtanh, 20 - 10.1)));
  for (MathFn fn : {MathFn::kSin, MathFn::kCos, MathFn::kTan, MathFn::kAsin, MathFn::kAcos,
                    MathFn::kAtan, MathFn::kSinh, MathFn::kCosh, MathFn::kTanh, MathFn::kAsinh,
                    MathFn::kAcosh, MathFn::kAtanh, MathFn::kDeg, MathFn::kRad}) {
    EXPECT_TRUE(std::isnan(M(fn, kNaN)));
  }
}

TEST(MathFnTest, DegRadAreExactGoFormulas) {
  EXPECT_EQ(0.17453292519943295, M(MathFn::kRad, 10));
  EXPECT_EQ(0.3490658503988659, M(MathFn::kRad, 20));
  EXPECT_EQ(-0.17453292519943295, M(MathFn::kRad, -10));
  EXPECT_EQ(0, M(MathFn::kRad, 0));
  EXPECT_EQ(572.9577951308232, M(MathFn::kDeg, 10));
  EXPECT_EQ(1145.9155902616465, M(MathFn::kDeg, 20));
  EXPECT_EQ(-572.9577951308232, M(MathFn::kDeg, -10));
}

TEST(MathFnTest, SgnAbsCeilFloor) {
  EXPECT_EQ(-1, M(MathFn::kSgn, -kInf));
  EXPECT_EQ(1, M(MathFn::kSgn, kInf));
  EXPECT_TRUE(std::isnan(M(MathFn::kSgn, kNaN)));
  EXPECT_EQ(-1, M(MathFn::kSgn, -50));
  EXPECT_EQ(1, M(MathFn::kSgn, 100));
  EXPECT_EQ(0, M(MathFn::kSgn, 0));
  EXPECT_TRUE(std::signbit(M(MathFn::kSgn, -0.0)));
  EXPECT_EQ(3.5, M(MathFn::kAbs, -3.5));
  EXPECT_EQ(-1, M(MathFn::kCeil, -1.5));
  EXPECT_EQ(-2, M(MathFn::kFloor, -1.5));
}

TEST(MathFnTest, Names) {
  EXPECT_EQ(MathFn::kLn, MathFnFromName("ln"));
  EXPECT_EQ(MathFn::kAtanh, MathFnFromName("atanh"));
  EXPECT_EQ(MathFn::kRad, MathFnFromName("rad"));
  EXPECT_FALSE(MathFnFromName("log").has_value());
  EXPECT_FALSE(MathFnFromName("round").has_value());  // takes a parameter: Round()
}

TEST(RoundTest, FromAggregatorsTest) {
  // round(0.025 * x, 5) and round(0.045 * x, 5) for x = 100, 200.
  EXPECT_EQ(5, Round(0.025 * 100, 5));
  EXPECT_EQ(5, Round(0.025 * 200, 5));
  EXPECT_EQ(5, Round(0.045 * 100, 5));
  EXPECT_EQ(10, Round(0.045 * 200, 5));
  EXPECT_EQ(3, Round(2.5));    // ties round up
  EXPECT_EQ(-2, Round(-2.5));  // … towards +Inf
  EXPECT_EQ(1.23, Round(1.234, 0.01));
  EXPECT_TRUE(std::isnan(Round(kNaN)));
  EXPECT_TRUE(std::isnan(Round(1, 0)));  // 1/0 = Inf, floor(Inf)/Inf = NaN
  EXPECT_EQ(kInf, Round(kInf));
}

TEST(ClampTest, FromFunctionsTest) {
  const double in[] = {-50, 0, 100};
  const double clamp_max_75[] = {-50, 0, 75};
  const double clamp_min_m25[] = {-25, 0, 100};
  const double clamp_m25_75[] = {-25, 0, 75};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(clamp_max_75[i], GoMin(75, in[i]));
    EXPECT_EQ(clamp_min_m25[i], GoMax(-25, in[i]));
    EXPECT_EQ(clamp_m25_75[i], Clamp(in[i], -25, 75));
    EXPECT_TRUE(std::isnan(Clamp(in[i], 0, kNaN)));
    EXPECT_TRUE(std::isnan(Clamp(in[i], kNaN, 0)));
  }
}

TEST(ClampTest, GoMinMaxSpecialCases) {
  EXPECT_EQ(kInf, GoMax(kNaN, kInf));  // +Inf wins over NaN in Max
  EXPECT_EQ(-kInf, GoMin(kNaN, -kInf));
  EXPECT_TRUE(std::isnan(GoMax(1, kNaN)));
  EXPECT_TRUE(std::isnan(GoMin(kNaN, 1)));
  EXPECT_FALSE(std::signbit(GoMax(-0.0, 0.0)));
  EXPECT_FALSE(std::signbit(GoMax(0.0, -0.0)));
  EXPECT_TRUE(std::signbit(GoMin(0.0, -0.0)));
  EXPECT_TRUE(std::signbit(GoMin(-0.0, 0.0)));
}

TEST(ArithmeticTest, BasicAndIEEE) {
  EXPECT_EQ(5, ArithmeticOp(BinaryOp::kAdd, 2, 3));
  EXPECT_EQ(-1, ArithmeticOp(BinaryOp::kSub, 2, 3));
  EXPECT_EQ(6, ArithmeticOp(BinaryOp::kMul, 2, 3));
  EXPECT_EQ(kInf, ArithmeticOp(BinaryOp::kDiv, 1000, 0));
  EXPECT_EQ(-kInf, ArithmeticOp(BinaryOp::kDiv, -1000, 0));
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kDiv, 0, 0)));
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kEql, 1, 1)));  // not arithmetic
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kAnd, 1, 1)));
}

TEST(ArithmeticTest, ModIsGoMathMod) {
  EXPECT_EQ(1, ArithmeticOp(BinaryOp::kMod, 1000, 3));  // operators.test
  EXPECT_EQ(2, ArithmeticOp(BinaryOp::kMod, 2600, 3));
  EXPECT_NEAR(0.1, ArithmeticOp(BinaryOp::kMod, 1000, 0.3), 1e-12);
  EXPECT_NEAR(0.2, ArithmeticOp(BinaryOp::kMod, 2600, 0.3), 1e-12);
  EXPECT_EQ(488, ArithmeticOp(BinaryOp::kMod, 1000, 512));
  EXPECT_EQ(-2, ArithmeticOp(BinaryOp::kMod, -5, 3));  // sign of the dividend
  EXPECT_EQ(2, ArithmeticOp(BinaryOp::kMod, 5, -3));
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kMod, 0, 0)));
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kMod, 5, 0)));
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kMod, kInf, 2)));
  EXPECT_EQ(5, ArithmeticOp(BinaryOp::kMod, 5, kInf));
  EXPECT_TRUE(std::isnan(ArithmeticOp(BinaryOp::kMod, kNaN, 2)));
}

TEST(ArithmeticTest, PowIsGoMathPow) {
  auto pow = [](double x, double y) { return ArithmeticOp(BinaryOp::kPow, x, y); };
  EXPECT_EQ(1000000, pow(1000, 2));  // operators.test
  EXPECT_EQ(6760000, pow(2600, 2));
  EXPECT_EQ(256, pow(4, 4));
  EXPECT_EQ(512, pow(2, pow(3, 2)));
  EXPECT_EQ(1, pow(kNaN, 0));
  EXPECT_EQ(1, pow(1, kNaN));
  EXPECT_EQ(kNaN != kNaN, std::isnan(pow(kNaN, 2)));
  EXPECT_TRUE(std::isnan(pow(-8, 1.0 / 3)));
  EXPECT_EQ(kInf, pow(0, -1));
  EXPECT_EQ(-kInf, pow(-0.0, -1));
  EXPECT_EQ(kInf, pow(-0.0, -2));
  EXPECT_TRUE(std::signbit(pow(-0.0, 3)));
  EXPECT_EQ(0, pow(0, 2));
  EXPECT_EQ(1, pow(-1, kInf));
  EXPECT_EQ(0, pow(0.5, kInf));
  EXPECT_EQ(kInf, pow(2, kInf));
  EXPECT_EQ(kInf, pow(0.5, -kInf));
  EXPECT_EQ(-kInf, pow(-kInf, 3));
  EXPECT_EQ(kInf, pow(-kInf, 2));
  EXPECT_TRUE(std::signbit(pow(-kInf, -3)));
  EXPECT_EQ(0, pow(kInf, -1));
  EXPECT_EQ(kInf, pow(kInf, 0.5));
  EXPECT_EQ(std::sqrt(2.0), pow(2, 0.5));
  EXPECT_EQ(1 / std::sqrt(2.0), pow(2, -0.5));
  EXPECT_EQ(-8, pow(-2, 3));
  EXPECT_EQ(0.125, pow(2, -3));
  EXPECT_EQ(kInf, pow(10, 400));
  EXPECT_EQ(0, pow(10, -400));
  EXPECT_EQ(1, pow(-1, 1e300));  // huge even exponent
  EXPECT_EQ(kInf, pow(-1.5, 1e300));
  EXPECT_NEAR(0.001, pow(10, -3), 1e-18);
  EXPECT_NEAR(std::pow(3.7, 2.3), pow(3.7, 2.3), 1e-13);
  EXPECT_NEAR(1e-300, pow(10, -300), 1e-312);
  EXPECT_EQ(4.9406564584124654e-324, pow(2, -1074));  // smallest denormal
}

TEST(ArithmeticTest, Atan2IsGoMathAtan2) {
  auto atan2 = [](double y, double x) { return ArithmeticOp(BinaryOp::kAtan2, y, x); };
  EXPECT_NEAR(std::atan2(1.0, 2.0), atan2(1, 2), 1e-16);
  EXPECT_NEAR(std::atan2(1.0, -2.0), atan2(1, -2), 4e-16);
  EXPECT_NEAR(std::atan2(-1.0, -2.0), atan2(-1, -2), 4e-16);
  EXPECT_EQ(M_PI, atan2(0, -1));
  EXPECT_EQ(-M_PI, atan2(-0.0, -1));
  EXPECT_TRUE(std::signbit(atan2(-0.0, 1)));
  EXPECT_EQ(M_PI / 2, atan2(1, 0));
  EXPECT_EQ(3 * M_PI / 4, atan2(kInf, -kInf));
  EXPECT_EQ(M_PI / 4, atan2(kInf, kInf));
  EXPECT_EQ(-M_PI / 2, atan2(-kInf, 5));
  EXPECT_TRUE(std::isnan(atan2(kNaN, 1)));
}

TEST(CompareTest, IEEESemantics) {
  EXPECT_TRUE(CompareOp(BinaryOp::kEql, 1, 1));
  EXPECT_FALSE(CompareOp(BinaryOp::kEql, kNaN, kNaN));
  EXPECT_TRUE(CompareOp(BinaryOp::kNeq, kNaN, kNaN));
  EXPECT_TRUE(CompareOp(BinaryOp::kGtr, 2, 1));
  EXPECT_FALSE(CompareOp(BinaryOp::kGtr, kNaN, 1));
  EXPECT_TRUE(CompareOp(BinaryOp::kLss, -kInf, 1));
  EXPECT_TRUE(CompareOp(BinaryOp::kGte, 1, 1));
  EXPECT_TRUE(CompareOp(BinaryOp::kLte, -0.0, 0.0));
  EXPECT_FALSE(CompareOp(BinaryOp::kAdd, 1, 1));
}

TEST(BinopTest, VectorAndScalarSemantics) {
  BinopResult r = VectorElemBinop(BinaryOp::kGtr, 5, 3);
  EXPECT_TRUE(r.keep);
  EXPECT_EQ(5, r.value);
  r = VectorElemBinop(BinaryOp::kLss, 5, 3);
  EXPECT_FALSE(r.keep);
  r = VectorElemBinop(BinaryOp::kSub, 5, 3);
  EXPECT_TRUE(r.keep);
  EXPECT_EQ(2, r.value);
  r = VectorElemBinop(BinaryOp::kDiv, 0, 0);
  EXPECT_TRUE(r.keep);
  EXPECT_TRUE(std::isnan(r.value));
  EXPECT_EQ(1, ScalarBinop(BinaryOp::kEql, 2, 2));
  EXPECT_EQ(0, ScalarBinop(BinaryOp::kNeq, 2, 2));
  EXPECT_EQ(0, ScalarBinop(BinaryOp::kGtr, kNaN, 1));
  EXPECT_EQ(8, ScalarBinop(BinaryOp::kPow, 2, 3));
}

}  // namespace
}  // namespace vigil::promql
