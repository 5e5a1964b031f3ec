// Go's fmt.Sprintf, Sprint and Sprintln over template values (template_funcs.h).
//
// Verbs: %v %s %q %d %b %o %O %x %X %c %U %t %e %E %f %F %g %G %%, with the flags + - # 0
// and space, width and precision (also as `*`). A verb that does not fit its argument prints
// Go's `%!d(string=abc)`; missing and extra arguments print `%!d(MISSING)` and
// `%!(EXTRA type=value)` as Go does.
#include <algorithm>
#include <cstdio>

#include "common/strings.h"
#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/template_funcs.h"

namespace vigil::logql::pipeline::tmpl {
namespace {

struct Spec {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  int width = -1;
  int prec = -1;
};

constexpr int kMaxWidth = 1 << 20;  // bounds padding that hostile templates could ask for

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    DecodeRune(s, i, &len);
    i += len;
    ++n;
  }
  return n;
}

// Pads `body` to the width; zero padding goes after a sign or base prefix of `prefix_len`.
void Pad(std::string_view body, const Spec& sp, bool zero_ok, size_t prefix_len, std::string* out) {
  const size_t n = RuneCount(body);
  const size_t width = sp.width > 0 ? static_cast<size_t>(sp.width) : 0;
  if (n >= width) {
    out->append(body);
    return;
  }
  const size_t fill = width - n;
  if (sp.minus) {
    out->append(body);
    out->append(fill, ' ');
  } else if (sp.zero && zero_ok) {
    out->append(body.substr(0, prefix_len));
    out->append(fill, '0');
    out->append(body.substr(prefix_len));
  } else {
    out->append(fill, ' ');
    out->append(body);
  }
}

void AppendQuoted(std::string_view s, char quote, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back(quote);
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    const uint32_t r = DecodeRune(s, i, &len);
    const char c = s[i];
    if (r == 0xFFFD && len == 1) {
      out->append("\\x");
      out->push_back(kHex[static_cast<unsigned char>(c) >> 4]);
      out->push_back(kHex[static_cast<unsigned char>(c) & 15]);
    } else if (c == quote || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (r < 0x20 || r == 0x7F) {
      switch (c) {
        case '\a':
          out->append("\\a");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\v':
          out->append("\\v");
          break;
        default:
          out->append("\\x");
          out->push_back(kHex[r >> 4]);
          out->push_back(kHex[r & 15]);
      }
    } else {
      out->append(s.substr(i, len));
    }
    i += len;
  }
  out->push_back(quote);
}

void AppendBadVerb(uint32_t verb, const Value& v, std::string* out) {
  out->append("%!");
  AppendRune(verb, out);
  out->push_back('(');
  if (v.kind == Kind::kNil) {
    out->append("<nil>");
  } else {
    StrAppend(out, KindName(v.kind), "=");
    AppendValue(v, out);
  }
  out->push_back(')');
}

void FormatInt(int64_t v, uint32_t verb, const Spec& sp, std::string* out) {
  std::string body;
  const bool neg = v < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (verb == 'c' || verb == 'q' || verb == 'U') {
    const uint32_t r = v < 0 || v > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(v);
    if (verb == 'c') {
      AppendRune(r, &body);
    } else if (verb == 'q') {
      std::string rune;
      AppendRune(r, &rune);
      AppendQuoted(rune, '\'', &body);
    } else {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "U+%04X", r);
      body = buf;
    }
    Pad(body, sp, false, 0, out);
    return;
  }
  int base = 10;
  const char* digits = "0123456789abcdef";
  std::string prefix;
  switch (verb) {
    case 'b':
      base = 2;
      if (sp.sharp) prefix = "0b";
      break;
    case 'o':
      base = 8;
      if (sp.sharp) prefix = "0";
      break;
    case 'O':
      base = 8;
      prefix = "0o";
      break;
    case 'x':
      base = 16;
      if (sp.sharp) prefix = "0x";
      break;
    case 'X':
      base = 16;
      digits = "0123456789ABCDEF";
      if (sp.sharp) prefix = "0X";
      break;
    default:
      break;
  }
  std::string num;
  uint64_t m = mag;
  do {
    num.push_back(digits[m % static_cast<uint64_t>(base)]);
    m /= static_cast<uint64_t>(base);
  } while (m > 0);
  if (sp.prec == 0 && v == 0) num.clear();
  while (sp.prec > 0 && num.size() < static_cast<size_t>(std::min(sp.prec, kMaxWidth))) {
    num.push_back('0');
  }
  std::reverse(num.begin(), num.end());
  if (neg) {
    body.push_back('-');
  } else if (sp.plus) {
    body.push_back('+');
  } else if (sp.space) {
    body.push_back(' ');
  }
  body.append(prefix);
  const size_t prefix_len = body.size();
  body.append(num);
  Pad(body, sp, sp.prec < 0, prefix_len, out);
}

void FormatFloat(double v, uint32_t verb, const Spec& sp, std::string* out) {
  char fmt = 'g';
  int prec = sp.prec;
  switch (verb) {
    case 'e':
    case 'E':
      fmt = 'e';
      if (prec < 0) prec = 6;
      break;
    case 'f':
    case 'F':
      fmt = 'f';
      if (prec < 0) prec = 6;
      break;
    default:
      fmt = 'g';
      break;  // 'g', 'G', 'v': shortest unless a precision is given
  }
  std::string body;
  AppendGoFloat(v, fmt, prec, &body);
  if (verb == 'E' || verb == 'G') {
    for (char& c : body) c = c == 'e' ? 'E' : c;
  }
  if (body[0] != '-' && body[0] != '+' && (sp.plus || sp.space)) {
    body.insert(body.begin(), sp.plus ? '+' : ' ');
  }
  if (body == "+Inf" && !sp.plus) body = sp.space ? " Inf" : "+Inf";
  const bool finite =
      body.find("Inf") == std::string::npos && body.find("NaN") == std::string::npos;
  const size_t sign = !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
  Pad(body, sp, finite, sign, out);
}

void FormatArg(const Value& v, uint32_t verb, const Spec& sp, std::string* out) {
  switch (v.kind) {
    case Kind::kNil:
      if (verb == 'v') {
        Pad("<nil>", sp, false, 0, out);
      } else {
        AppendBadVerb(verb, v, out);
      }
      return;
    case Kind::kBool:
      if (verb == 't' || verb == 'v') {
        Pad(v.b ? "true" : "false", sp, false, 0, out);
      } else {
        AppendBadVerb(verb, v, out);
      }
      return;
    case Kind::kInt:
      if (verb == 'v' || verb == 'd' || verb == 'b' || verb == 'o' || verb == 'O' || verb == 'x' ||
          verb == 'X' || verb == 'c' || verb == 'q' || verb == 'U') {
        FormatInt(v.i, verb == 'v' ? 'd' : verb, sp, out);
      } else {
        AppendBadVerb(verb, v, out);
      }
      return;
    case Kind::kFloat:
      if (verb == 'v' || verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F' || verb == 'g' ||
          verb == 'G') {
        FormatFloat(v.f, verb, sp, out);
      } else {
        AppendBadVerb(verb, v, out);
      }
      return;
    case Kind::kString:
    case Kind::kMap: {
      std::string_view s = v.s;
      if (verb == 's' || verb == 'v') {
        if (sp.prec >= 0) {  // precision truncates, counted in runes
          size_t i = 0;
          for (int k = 0; k < sp.prec && i < s.size(); ++k) {
            size_t len = 0;
            DecodeRune(s, i, &len);
            i += len;
          }
          s = s.substr(0, i);
        }
        Pad(s, sp, true, 0, out);
      } else if (verb == 'q') {
        std::string q;
        AppendQuoted(s, '"', &q);
        Pad(q, sp, false, 0, out);
      } else if (verb == 'x' || verb == 'X') {
        const char* digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
        std::string h;
        for (char c : s) {
          h.push_back(digits[static_cast<unsigned char>(c) >> 4]);
          h.push_back(digits[static_cast<unsigned char>(c) & 15]);
        }
        Pad(h, sp, false, 0, out);
      } else {
        AppendBadVerb(verb, v, out);
      }
      return;
    }
    case Kind::kTime:
      if (verb == 'v' || verb == 's') {
        std::string t;
        AppendGoTimeString(v.t, &t);
        Pad(t, sp, false, 0, out);
      } else {
        AppendBadVerb(verb, v, out);
      }
      return;
  }
}

}  // namespace

void GoSprintf(std::string_view format, std::span<const Value> args, std::string* out) {
  size_t argi = 0;
  size_t i = 0;
  while (i < format.size()) {
    const char c = format[i];
    if (c != '%') {
      out->push_back(c);
      ++i;
      continue;
    }
    ++i;
    Spec sp;
    for (; i < format.size(); ++i) {
      const char f = format[i];
      if (f == '+') {
        sp.plus = true;
      } else if (f == '-') {
        sp.minus = true;
      } else if (f == '#') {
        sp.sharp = true;
      } else if (f == ' ') {
        sp.space = true;
      } else if (f == '0') {
        sp.zero = true;
      } else {
        break;
      }
    }
    auto read_num = [&](int* n, bool is_width) {
      if (i < format.size() && format[i] == '*') {
        ++i;
        if (argi < args.size() && args[argi].kind == Kind::kInt) {
          int64_t v = std::clamp<int64_t>(args[argi++].i, -kMaxWidth, kMaxWidth);
          if (v < 0 && is_width) {  // a negative width means left-justified
            sp.minus = true;
            v = -v;
          }
          *n = v < 0 ? -1 : static_cast<int>(v);  // a negative precision means none
          return true;
        }
        ++argi;
        return false;
      }
      int v = 0;
      bool any = false;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        v = std::min(v * 10 + (format[i] - '0'), kMaxWidth);
        ++i;
        any = true;
      }
      if (any) *n = v;
      return true;
    };
    if (!read_num(&sp.width, true)) out->append("%!(BADWIDTH)");
    if (i < format.size() && format[i] == '.') {
      ++i;
      sp.prec = 0;
      if (!read_num(&sp.prec, false)) out->append("%!(BADPREC)");
    }
    if (i >= format.size()) {
      out->append("%!(NOVERB)");
      break;
    }
    size_t len = 0;
    const uint32_t verb = DecodeRune(format, i, &len);
    i += len;
    if (verb == '%') {
      out->push_back('%');
      continue;
    }
    if (argi >= args.size()) {
      out->append("%!");
      AppendRune(verb, out);
      out->append("(MISSING)");
      continue;
    }
    FormatArg(args[argi++], verb, sp, out);
    if (out->size() > kMaxTemplateOutput) return;
  }
  if (argi < args.size()) {
    out->append("%!(EXTRA ");
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out->append(", ");
      if (args[k].kind == Kind::kNil) {
        out->append("<nil>");
      } else {
        StrAppend(out, KindName(args[k].kind), "=");
        AppendValue(args[k], out);
      }
    }
    out->push_back(')');
  }
}

void GoSprint(std::span<const Value> args, bool println, std::string* out) {
  for (size_t k = 0; k < args.size(); ++k) {
    const bool is_string = args[k].kind == Kind::kString;
    if (k > 0 && (println || (!is_string && args[k - 1].kind != Kind::kString))) {
      out->push_back(' ');
    }
    if (args[k].kind == Kind::kNil) {
      out->append("<nil>");
    } else {
      AppendValue(args[k], out);
    }
  }
  if (println) out->push_back('\n');
}

}  // namespace vigil::logql::pipeline::tmpl
