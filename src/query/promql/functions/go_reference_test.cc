// Bit-for-bit comparison with values computed by Go 1.19/amd64 (testdata/
// go_reference_vectors.txt). Floats are hex IEEE-754 bit patterns. Line formats:
//   m <fn> <x> <want>                      ApplyMathFunction (log family, sqrt, deg, rad …)
//   pow|mod <x> <y> <want>                 ArithmeticOp (pow only with integer exponents)
//   maxmin <x> <y> <max> <min>             GoMax / GoMin
//   r <v> <to_nearest> <want>              Round
//   d <unix_s> <year> <month> <day> <weekday> <yday> <days_in_month> <hour> <minute>
//   i <float> <int64>                      GoFloatToInt64
//   p "<string>" <ok> <bits>               ParseGoFloat (bits only checked when ok)
//   k rate <start> <end> <counter> <rate> <series> -> <ok> <want>
//   k lr <eval_ms> <series> -> <deriv slope> <intercept at eval_ms>
//   k hw <series> -> <holt_winters(0.3, 0.6)>
//   k ot <series> -> <avg> <sum> <stdvar>  (*_over_time)
//   k q <q> <series> -> <quantile_over_time>
//   hq <q> <n> <bound1> <count1> … -> <histogram quantile>
//   agg <n> <v1> … -> <avg> <stdvar> <stddev>   (aggregation accumulators)
//   f <sf> "<holt_winters error message>"
// where <series> is "<n> <t1> <v1> … <tn> <vn>".
#include <bit>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/promql/functions/aggregation_kernels.h"
#include "query/promql/functions/date_kernels.h"
#include "common/go_float.h"
#include "query/promql/functions/histogram_quantile.h"
#include "query/promql/functions/math_kernels.h"
#include "query/promql/functions/over_time.h"
#include "query/promql/functions/range_kernels.h"

namespace vigil::promql {
namespace {

double Bits(const std::string& hex) {
  return std::bit_cast<double>(static_cast<uint64_t>(std::stoull(hex, nullptr, 16)));
}

// Same bits, or both NaN (Go's NaN payloads are not part of PromQL's contract).
::testing::AssertionResult Same(double want, double got) {
  if ((want != want && got != got) ||
      std::bit_cast<uint64_t>(want) == std::bit_cast<uint64_t>(got)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want " << want << " got " << got;
}

std::vector<Sample> ReadSeries(std::istringstream& in) {
  int n = 0;
  in >> n;
  std::vector<Sample> s(n);
  for (Sample& p : s) {
    std::string v;
    in >> p.t >> v;
    p.v = Bits(v);
  }
  return s;
}

void CheckKernel(std::istringstream& in, const std::string& line) {
  std::string what, arrow;
  in >> what;
  if (what == "rate") {
    int64_t start, end;
    std::string counter, rate, ok, want;
    in >> start >> end >> counter >> rate;
    auto s = ReadSeries(in);
    in >> arrow >> ok >> want;
    auto got = ExtrapolatedRate(s, start, end, counter == "true", rate == "true");
    ASSERT_EQ(ok == "true", got.has_value()) << line;
    if (got) {
      EXPECT_TRUE(Same(Bits(want), *got)) << line;
    }
  } else if (what == "lr") {
    int64_t eval_ms;
    std::string slope, intercept;
    in >> eval_ms;
    auto s = ReadSeries(in);
    in >> arrow >> slope >> intercept;
    EXPECT_TRUE(Same(Bits(slope), *Deriv(s))) << line;
    EXPECT_TRUE(Same(Bits(intercept), LinearRegression(s, eval_ms).intercept)) << line;
  } else if (what == "hw") {
    std::string want;
    auto s = ReadSeries(in);
    in >> arrow >> want;
    EXPECT_TRUE(Same(Bits(want), **HoltWinters(s, 0.3, 0.6))) << line;
  } else if (what == "ot") {
    std::string avg, sum, var;
    auto s = ReadSeries(in);
    in >> arrow >> avg >> sum >> var;
    EXPECT_TRUE(Same(Bits(avg), AvgOverTime(s))) << line;
    EXPECT_TRUE(Same(Bits(sum), SumOverTime(s))) << line;
    EXPECT_TRUE(Same(Bits(var), StdvarOverTime(s))) << line;
  } else if (what == "q") {
    std::string q, want;
    in >> q;
    auto s = ReadSeries(in);
    in >> arrow >> want;
    std::vector<double> scratch;
    EXPECT_TRUE(Same(Bits(want), QuantileOverTime(Bits(q), s, &scratch))) << line;
  } else {
    ADD_FAILURE() << "unknown kernel line: " << line;
  }
}

TEST(GoReferenceTest, EveryVectorMatchesBitForBit) {
  std::ifstream f("testdata/go_reference_vectors.txt");
  ASSERT_TRUE(f.is_open()) << "run from the source folder (ctest does)";
  std::string line;
  int checked = 0;
  const DateFn kDateFns[] = {DateFn::kYear,      DateFn::kMonth,     DateFn::kDayOfMonth,
                             DateFn::kDayOfWeek, DateFn::kDayOfYear, DateFn::kDaysInMonth,
                             DateFn::kHour,      DateFn::kMinute};
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    ++checked;
    if (kind == "m") {
      std::string fn, x, want;
      in >> fn >> x >> want;
      auto m = MathFnFromName(fn);
      ASSERT_TRUE(m.has_value()) << line;
      EXPECT_TRUE(Same(Bits(want), ApplyMathFunction(*m, Bits(x)))) << line;
    } else if (kind == "pow" || kind == "mod") {
      std::string x, y, want;
      in >> x >> y >> want;
      const BinaryOp op = kind == "pow" ? BinaryOp::kPow : BinaryOp::kMod;
      EXPECT_TRUE(Same(Bits(want), ArithmeticOp(op, Bits(x), Bits(y)))) << line;
    } else if (kind == "maxmin") {
      std::string x, y, max, min;
      in >> x >> y >> max >> min;
      EXPECT_TRUE(Same(Bits(max), GoMax(Bits(x), Bits(y)))) << line;
      EXPECT_TRUE(Same(Bits(min), GoMin(Bits(x), Bits(y)))) << line;
    } else if (kind == "r") {
      std::string v, to, want;
      in >> v >> to >> want;
      EXPECT_TRUE(Same(Bits(want), Round(Bits(v), Bits(to)))) << line;
    } else if (kind == "d") {
      int64_t s;
      in >> s;
      for (DateFn fn : kDateFns) {
        int64_t want;
        in >> want;
        EXPECT_EQ(static_cast<double>(want), ApplyDateFunctionToSeconds(fn, s)) << line;
      }
    } else if (kind == "i") {
      std::string v;
      int64_t want;
      in >> v >> want;
      EXPECT_EQ(want, GoFloatToInt64(Bits(v))) << line;
    } else if (kind == "p") {
      const size_t open = line.find('"'), close = line.rfind('"');
      ASSERT_NE(open, close) << line;
      const std::string s = line.substr(open + 1, close - open - 1);
      std::istringstream rest(line.substr(close + 1));
      int ok;
      std::string bits;
      rest >> ok >> bits;
      double v = 0;
      ASSERT_EQ(ok == 1, vigil::ParseGoFloat(s, &v)) << line;
      if (ok == 1) {
        EXPECT_TRUE(Same(Bits(bits), v)) << line;
      }
    } else if (kind == "k") {
      CheckKernel(in, line);
    } else if (kind == "hq") {
      std::string q, arrow, want;
      int n = 0;
      in >> q >> n;
      std::vector<Bucket> buckets(n);
      for (Bucket& b : buckets) {
        std::string bound, count;
        in >> bound >> count;
        b = {Bits(bound), Bits(count)};
      }
      in >> arrow >> want;
      EXPECT_TRUE(Same(Bits(want), BucketQuantile(Bits(q), &buckets))) << line;
    } else if (kind == "agg") {
      int n = 0;
      in >> n;
      std::vector<double> v(n);
      for (double& x : v) {
        std::string h;
        in >> h;
        x = Bits(h);
      }
      std::string arrow, avg, stdvar, stddev;
      in >> arrow >> avg >> stdvar >> stddev;
      AvgAccumulator a;
      VarianceAccumulator var;
      a.Init(v[0]);
      var.Init(v[0]);
      for (int i = 1; i < n; ++i) {
        a.Add(v[i]);
        var.Add(v[i]);
      }
      EXPECT_TRUE(Same(Bits(avg), a.Result())) << line;
      EXPECT_TRUE(Same(Bits(stdvar), var.Stdvar())) << line;
      EXPECT_TRUE(Same(Bits(stddev), var.Stddev())) << line;
    } else if (kind == "f") {
      std::string sf;
      in >> sf;
      const size_t open = line.find('"'), close = line.rfind('"');
      const Sample two[] = {{0, 1}, {1000, 2}};
      auto r = HoltWinters(two, Bits(sf), 0.5);
      ASSERT_FALSE(r.ok()) << line;
      EXPECT_EQ(line.substr(open + 1, close - open - 1), r.status().message()) << line;
    } else {
      ADD_FAILURE() << "unknown line: " << line;
    }
  }
  EXPECT_GT(checked, 2000);
}

}  // namespace
}  // namespace vigil::promql
