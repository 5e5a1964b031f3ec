// Template functions on values: Go's builtins (logic, comparison, len, print), Sprig's
// arithmetic and conversions, LogQL's unit conversions, and times. Also the function table.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/go_float.h"
#include "common/strings.h"
#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/go_time.h"
#include "query/logql/pipeline/line_state.h"
#include "query/logql/pipeline/template_funcs.h"
#include "query/logql/pipeline/value_parse.h"

namespace vigil::logql::pipeline::tmpl {
namespace {

using Args = std::span<const Value>;
constexpr ParamType A = ParamType::kAny;
constexpr ParamType S = ParamType::kString;
constexpr ParamType I = ParamType::kInt;
constexpr ParamType F = ParamType::kFloat;
constexpr ParamType T = ParamType::kTime;

absl::Status Err(std::string_view msg) { return absl::InvalidArgumentError(std::string(msg)); }

// ---- Logic and comparison (text/template's builtins).

absl::Status Not(CallContext&, Args a, Value* out) {
  *out = Value::Bool(!Truth(a[0], 1));
  return absl::OkStatus();
}

absl::Status LazyPlaceholder(CallContext&, Args, Value*) {
  return absl::InternalError("and/or are evaluated by the executor");
}

bool IsBasic(Kind k) {
  return k == Kind::kString || k == Kind::kInt || k == Kind::kFloat || k == Kind::kBool;
}

absl::Status Eq(CallContext&, Args a, Value* out) {
  const Value& x = a[0];
  for (size_t k = 1; k < a.size(); ++k) {
    const Value& y = a[k];
    bool truth = false;
    if (x.kind != y.kind) {
      if (x.kind != Kind::kNil && y.kind != Kind::kNil)
        return Err("incompatible types for comparison");
    } else {
      switch (x.kind) {
        case Kind::kBool:
          truth = x.b == y.b;
          break;
        case Kind::kFloat:
          truth = x.f == y.f;
          break;
        case Kind::kInt:
          truth = x.i == y.i;
          break;
        case Kind::kString:
          truth = x.s == y.s;
          break;
        case Kind::kTime:
          truth = x.t == y.t;
          break;
        case Kind::kNil:
          truth = true;
          break;
        case Kind::kMap:
          return Err("non-comparable type map[string]string");
      }
    }
    if (truth) {
      *out = Value::Bool(true);
      return absl::OkStatus();
    }
  }
  *out = Value::Bool(false);
  return absl::OkStatus();
}

absl::Status Ne(CallContext& c, Args a, Value* out) {
  if (absl::Status s = Eq(c, a, out); !s.ok()) return s;
  out->b = !out->b;
  return absl::OkStatus();
}

// lt, with Go's rules: only strings, ints and floats, of the same kind.
absl::Status Less(const Value& x, const Value& y, bool* less) {
  if (!IsBasic(x.kind) || !IsBasic(y.kind)) return Err("invalid type for comparison");
  if (x.kind != y.kind) return Err("incompatible types for comparison");
  switch (x.kind) {
    case Kind::kFloat:
      *less = x.f < y.f;
      return absl::OkStatus();
    case Kind::kInt:
      *less = x.i < y.i;
      return absl::OkStatus();
    case Kind::kString:
      *less = x.s < y.s;
      return absl::OkStatus();
    default:
      return Err("invalid type for comparison");
  }
}

template <int kOp>  // 0 lt, 1 le, 2 gt, 3 ge
absl::Status Compare(CallContext& c, Args a, Value* out) {
  bool less = false;
  if (absl::Status s = Less(a[0], a[1], &less); !s.ok()) return s;
  Value eq;
  if (absl::Status s = Eq(c, a, &eq); !s.ok()) return s;
  const bool le = less || eq.b;
  const bool r = kOp == 0 ? less : kOp == 1 ? le : kOp == 2 ? !le : !less;
  *out = Value::Bool(r);
  return absl::OkStatus();
}

absl::Status Len(CallContext& c, Args a, Value* out) {
  switch (a[0].kind) {
    case Kind::kString:
      *out = Value::Int(static_cast<int64_t>(a[0].s.size()));
      return absl::OkStatus();
    case Kind::kMap: {
      size_t n = c.scratch->snapshot_size;
      if (!c.scratch->use_snapshot) {
        c.state->SortedLabelViews(&c.scratch->views);
        n = c.scratch->views.size();
      }
      *out = Value::Int(static_cast<int64_t>(n));
      return absl::OkStatus();
    }
    case Kind::kNil:
      return Err("len of nil pointer");
    default:
      return Err(StrCat("len of type ", KindName(a[0].kind)));
  }
}

absl::Status Print(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  GoSprint(a, false, &s);
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status Println(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  GoSprint(a, true, &s);
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status Printf(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  GoSprintf(a[0].s, a.subspan(1), &s);
  if (s.size() > kMaxTemplateOutput) return TooLarge("printf");
  *out = Value::Str(s);
  return absl::OkStatus();
}

// ---- The line and its timestamp.

absl::Status Line(CallContext& c, Args, Value* out) {
  *out = Value::Str(c.state->line());
  return absl::OkStatus();
}
absl::Status Timestamp(CallContext& c, Args, Value* out) {
  *out = Value::Time(absl::FromUnixNanos(c.state->timestamp_ns()));
  return absl::OkStatus();
}

// ---- Sprig arithmetic and conversions.

absl::Status Int(CallContext&, Args a, Value* out) {
  *out = Value::Int(ToInt64(a[0]));
  return absl::OkStatus();
}
absl::Status Float64(CallContext&, Args a, Value* out) {
  *out = Value::Float(ToFloat64(a[0]));
  return absl::OkStatus();
}

absl::Status Add(CallContext&, Args a, Value* out) {
  uint64_t sum = 0;  // wraps like Go's int64
  for (const Value& v : a) sum += static_cast<uint64_t>(ToInt64(v));
  *out = Value::Int(static_cast<int64_t>(sum));
  return absl::OkStatus();
}
absl::Status Sub(CallContext&, Args a, Value* out) {
  *out = Value::Int(static_cast<int64_t>(static_cast<uint64_t>(ToInt64(a[0])) -
                                         static_cast<uint64_t>(ToInt64(a[1]))));
  return absl::OkStatus();
}
absl::Status Mul(CallContext&, Args a, Value* out) {
  uint64_t p = static_cast<uint64_t>(ToInt64(a[0]));
  for (const Value& v : a.subspan(1)) p *= static_cast<uint64_t>(ToInt64(v));
  *out = Value::Int(static_cast<int64_t>(p));
  return absl::OkStatus();
}
absl::Status DivMod(Args a, Value* out, bool mod) {
  const int64_t x = ToInt64(a[0]), y = ToInt64(a[1]);
  if (y == 0) return Err("runtime error: integer divide by zero");
  if (x == std::numeric_limits<int64_t>::min() && y == -1) {  // Go wraps
    *out = Value::Int(mod ? 0 : x);
    return absl::OkStatus();
  }
  *out = Value::Int(mod ? x % y : x / y);
  return absl::OkStatus();
}
absl::Status Div(CallContext&, Args a, Value* out) { return DivMod(a, out, false); }
absl::Status Mod(CallContext&, Args a, Value* out) { return DivMod(a, out, true); }

absl::Status MaxMin(Args a, Value* out, bool max) {
  int64_t r = ToInt64(a[0]);
  for (const Value& v : a.subspan(1)) r = max ? std::max(r, ToInt64(v)) : std::min(r, ToInt64(v));
  *out = Value::Int(r);
  return absl::OkStatus();
}
absl::Status Max(CallContext&, Args a, Value* out) { return MaxMin(a, out, true); }
absl::Status Min(CallContext&, Args a, Value* out) { return MaxMin(a, out, false); }
absl::Status MaxMinF(Args a, Value* out, bool max) {
  double r = ToFloat64(a[0]);
  for (const Value& v : a.subspan(1))
    r = max ? std::fmax(r, ToFloat64(v)) : std::fmin(r, ToFloat64(v));
  *out = Value::Float(r);
  return absl::OkStatus();
}
absl::Status MaxF(CallContext&, Args a, Value* out) { return MaxMinF(a, out, true); }
absl::Status MinF(CallContext&, Args a, Value* out) { return MaxMinF(a, out, false); }

// Sprig's float functions compute in decimal (shopspring/decimal). Adding, subtracting and
// multiplying the shortest decimal forms of the operands exactly reproduces that
// (`addf 0.1 0.2` is 0.3, not 0.30000000000000004); operands too far apart fall back to
// binary floating point.
struct Decimal {
  __int128 mant = 0;
  int exp = 0;
  bool ok = false;
};

Decimal ToDecimal(double v) {
  Decimal d;
  if (!std::isfinite(v)) return d;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  const size_t e = s.find('e');
  int exp = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exp);
  bool neg = false;
  int frac_digits = 0;
  bool after_point = false;
  for (char c : s.substr(0, e)) {
    if (c == '-') {
      neg = true;
    } else if (c == '.') {
      after_point = true;
    } else {
      d.mant = d.mant * 10 + (c - '0');
      if (after_point) ++frac_digits;
    }
  }
  if (neg) d.mant = -d.mant;
  d.exp = exp - frac_digits;
  d.ok = true;
  return d;
}

bool Scale(Decimal* d, int exp) {  // lowers d->exp to `exp`
  while (d->exp > exp) {
    if (d->mant > (__int128{1} << 120) / 10 || d->mant < -((__int128{1} << 120) / 10)) return false;
    d->mant *= 10;
    --d->exp;
  }
  return true;
}

double FromDecimal(const Decimal& d) {
  __int128 m = d.mant;
  const bool neg = m < 0;
  if (neg) m = -m;
  std::string s;
  do {
    s.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m > 0);
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  StrAppend(&s, "e", d.exp);
  double v = 0;
  ParseGoFloat(s, &v);
  return v;
}

enum class Op { kAdd, kSub, kMul };

double DecimalOp(double x, double y, Op op) {
  const double binary = op == Op::kAdd ? x + y : op == Op::kSub ? x - y : x * y;
  Decimal a = ToDecimal(x), b = ToDecimal(y);
  if (!a.ok || !b.ok) return binary;
  Decimal r;
  if (op == Op::kMul) {
    if (a.mant > (__int128{1} << 62) || b.mant > (__int128{1} << 62) ||
        a.mant < -(__int128{1} << 62) || b.mant < -(__int128{1} << 62)) {
      return binary;
    }
    r.mant = a.mant * b.mant;
    r.exp = a.exp + b.exp;
  } else {
    const int exp = std::min(a.exp, b.exp);
    if (!Scale(&a, exp) || !Scale(&b, exp)) return binary;
    r.mant = op == Op::kAdd ? a.mant + b.mant : a.mant - b.mant;
    r.exp = exp;
  }
  return FromDecimal(r);
}

absl::Status AddF(CallContext&, Args a, Value* out) {
  double r = 0;
  for (const Value& v : a) r = DecimalOp(r, ToFloat64(v), Op::kAdd);
  *out = Value::Float(r);
  return absl::OkStatus();
}
absl::Status SubF(CallContext&, Args a, Value* out) {
  double r = ToFloat64(a[0]);
  for (const Value& v : a.subspan(1)) r = DecimalOp(r, ToFloat64(v), Op::kSub);
  *out = Value::Float(r);
  return absl::OkStatus();
}
absl::Status MulF(CallContext&, Args a, Value* out) {
  double r = ToFloat64(a[0]);
  for (const Value& v : a.subspan(1)) r = DecimalOp(r, ToFloat64(v), Op::kMul);
  *out = Value::Float(r);
  return absl::OkStatus();
}
absl::Status DivF(CallContext&, Args a, Value* out) {
  double r = ToFloat64(a[0]);
  for (const Value& v : a.subspan(1)) {
    const double d = ToFloat64(v);
    if (d == 0) return Err("can't divide the value by 0");
    r /= d;
  }
  *out = Value::Float(r);
  return absl::OkStatus();
}

absl::Status Ceil(CallContext&, Args a, Value* out) {
  *out = Value::Float(std::ceil(ToFloat64(a[0])));
  return absl::OkStatus();
}
absl::Status Floor(CallContext&, Args a, Value* out) {
  *out = Value::Float(std::floor(ToFloat64(a[0])));
  return absl::OkStatus();
}
absl::Status Round(CallContext&, Args a, Value* out) {  // round value places [roundOn]
  const double round_on = a.size() > 2 ? a[2].f : 0.5;
  const double pow = std::pow(10.0, static_cast<double>(a[1].i));
  const double digit = pow * ToFloat64(a[0]);
  double ipart = 0;
  const double frac = std::modf(digit, &ipart);
  *out = Value::Float((frac >= round_on ? std::ceil(digit) : std::floor(digit)) / pow);
  return absl::OkStatus();
}

bool Empty(const Value& v) {
  switch (v.kind) {
    case Kind::kNil:
      return true;
    case Kind::kString:
      return v.s.empty();
    case Kind::kInt:
      return v.i == 0;
    case Kind::kFloat:
      return v.f == 0;
    case Kind::kBool:
      return !v.b;
    case Kind::kTime:
      return false;
    case Kind::kMap:
      return false;
  }
  return true;
}

absl::Status Default(CallContext&, Args a, Value* out) {  // default fallback [given]
  *out = a.size() < 2 || Empty(a[1]) ? a[0] : a[1];
  return absl::OkStatus();
}

// ---- LogQL's unit conversions.

absl::Status Bytes(CallContext&, Args a, Value* out) {
  uint64_t b = 0;
  std::string err;
  if (!ParseHumanBytes(a[0].s, &b, &err)) return Err(err);
  *out = Value::Float(static_cast<double>(b));
  return absl::OkStatus();
}
absl::Status Duration(CallContext&, Args a, Value* out) {
  int64_t ns = 0;
  std::string err;
  if (!ParseGoDuration(a[0].s, &ns, &err)) return Err(err);
  // Go's Duration.Seconds(): whole seconds plus the fraction, to keep precision.
  *out = Value::Float(static_cast<double>(ns / 1000000000) +
                      static_cast<double>(ns % 1000000000) / 1e9);
  return absl::OkStatus();
}

// ---- Time.

absl::Time ZeroTime() {
  return absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
}

absl::Status Now(CallContext&, Args, Value* out) {
  *out = Value::Time(absl::Now());
  return absl::OkStatus();
}
absl::Status Date(CallContext& c, Args a, Value* out) {  // date layout time|unix-seconds
  absl::Time t = a[1].kind == Kind::kTime  ? a[1].t
                 : a[1].kind == Kind::kInt ? absl::FromUnixSeconds(a[1].i)
                                           : absl::Now();
  std::string& s = c.NewString();
  FormatGoTime(t, absl::UTCTimeZone(), a[0].s, &s);
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status ToDate(CallContext&, Args a, Value* out) {  // toDate layout value; zero on error
  absl::Time t;
  std::string err;
  if (!ParseGoTime(a[0].s, a[1].s, absl::UTCTimeZone(), &t, &err)) t = ZeroTime();
  *out = Value::Time(t);
  return absl::OkStatus();
}
absl::Status ToDateInZone(CallContext&, Args a, Value* out) {  // layout zone value
  absl::TimeZone tz = absl::UTCTimeZone();
  if (a[1].s != "Local" && a[1].s != "UTC" && !absl::LoadTimeZone(std::string(a[1].s), &tz)) {
    tz = absl::UTCTimeZone();
  }
  absl::Time t;
  std::string err;
  if (!ParseGoTime(a[0].s, a[2].s, tz, &t, &err)) t = ZeroTime();
  *out = Value::Time(t);
  return absl::OkStatus();
}
absl::Status UnixEpoch(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  StrAppend(&s, absl::ToUnixSeconds(a[0].t));
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status UnixEpochMillis(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  StrAppend(&s, absl::ToUnixMillis(a[0].t));
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status UnixEpochNanos(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  StrAppend(&s, absl::ToUnixNanos(a[0].t));
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status UnixToTime(CallContext&, Args a, Value* out) {  // days, s, ms, us or ns by length
  const std::string_view s = a[0].s;
  int64_t v = 0;
  if (!ParseInt64(s, &v)) return Err(StrCat("unable to parse time ", QuoteString(s)));
  switch (s.size()) {
    case 5:
      *out = Value::Time(absl::FromUnixSeconds(v * 86400));
      break;
    case 10:
      *out = Value::Time(absl::FromUnixSeconds(v));
      break;
    case 13:
      *out = Value::Time(absl::FromUnixMillis(v));
      break;
    case 16:
      *out = Value::Time(absl::FromUnixMicros(v));
      break;
    case 19:
      *out = Value::Time(absl::FromUnixNanos(v));
      break;
    default:
      return Err(StrCat("unable to parse time ", QuoteString(s)));
  }
  return absl::OkStatus();
}

}  // namespace

void AddValueFuncs(std::vector<FuncDef>* t) {
  auto add = [t](std::string_view name, int min, int max, std::initializer_list<ParamType> params,
                 ParamType rest, FuncImpl impl) {
    FuncDef f;
    f.name = name;
    f.min_args = min;
    f.max_args = max;
    size_t k = 0;
    for (ParamType p : params) f.params[k++] = p;
    f.rest = rest;
    f.impl = impl;
    t->push_back(f);
  };
  add("and", 1, -1, {}, A, LazyPlaceholder);
  t->back().lazy = true;
  add("or", 1, -1, {}, A, LazyPlaceholder);
  t->back().lazy = true;
  add("not", 1, 1, {A}, A, Not);
  add("eq", 2, -1, {A}, A, Eq);
  add("ne", 2, 2, {A, A}, A, Ne);
  add("lt", 2, 2, {A, A}, A, Compare<0>);
  add("le", 2, 2, {A, A}, A, Compare<1>);
  add("gt", 2, 2, {A, A}, A, Compare<2>);
  add("ge", 2, 2, {A, A}, A, Compare<3>);
  add("len", 1, 1, {A}, A, Len);
  add("print", 0, -1, {}, A, Print);
  add("println", 0, -1, {}, A, Println);
  add("printf", 1, -1, {S}, A, Printf);
  add("__line__", 0, 0, {}, A, Line);
  add("__timestamp__", 0, 0, {}, A, Timestamp);
  add("int", 1, 1, {A}, A, Int);
  add("float64", 1, 1, {A}, A, Float64);
  add("add", 0, -1, {}, A, Add);
  add("sub", 2, 2, {A, A}, A, Sub);
  add("mul", 1, -1, {A}, A, Mul);
  add("div", 2, 2, {A, A}, A, Div);
  add("mod", 2, 2, {A, A}, A, Mod);
  add("max", 1, -1, {A}, A, Max);
  add("min", 1, -1, {A}, A, Min);
  add("addf", 0, -1, {}, A, AddF);
  add("subf", 1, -1, {A}, A, SubF);
  add("mulf", 1, -1, {A}, A, MulF);
  add("divf", 1, -1, {A}, A, DivF);
  add("maxf", 1, -1, {A}, A, MaxF);
  add("minf", 1, -1, {A}, A, MinF);
  add("ceil", 1, 1, {A}, A, Ceil);
  add("floor", 1, 1, {A}, A, Floor);
  add("round", 2, 3, {A, I, F}, F, Round);
  add("default", 1, -1, {A}, A, Default);
  add("bytes", 1, 1, {S}, A, Bytes);
  add("duration", 1, 1, {S}, A, Duration);
  add("duration_seconds", 1, 1, {S}, A, Duration);
  add("now", 0, 0, {}, A, Now);
  add("date", 2, 2, {S, A}, A, Date);
  add("toDate", 2, 2, {S, S}, A, ToDate);
  add("toDateInZone", 3, 3, {S, S, S}, A, ToDateInZone);
  add("unixEpoch", 1, 1, {T}, A, UnixEpoch);
  add("unixEpochMillis", 1, 1, {T}, A, UnixEpochMillis);
  add("unixEpochNanos", 1, 1, {T}, A, UnixEpochNanos);
  add("unixToTime", 1, 1, {S}, A, UnixToTime);
}

const FuncDef* LookupFunc(std::string_view name) {
  static const std::vector<FuncDef> table = [] {
    std::vector<FuncDef> t;
    AddStringFuncs(&t);
    AddValueFuncs(&t);
    std::sort(t.begin(), t.end(),
              [](const FuncDef& a, const FuncDef& b) { return a.name < b.name; });
    return t;
  }();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const FuncDef& f, std::string_view n) { return f.name < n; });
  return it != table.end() && it->name == name ? &*it : nullptr;
}

}  // namespace vigil::logql::pipeline::tmpl
