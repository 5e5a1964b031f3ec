#include "common/go_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil::gotext {
namespace {

struct RuneRange {
  int32_t first;
  int32_t last;
};
constexpr RuneRange kPrintRanges[] = {
#include "common/unicode_print_ranges.inc"
};

constexpr char kHex[] = "0123456789abcdef";

bool ValidRune(int32_t r) { return (r >= 0 && r < 0xD800) || (r > 0xDFFF && r <= 0x10FFFF); }

void AppendHex(std::string* out, uint32_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 0xF]);
}

// strconv's appendEscapedRune for the given quote character.
void AppendEscapedRune(std::string* out, int32_t r, char quote) {
  if (r == quote || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  if (IsPrint(r)) {
    AppendUtf8(out, r);
    return;
  }
  switch (r) {
    case '\a':
      out->append("\\a");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\v':
      out->append("\\v");
      return;
    default:
      break;
  }
  if (r >= 0 && (r < ' ' || r == 0x7f)) {
    out->append("\\x");
    AppendHex(out, static_cast<uint32_t>(r), 2);
    return;
  }
  if (!ValidRune(r)) r = kRuneError;
  if (r < 0x10000) {
    out->append("\\u");
    AppendHex(out, static_cast<uint32_t>(r), 4);
  } else {
    out->append("\\U");
    AppendHex(out, static_cast<uint32_t>(r), 8);
  }
}

}  // namespace

int32_t DecodeRune(std::string_view s, size_t pos, int* width) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  size_t n = s.size() - pos;
  unsigned char c0 = p[0];
  *width = 1;
  if (c0 < 0x80) return c0;
  auto cont = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (!cont(1)) return kRuneError;
    *width = 2;
    return ((c0 & 0x1F) << 6) | (p[1] & 0x3F);
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return kRuneError;
    if (c0 == 0xE0 && p[1] < 0xA0) return kRuneError;   // overlong
    if (c0 == 0xED && p[1] >= 0xA0) return kRuneError;  // surrogate
    *width = 3;
    return ((c0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return kRuneError;
    if (c0 == 0xF0 && p[1] < 0x90) return kRuneError;   // overlong
    if (c0 == 0xF4 && p[1] >= 0x90) return kRuneError;  // beyond U+10FFFF
    *width = 4;
    return ((c0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
  return kRuneError;
}

void AppendUtf8(std::string* out, int32_t r) {
  if (!ValidRune(r)) r = kRuneError;
  auto cp = static_cast<uint32_t>(r);
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsPrint(int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  const auto* end = std::end(kPrintRanges);
  const auto* it = std::upper_bound(std::begin(kPrintRanges), end, r,
                                    [](int32_t v, const RuneRange& rr) { return v < rr.first; });
  if (it == std::begin(kPrintRanges)) return false;
  --it;
  return r <= it->last;
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    int w = 1;
    int32_t r = static_cast<unsigned char>(s[i]);
    if (r >= 0x80) r = DecodeRune(s, i, &w);
    if (w == 1 && r == kRuneError) {
      out->append("\\x");
      AppendHex(out, static_cast<unsigned char>(s[i]), 2);
    } else {
      AppendEscapedRune(out, r, '"');
    }
    i += static_cast<size_t>(w);
  }
  out->push_back('"');
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendQuoted(&out, s);
  return out;
}

std::string QuotePrefix(std::string_view s, int runes) {
  size_t i = 0;
  for (int n = 0; i < s.size() && n < runes; ++n) {
    int w = 1;
    DecodeRune(s, i, &w);
    i += static_cast<size_t>(w);
  }
  return Quote(s.substr(0, i));
}

std::string QuoteRune(int32_t r) {
  if (!ValidRune(r)) r = kRuneError;
  std::string out = "'";
  AppendEscapedRune(&out, r, '\'');
  out.push_back('\'');
  return out;
}

std::string RuneU(int32_t r) {
  std::string out = "U+";
  auto v = static_cast<uint32_t>(r);
  int digits = 4;
  while (digits < 8 && (v >> (4 * digits)) != 0) ++digits;
  for (int i = digits - 1; i >= 0; --i) out.push_back("0123456789ABCDEF"[(v >> (4 * i)) & 0xF]);
  if (r >= 0 && r <= 0x10FFFF && IsPrint(r)) {
    out.append(" '");
    AppendUtf8(&out, r);
    out.push_back('\'');
  }
  return out;
}

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Shortest round-trip digits, then Go's 'g' layout: exponent form when the decimal
  // exponent is < -4 or >= 6 (the precision Go uses for this decision when shortest).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(v), std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = 0;
  std::string_view es = sci.substr(epos + 1);
  bool eneg = !es.empty() && es[0] == '-';
  if (!es.empty() && (es[0] == '-' || es[0] == '+')) es.remove_prefix(1);
  for (char c : es) exp = exp * 10 + (c - '0');
  if (eneg) exp = -exp;
  std::string out;
  if (v < 0) out.push_back('-');
  if (exp < -4 || exp >= 6) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out.push_back('0');
    out.append(std::to_string(a));
    return out;
  }
  int dp = exp + 1;  // digits before the decimal point
  if (dp <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-dp), '0');
    out.append(digits);
  } else if (static_cast<size_t>(dp) >= digits.size()) {
    out.append(digits);
    out.append(static_cast<size_t>(dp) - digits.size(), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(dp));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(dp), std::string::npos);
  }
  return out;
}

std::string FormatFixed(double v, int decimals) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

}  // namespace vigil::gotext
