#include "query/logql/pipeline/template_value.h"

#include "common/go_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/go_float.h"
#include "common/go_text.h"
#include "common/strings.h"
#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/go_time.h"
#include "query/logql/pipeline/template_funcs.h"

namespace vigil::logql::pipeline::tmpl {

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kNil:
      return "nil";
    case Kind::kString:
      return "string";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kBool:
      return "bool";
    case Kind::kTime:
      return "time.Time";
    case Kind::kMap:
      return "map[string]string";
  }
  return "?";
}

bool Truth(const Value& v, size_t map_size) {
  switch (v.kind) {
    case Kind::kNil:
      return false;
    case Kind::kString:
      return !v.s.empty();
    case Kind::kInt:
      return v.i != 0;
    case Kind::kFloat:
      return v.f != 0;
    case Kind::kBool:
      return v.b;
    case Kind::kTime:
      return true;  // a struct is always true
    case Kind::kMap:
      return map_size > 0;
  }
  return false;
}

void AppendGoFloat(double v, char fmt, int prec, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[512];
  if (prec < 0) {
    if (fmt == 'f') {
      auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
      out->append(buf, r.ptr);
      return;
    }
    // Shortest digits in scientific form, then Go's rule for 'g': %e when the exponent is
    // below -4 or at least 6 (the shortest form's "precision" for this decision).
    auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
    const size_t e = sci.find('e');
    int exp = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
    if (fmt == 'e' || (fmt == 'g' && (exp < -4 || exp >= 6))) {
      out->append(sci);
      return;
    }
    auto rf = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
    out->append(buf, rf.ptr);
    return;
  }
  if (prec > 200) prec = 200;  // keeps the result within the buffer
  const char spec[5] = {'%', '.', '*', fmt, '\0'};
  const int n = std::snprintf(buf, sizeof(buf), spec, prec, v);
  if (n > 0) out->append(buf, static_cast<size_t>(std::min(n, static_cast<int>(sizeof(buf) - 1))));
}

void AppendGoTimeString(absl::Time t, std::string* out) {
  FormatGoTime(t, absl::UTCTimeZone(), "2006-01-02 15:04:05.999999999 -0700 MST", out);
}

void AppendValue(const Value& v, std::string* out) {
  switch (v.kind) {
    case Kind::kNil:
      out->append("<no value>");
      break;
    case Kind::kString:
      out->append(v.s);
      break;
    case Kind::kInt:
      StrAppend(out, v.i);
      break;
    case Kind::kFloat:
      AppendGoFloat(v.f, 'g', -1, out);
      break;
    case Kind::kBool:
      out->append(v.b ? "true" : "false");
      break;
    case Kind::kTime:
      AppendGoTimeString(v.t, out);
      break;
    case Kind::kMap:
      break;  // printed by the executor, which knows the labels
  }
}

namespace {

// Go's strconv.ParseInt(s, 0, 64): sign, then a 0x/0o/0b prefix, a leading 0 for octal, or
// decimal; `_` allowed between digits.
bool ParseIntBase0(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  char prev = '0';
  for (char c : s) {
    if (c == '_') {
      if (prev == '_') return false;
      prev = c;
      continue;
    }
    int d = c >= '0' && c <= '9'                     ? c - '0'
            : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10
                                                     : 99;
    if (d >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) /
                static_cast<uint64_t>(base))
      return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    prev = c;
  }
  if (prev == '_') return false;
  if (neg ? v > uint64_t{1} << 63
          : v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return false;
  }
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

// spf13/cast's trimZeroDecimal: "12.000" -> "12".
std::string_view TrimZeroDecimal(std::string_view s) {
  bool zero = false;
  for (size_t i = s.size(); i > 0; --i) {
    const char c = s[i - 1];
    if (c == '.') return zero ? s.substr(0, i - 1) : s;
    if (c != '0') return s;
    zero = true;
  }
  return s;
}

}  // namespace

int64_t ToInt64(const Value& v) {
  switch (v.kind) {
    case Kind::kInt:
      return v.i;
    case Kind::kFloat:
      if (!std::isfinite(v.f) || v.f >= 9.2233720368547758e18 || v.f <= -9.2233720368547758e18) {
        return 0;
      }
      return static_cast<int64_t>(v.f);
    case Kind::kBool:
      return v.b ? 1 : 0;
    case Kind::kString: {
      int64_t r = 0;
      return ParseIntBase0(TrimZeroDecimal(v.s), &r) ? r : 0;
    }
    default:
      return 0;
  }
}

double ToFloat64(const Value& v) {
  switch (v.kind) {
    case Kind::kInt:
      return static_cast<double>(v.i);
    case Kind::kFloat:
      return v.f;
    case Kind::kBool:
      return v.b ? 1 : 0;
    case Kind::kString: {
      double r = 0;
      return ParseGoFloat(v.s, &r) ? r : 0;
    }
    default:
      return 0;
  }
}

absl::Status TooLarge(std::string_view func) {
  return absl::ResourceExhaustedError(
      StrCat(func, ": result exceeds ", static_cast<uint64_t>(kMaxTemplateOutput), " bytes"));
}

uint32_t DecodeRune(std::string_view s, size_t i, size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  *len = 1;
  if (b0 < 0x80) return b0;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  uint32_t r = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    r = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    r = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    r = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0xFFFD;
  }
  if (i + n > s.size()) return 0xFFFD;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0xFFFD;
    r = (r << 6) | (b & 0x3F);
  }
  *len = n;
  return r;
}

void AppendRune(uint32_t r, std::string* out) { gotext::AppendUtf8(out, static_cast<int32_t>(r)); }

// Go's strconv.Unquote for a double- or single-quoted literal (quotes included); a
// single-quoted one is a character constant, so it must hold exactly one character.
bool UnquoteGo(std::string_view lit, std::string* out) {
  auto v = gotext::Unquote(lit);
  if (!v.ok()) return false;
  if (!lit.empty() && lit.front() == '\'') {
    int width = 0;
    if (v->empty()) return false;
    gotext::DecodeRune(*v, 0, &width);
    if (static_cast<size_t>(width) != v->size()) return false;
  }
  *out = std::move(*v);
  return true;
}

}  // namespace vigil::logql::pipeline::tmpl
