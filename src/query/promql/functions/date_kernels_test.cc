#include "query/promql/functions/date_kernels.h"

#include <cstdint>
#include <ctime>
#include <limits>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double D(DateFn fn, double v) { return ApplyDateFunction(fn, v); }

// Values from Prometheus 2.42's functions.test.
TEST(DateKernelsTest, FromFunctionsTest) {
  EXPECT_EQ(1970, ApplyDateFunctionToSeconds(DateFn::kYear, 0));
  EXPECT_EQ(1, ApplyDateFunctionToSeconds(DateFn::kMonth, 0));
  EXPECT_EQ(1, ApplyDateFunctionToSeconds(DateFn::kDayOfMonth, 0));
  EXPECT_EQ(1, ApplyDateFunctionToSeconds(DateFn::kDayOfYear, 0));
  EXPECT_EQ(4, ApplyDateFunctionToSeconds(DateFn::kDayOfWeek, 0));  // Thursday
  EXPECT_EQ(0, ApplyDateFunctionToSeconds(DateFn::kHour, 0));
  EXPECT_EQ(0, ApplyDateFunctionToSeconds(DateFn::kMinute, 0));

  const double t = 1136239445;  // 2006-01-02 22:04:05, a Monday
  EXPECT_EQ(2006, D(DateFn::kYear, t));
  EXPECT_EQ(1, D(DateFn::kMonth, t));
  EXPECT_EQ(2, D(DateFn::kDayOfMonth, t));
  EXPECT_EQ(2, D(DateFn::kDayOfYear, t));
  EXPECT_EQ(1, D(DateFn::kDayOfWeek, t));
  EXPECT_EQ(22, D(DateFn::kHour, t));
  EXPECT_EQ(4, D(DateFn::kMinute, t));

  EXPECT_EQ(2008, D(DateFn::kYear, 1230767999));
  EXPECT_EQ(2009, D(DateFn::kYear, 1230768000));
  EXPECT_EQ(2, D(DateFn::kMonth, 1456790399));  // 2016-02-29 23:59:59
  EXPECT_EQ(29, D(DateFn::kDayOfMonth, 1456790399));
  EXPECT_EQ(3, D(DateFn::kMonth, 1456790400));
  EXPECT_EQ(1, D(DateFn::kDayOfMonth, 1456790400));
  EXPECT_EQ(366, D(DateFn::kDayOfYear, 1483191420));
  EXPECT_EQ(365, D(DateFn::kDayOfYear, 1672493820));
  EXPECT_EQ(29, D(DateFn::kDaysInMonth, 1454284800));
  EXPECT_EQ(28, D(DateFn::kDaysInMonth, 1485907200));
}

// Every hour over several years (including 2000 and 2100 leap rules and negative times)
// against the C library's gmtime.
TEST(DateKernelsTest, AgreesWithGmtime) {
  for (int64_t s = -2300000000LL; s < 4200000000LL; s += 3600 * 7 + 13) {
    std::time_t tt = static_cast<std::time_t>(s);
    std::tm tm{};
    ASSERT_NE(nullptr, gmtime_r(&tt, &tm));
    ASSERT_EQ(tm.tm_year + 1900, ApplyDateFunctionToSeconds(DateFn::kYear, s)) << s;
    ASSERT_EQ(tm.tm_mon + 1, ApplyDateFunctionToSeconds(DateFn::kMonth, s)) << s;
    ASSERT_EQ(tm.tm_mday, ApplyDateFunctionToSeconds(DateFn::kDayOfMonth, s)) << s;
    ASSERT_EQ(tm.tm_wday, ApplyDateFunctionToSeconds(DateFn::kDayOfWeek, s)) << s;
    ASSERT_EQ(tm.tm_yday + 1, ApplyDateFunctionToSeconds(DateFn::kDayOfYear, s)) << s;
    ASSERT_EQ(tm.tm_hour, ApplyDateFunctionToSeconds(DateFn::kHour, s)) << s;
    ASSERT_EQ(tm.tm_min, ApplyDateFunctionToSeconds(DateFn::kMinute, s)) << s;
  }
}

TEST(DateKernelsTest, DaysInMonth) {
  // 2023-01-15 .. 2023-12-15, and February of 1900 (not leap) and 2000 (leap).
  const int want[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 0; m < 12; ++m) {
    std::tm tm{};
    tm.tm_year = 123;
    tm.tm_mon = m;
    tm.tm_mday = 15;
    const int64_t s = timegm(&tm);
    EXPECT_EQ(want[m], ApplyDateFunctionToSeconds(DateFn::kDaysInMonth, s)) << m;
  }
  EXPECT_EQ(28, ApplyDateFunctionToSeconds(DateFn::kDaysInMonth, -2206310400));  // 1900-02-01
  EXPECT_EQ(29, ApplyDateFunctionToSeconds(DateFn::kDaysInMonth, 950572800));    // 2000-02-15
}

TEST(DateKernelsTest, ValueConversionTruncatesLikeGo) {
  EXPECT_EQ(1, GoFloatToInt64(1.9));
  EXPECT_EQ(-1, GoFloatToInt64(-1.9));
  EXPECT_EQ(0, GoFloatToInt64(-0.5));
  EXPECT_EQ(std::numeric_limits<int64_t>::min(), GoFloatToInt64(kNaN));
  EXPECT_EQ(std::numeric_limits<int64_t>::min(), GoFloatToInt64(kInf));
  EXPECT_EQ(std::numeric_limits<int64_t>::min(), GoFloatToInt64(-kInf));
  EXPECT_EQ(std::numeric_limits<int64_t>::min(), GoFloatToInt64(9.3e18));
  EXPECT_EQ(std::numeric_limits<int64_t>::min(), GoFloatToInt64(-9223372036854775808.0));
  EXPECT_EQ(9223372036854774784, GoFloatToInt64(9223372036854774784.0));
  // -0.5 s is 1970-01-01 00:00:00 after truncation, not 1969-12-31 23:59:59.
  EXPECT_EQ(1970, D(DateFn::kYear, -0.5));
  EXPECT_EQ(1969, D(DateFn::kYear, -1));
  EXPECT_EQ(59, D(DateFn::kMinute, -1));
  EXPECT_EQ(3, D(DateFn::kDayOfWeek, -1));  // Wednesday
}

// NaN, ±Inf and huge values all become MinInt64 seconds, which Go's calendar arithmetic
// wraps to 292277026596-12-04 15:30:08 UTC (a Sunday).
TEST(DateKernelsTest, OutOfRangeValuesMatchGo) {
  for (double v : {kNaN, kInf, -kInf, 1e300}) {
    EXPECT_EQ(292277026596.0, D(DateFn::kYear, v));
    EXPECT_EQ(12, D(DateFn::kMonth, v));
    EXPECT_EQ(4, D(DateFn::kDayOfMonth, v));
    EXPECT_EQ(15, D(DateFn::kHour, v));
    EXPECT_EQ(30, D(DateFn::kMinute, v));
    EXPECT_EQ(0, D(DateFn::kDayOfWeek, v));
    EXPECT_EQ(31, D(DateFn::kDaysInMonth, v));
  }
  // MaxInt64 is one second earlier.
  EXPECT_EQ(292277026596.0,
            ApplyDateFunctionToSeconds(DateFn::kYear, std::numeric_limits<int64_t>::max()));
}

TEST(DateKernelsTest, Names) {
  EXPECT_EQ(DateFn::kDaysInMonth, DateFnFromName("days_in_month"));
  EXPECT_EQ(DateFn::kDayOfWeek, DateFnFromName("day_of_week"));
  EXPECT_EQ(DateFn::kYear, DateFnFromName("year"));
  EXPECT_FALSE(DateFnFromName("Year").has_value());
  EXPECT_FALSE(DateFnFromName("").has_value());
}

}  // namespace
}  // namespace vigil::promql
