// The parsing half of go_text.h: Prometheus' unquoting, number and duration parsing, and
// duration printing.
#include <locale.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/strings.h"
#include "common/go_text.h"

namespace vigil::gotext {
namespace {

locale_t CLocale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return loc;
}

std::string GoFloatError(std::string_view s, const char* what) {
  return StrCat("strconv.ParseFloat: parsing ", Quote(s), ": ", what);
}

// strconv.ParseInt(s, 0, 64) for the shapes the lexer produces (no sign, no underscores).
bool ParseGoInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(d)) / base) return false;
    v = v * base + static_cast<uint64_t>(d);
  }
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

absl::StatusOr<std::string> Unquote(std::string_view s) {
  const auto syntax = [] { return absl::InvalidArgumentError("invalid syntax"); };
  if (s.size() < 2) return syntax();
  char quote = s.front();
  if (quote != s.back()) return syntax();
  s = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return syntax();
    return std::string(s);
  }
  if (quote != '"' && quote != '\'') return syntax();
  if (s.find('\n') != std::string_view::npos) return syntax();
  if (s.find('\\') == std::string_view::npos && s.find(quote) == std::string_view::npos) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size());
  auto unhex = [](char c, uint32_t* v) {
    if (c >= '0' && c <= '9')
      *v = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      *v = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      *v = static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
    return true;
  };
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == static_cast<unsigned char>(quote)) return syntax();
    if (c >= 0x80) {
      // Go re-encodes multi-byte runes, so an invalid byte becomes U+FFFD here.
      int w;
      AppendUtf8(&out, DecodeRune(s, i, &w));
      i += static_cast<size_t>(w);
      continue;
    }
    if (c != '\\') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return syntax();
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\'':
      case '"':
        if (e != quote) return syntax();
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
        if (s.size() - i < n) return syntax();
        uint32_t v = 0;
        for (size_t j = 0; j < n; ++j) {
          uint32_t d;
          if (!unhex(s[i + j], &d)) return syntax();
          v = (v << 4) | d;
        }
        i += n;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));  // a single byte, possibly not UTF-8
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return syntax();
          AppendUtf8(&out, static_cast<int32_t>(v));
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        if (s.size() - i < 2) return syntax();
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (size_t j = 0; j < 2; ++j) {
          char d = s[i + j];
          if (d < '0' || d > '7') return syntax();
          v = (v << 3) | static_cast<uint32_t>(d - '0');
        }
        i += 2;
        if (v > 255) return syntax();
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        return syntax();
    }
  }
  return out;
}

absl::StatusOr<double> ParseNumber(std::string_view s) {
  int64_t iv;
  if (ParseGoInt(s, &iv)) return static_cast<double>(iv);
  // What the lexer can hand over is digits, '.', exponents, hex digits after 0x, and the
  // words inf/nan. Go's ParseFloat rejects hex mantissas without a 'p' exponent, which the
  // lexer never produces.
  bool hex = s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  std::string buf(s);
  if (!hex && !buf.empty()) {
    std::string lower = buf;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "inf" || lower == "infinity") return HUGE_VAL;
    if (lower == "nan") return std::nan("");
    bool shape_ok = lower.find_first_not_of("0123456789.e+-") == std::string::npos &&
                    lower.find_first_of("0123456789") != std::string::npos;
    if (shape_ok) {
      errno = 0;
      char* end = nullptr;
      double v = strtod_l(buf.c_str(), &end, CLocale());
      if (end == buf.c_str() + buf.size()) {
        if (errno == ERANGE && std::isinf(v)) {
          return absl::InvalidArgumentError(GoFloatError(s, "value out of range"));
        }
        return v;
      }
    }
  }
  return absl::InvalidArgumentError(GoFloatError(s, "invalid syntax"));
}

absl::StatusOr<int64_t> ParseDuration(std::string_view s) {
  if (s == "0") return 0;
  if (s.empty()) return absl::InvalidArgumentError("empty duration string");
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", 1000LL * 60 * 60 * 24 * 365},
                                    {"w", 1000LL * 60 * 60 * 24 * 7},
                                    {"d", 1000LL * 60 * 60 * 24},
                                    {"h", 1000LL * 60 * 60},
                                    {"m", 1000LL * 60},
                                    {"s", 1000},
                                    {"ms", 1}};
  const auto invalid = [&] {
    return absl::InvalidArgumentError(StrCat("not a valid duration string: ", Quote(s)));
  };
  size_t i = 0;
  int next_unit = 0;
  int64_t total_ns = 0;
  bool overflow = false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i == s.size()) return invalid();
    std::string_view num = s.substr(start, i - start);
    int u = -1;
    if (s.compare(i, 2, "ms") == 0) {
      u = 6;
      i += 2;
    } else {
      for (int k = 0; k < 6; ++k) {
        if (s[i] == kUnits[k].name[0]) u = k;
      }
      if (u < 0) return invalid();
      ++i;
    }
    if (u < next_unit) return invalid();
    next_unit = u + 1;
    // Go computes in nanoseconds: n above MaxInt64/mult/1e6, or a sum that wraps, is out
    // of range.
    uint64_t n;
    if (!ParseUint64(num, &n)) n = UINT64_MAX;
    uint64_t limit =
        static_cast<uint64_t>(INT64_MAX) / static_cast<uint64_t>(kUnits[u].ms) / 1000000ULL;
    if (n > limit) {
      overflow = true;
      continue;
    }
    int64_t add = static_cast<int64_t>(n) * 1000000LL * kUnits[u].ms;
    if (__builtin_add_overflow(total_ns, add, &total_ns)) overflow = true;
  }
  if (overflow) return absl::InvalidArgumentError("duration out of range");
  return total_ns / 1000000LL;
}

std::string DurationString(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  auto unit = [&](const char* name, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    int64_t v = ms / mult;
    if (v > 0) {
      StrAppend(&out, v, name);
      ms -= v * mult;
    }
  };
  unit("y", 1000LL * 60 * 60 * 24 * 365, true);
  unit("w", 1000LL * 60 * 60 * 24 * 7, true);
  unit("d", 1000LL * 60 * 60 * 24, false);
  unit("h", 1000LL * 60 * 60, false);
  unit("m", 1000LL * 60, false);
  unit("s", 1000, false);
  unit("ms", 1, false);
  return out;
}

}  // namespace vigil::gotext
