// Template functions on strings: Go's strings package as Loki exposes it, Sprig's string
// functions, regexes, URL and base64 encoding.
#include <algorithm>

#include "common/regex_template.h"
#include "common/strings.h"
#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/template_funcs.h"

namespace vigil::logql::pipeline::tmpl {
namespace {

using Args = std::span<const Value>;
constexpr ParamType S = ParamType::kString;
constexpr ParamType I = ParamType::kInt;

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

absl::Status Ret(std::string& s, Value* out) {
  if (s.size() > kMaxTemplateOutput) return TooLarge("string function");
  *out = Value::Str(s);
  return absl::OkStatus();
}

absl::Status Lower(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  s.assign(a[0].s);
  std::transform(s.begin(), s.end(), s.begin(), AsciiLower);
  return Ret(s, out);
}

absl::Status Upper(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  s.assign(a[0].s);
  std::transform(s.begin(), s.end(), s.begin(), AsciiUpper);
  return Ret(s, out);
}

// Go's strings.Title: upper-cases the first letter of each word.
absl::Status Title(CallContext& c, Args a, Value* out) {
  std::string& s = c.NewString();
  s.assign(a[0].s);
  bool prev_sep = true;
  for (char& ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    const bool word = u >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_';
    if (prev_sep) ch = AsciiUpper(ch);
    prev_sep = !word;
  }
  return Ret(s, out);
}

// Go's strings.Replace(s, old, new, n); n < 0 replaces all. An empty `old` matches before
// every rune and at the end.
absl::Status ReplaceImpl(CallContext& c, std::string_view s, std::string_view old,
                         std::string_view repl, int64_t n, Value* out) {
  std::string& r = c.NewString();
  if (n == 0 || (old.empty() && repl.empty())) {
    *out = Value::Str(s);
    return absl::OkStatus();
  }
  int64_t done = 0;
  size_t pos = 0;
  if (old.empty()) {
    while (pos <= s.size() && (n < 0 || done < n)) {
      r.append(repl);
      ++done;
      if (pos == s.size()) {
        pos = s.size() + 1;
        break;
      }
      size_t len = 0;
      DecodeRune(s, pos, &len);
      r.append(s.substr(pos, len));
      pos += len;
      if (r.size() > kMaxTemplateOutput) return TooLarge("replace");
    }
    if (pos <= s.size()) r.append(s.substr(pos));
    return Ret(r, out);
  }
  while (n < 0 || done < n) {
    const size_t hit = s.find(old, pos);
    if (hit == std::string_view::npos) break;
    r.append(s.substr(pos, hit - pos));
    r.append(repl);
    pos = hit + old.size();
    ++done;
    if (r.size() > kMaxTemplateOutput) return TooLarge("replace");
  }
  r.append(s.substr(pos));
  return Ret(r, out);
}

absl::Status GoReplace(CallContext& c, Args a, Value* out) {
  return ReplaceImpl(c, a[0].s, a[1].s, a[2].s, a[3].i, out);
}
absl::Status SprigReplace(CallContext& c, Args a, Value* out) {  // replace old new src
  return ReplaceImpl(c, a[2].s, a[0].s, a[1].s, -1, out);
}

bool InCutset(uint32_t r, std::string_view cutset) {
  for (size_t i = 0; i < cutset.size();) {
    size_t len = 0;
    if (DecodeRune(cutset, i, &len) == r) return true;
    i += len;
  }
  return false;
}

std::string_view TrimLeftCut(std::string_view s, std::string_view cutset) {
  while (!s.empty()) {
    size_t len = 0;
    const uint32_t r = DecodeRune(s, 0, &len);
    if (!InCutset(r, cutset)) break;
    s.remove_prefix(len);
  }
  return s;
}

std::string_view TrimRightCut(std::string_view s, std::string_view cutset) {
  while (!s.empty()) {
    // Find the start of the last rune.
    size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    size_t len = 0;
    uint32_t r = DecodeRune(s, start, &len);
    if (start + len != s.size()) {  // not a whole sequence: the last byte alone
      start = s.size() - 1;
      r = DecodeRune(s, start, &len);
    }
    if (!InCutset(r, cutset)) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

std::string_view TrimSpaceView(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

absl::Status Trim(CallContext&, Args a, Value* out) {
  *out = Value::Str(TrimRightCut(TrimLeftCut(a[0].s, a[1].s), a[1].s));
  return absl::OkStatus();
}
absl::Status TrimLeft(CallContext&, Args a, Value* out) {
  *out = Value::Str(TrimLeftCut(a[0].s, a[1].s));
  return absl::OkStatus();
}
absl::Status TrimRight(CallContext&, Args a, Value* out) {
  *out = Value::Str(TrimRightCut(a[0].s, a[1].s));
  return absl::OkStatus();
}
absl::Status TrimAll(CallContext&, Args a, Value* out) {  // trimAll cutset s
  *out = Value::Str(TrimRightCut(TrimLeftCut(a[1].s, a[0].s), a[0].s));
  return absl::OkStatus();
}
absl::Status TrimSpace(CallContext&, Args a, Value* out) {
  *out = Value::Str(TrimSpaceView(a[0].s));
  return absl::OkStatus();
}
absl::Status GoTrimPrefix(CallContext&, Args a, Value* out) {  // TrimPrefix s prefix
  std::string_view s = a[0].s;
  if (s.starts_with(a[1].s)) s.remove_prefix(a[1].s.size());
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status GoTrimSuffix(CallContext&, Args a, Value* out) {  // TrimSuffix s suffix
  std::string_view s = a[0].s;
  if (s.ends_with(a[1].s)) s.remove_suffix(a[1].s.size());
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status SprigTrimPrefix(CallContext&, Args a, Value* out) {  // trimPrefix prefix s
  std::string_view s = a[1].s;
  if (s.starts_with(a[0].s)) s.remove_prefix(a[0].s.size());
  *out = Value::Str(s);
  return absl::OkStatus();
}
absl::Status SprigTrimSuffix(CallContext&, Args a, Value* out) {  // trimSuffix suffix s
  std::string_view s = a[1].s;
  if (s.ends_with(a[0].s)) s.remove_suffix(a[0].s.size());
  *out = Value::Str(s);
  return absl::OkStatus();
}

absl::Status Contains(CallContext&, Args a, Value* out) {  // contains substr s
  *out = Value::Bool(a[1].s.find(a[0].s) != std::string_view::npos);
  return absl::OkStatus();
}
absl::Status HasPrefix(CallContext&, Args a, Value* out) {  // hasPrefix prefix s
  *out = Value::Bool(a[1].s.starts_with(a[0].s));
  return absl::OkStatus();
}
absl::Status HasSuffix(CallContext&, Args a, Value* out) {  // hasSuffix suffix s
  *out = Value::Bool(a[1].s.ends_with(a[0].s));
  return absl::OkStatus();
}

// Rune boundaries of s: offsets of each rune start, plus s.size().
void RuneOffsets(std::string_view s, std::vector<size_t>* offs) {
  offs->clear();
  for (size_t i = 0; i < s.size();) {
    offs->push_back(i);
    size_t len = 0;
    DecodeRune(s, i, &len);
    i += len;
  }
  offs->push_back(s.size());
}

absl::Status Trunc(CallContext&, Args a, Value* out) {  // trunc n s, counted in runes
  const int64_t n = a[0].i;
  const std::string_view s = a[1].s;
  std::vector<size_t> offs;
  RuneOffsets(s, &offs);
  const int64_t runes = static_cast<int64_t>(offs.size()) - 1;
  if (n < 0 && runes + n > 0) {
    *out = Value::Str(s.substr(offs[static_cast<size_t>(runes + n)]));
  } else if (n >= 0 && runes > n) {
    *out = Value::Str(s.substr(0, offs[static_cast<size_t>(n)]));
  } else {
    *out = Value::Str(s);
  }
  return absl::OkStatus();
}

// substr start end s, counted in runes: a negative start means from the beginning, a
// negative or too large end means to the end; never fails.
absl::Status Substr(CallContext&, Args a, Value* out) {
  int64_t start = a[0].i, end = a[1].i;
  const std::string_view s = a[2].s;
  std::vector<size_t> offs;
  RuneOffsets(s, &offs);
  const int64_t l = static_cast<int64_t>(offs.size()) - 1;
  if (end > l) end = l;
  if (start > l) start = l;
  auto at = [&](int64_t r) { return offs[static_cast<size_t>(r)]; };
  if (start < 0) {
    *out = end < 0 ? Value::Str("") : Value::Str(s.substr(0, at(end)));
  } else if (end < 0) {
    *out = Value::Str(s.substr(at(start)));
  } else if (start > end) {
    *out = Value::Str("");
  } else {
    *out = Value::Str(s.substr(at(start), at(end) - at(start)));
  }
  return absl::OkStatus();
}

absl::Status IndentImpl(CallContext& c, int64_t n, std::string_view s, bool newline, Value* out) {
  if (n < 0) n = 0;
  const size_t lines = static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
  if (static_cast<uint64_t>(n) > kMaxTemplateOutput ||
      s.size() + lines * static_cast<size_t>(n) > kMaxTemplateOutput) {
    return TooLarge("indent");
  }
  std::string& r = c.NewString();
  if (newline) r.push_back('\n');
  r.append(static_cast<size_t>(n), ' ');
  for (char ch : s) {
    r.push_back(ch);
    if (ch == '\n') r.append(static_cast<size_t>(n), ' ');
  }
  return Ret(r, out);
}
absl::Status Indent(CallContext& c, Args a, Value* out) {
  return IndentImpl(c, a[0].i, a[1].s, false, out);
}
absl::Status NIndent(CallContext& c, Args a, Value* out) {
  return IndentImpl(c, a[0].i, a[1].s, true, out);
}

absl::Status Repeat(CallContext& c, Args a, Value* out) {  // repeat count s
  const int64_t n = a[0].i;
  if (n < 0) return absl::InvalidArgumentError("strings: negative Repeat count");
  if (!a[1].s.empty() && static_cast<uint64_t>(n) > kMaxTemplateOutput / a[1].s.size()) {
    return TooLarge("repeat");
  }
  std::string& r = c.NewString();
  for (int64_t k = 0; k < n && !a[1].s.empty(); ++k) r.append(a[1].s);
  return Ret(r, out);
}

absl::Status Align(CallContext& c, Args a, Value* out, bool left) {
  const int64_t count = a[0].i;
  const std::string_view s = a[1].s;
  std::vector<size_t> offs;
  RuneOffsets(s, &offs);
  const int64_t l = static_cast<int64_t>(offs.size()) - 1;
  if (count < 0 || count == l) {
    *out = Value::Str(s);
    return absl::OkStatus();
  }
  if (count > l) {
    if (static_cast<uint64_t>(count) > kMaxTemplateOutput)
      return TooLarge(left ? "alignLeft" : "alignRight");
    std::string& r = c.NewString();
    if (!left) r.append(static_cast<size_t>(count - l), ' ');
    r.append(s);
    if (left) r.append(static_cast<size_t>(count - l), ' ');
    return Ret(r, out);
  }
  *out = left ? Value::Str(s.substr(0, offs[static_cast<size_t>(count)]))
              : Value::Str(s.substr(offs[static_cast<size_t>(l - count)]));
  return absl::OkStatus();
}
absl::Status AlignLeft(CallContext& c, Args a, Value* out) { return Align(c, a, out, true); }
absl::Status AlignRight(CallContext& c, Args a, Value* out) { return Align(c, a, out, false); }

// The regex of argument `index`: precompiled when it was a literal, else compiled now.
absl::Status RegexArg(CallContext& c, Args a, size_t index, std::shared_ptr<const RE2>* re) {
  if (c.command != nullptr && c.command->regex != nullptr) {
    *re = c.command->regex;
    return absl::OkStatus();
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  auto compiled = std::make_shared<RE2>(a[index].s, opts);
  if (!compiled->ok())
    return absl::InvalidArgumentError(StrCat("error parsing regexp: ", compiled->error()));
  *re = std::move(compiled);
  return absl::OkStatus();
}

// Calls f(groups) for each match Go's "All" functions report: leftmost-first, non-
// overlapping, and ignoring an empty match right after the previous match.
template <typename F>
void ForEachMatch(const RE2& re, std::string_view s, std::vector<re2::StringPiece>& groups, F f) {
  const int ngroups = re.NumberOfCapturingGroups() + 1;
  groups.resize(static_cast<size_t>(ngroups));
  size_t pos = 0;
  std::ptrdiff_t prev_end = -1;
  while (pos <= s.size()) {
    if (!re.Match(re2::StringPiece(s.data(), s.size()), pos, s.size(), RE2::UNANCHORED,
                  groups.data(), ngroups)) {
      break;
    }
    const size_t mstart = static_cast<size_t>(groups[0].data() - s.data());
    const size_t mend = mstart + groups[0].size();
    bool accept = true;
    if (mend == mstart) {
      if (static_cast<std::ptrdiff_t>(mstart) == prev_end) accept = false;
      size_t len = 1;
      if (mstart < s.size()) DecodeRune(s, mstart, &len);
      pos = mstart + len;
    } else {
      pos = mend;
    }
    prev_end = static_cast<std::ptrdiff_t>(mend);
    if (accept) f(mstart, mend);
  }
}

absl::Status RegexReplace(CallContext& c, Args a, Value* out, bool literal) {
  std::shared_ptr<const RE2> re;
  if (absl::Status st = RegexArg(c, a, 0, &re); !st.ok()) return st;
  const std::string_view s = a[1].s, repl = a[2].s;
  auto& groups = c.scratch->groups;
  std::string& r = c.NewString();
  size_t last = 0;
  bool too_large = false;
  ForEachMatch(*re, s, groups, [&](size_t mstart, size_t mend) {
    if (too_large) return;
    r.append(s.substr(last, mstart - last));
    if (literal) {
      r.append(repl);
    } else {
      ExpandRegexTemplate(repl, *re, groups, &r);
    }
    last = mend;
    too_large = r.size() > kMaxTemplateOutput;
  });
  if (too_large) return TooLarge("regexReplaceAll");
  r.append(s.substr(std::min(last, s.size())));
  return Ret(r, out);
}
absl::Status RegexReplaceAll(CallContext& c, Args a, Value* out) {
  return RegexReplace(c, a, out, false);
}
absl::Status RegexReplaceAllLiteral(CallContext& c, Args a, Value* out) {
  return RegexReplace(c, a, out, true);
}

absl::Status Count(CallContext& c, Args a, Value* out) {  // count regex s
  std::shared_ptr<const RE2> re;
  if (absl::Status st = RegexArg(c, a, 0, &re); !st.ok()) return st;
  int64_t n = 0;
  ForEachMatch(*re, a[1].s, c.scratch->groups, [&](size_t, size_t) { ++n; });
  *out = Value::Int(n);
  return absl::OkStatus();
}

// Go's url.QueryEscape / QueryUnescape.
absl::Status UrlEncode(CallContext& c, Args a, Value* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string& r = c.NewString();
  for (char ch : a[0].s) {
    const auto u = static_cast<unsigned char>(ch);
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      r.push_back(ch);
    } else if (ch == ' ') {
      r.push_back('+');
    } else {
      r.push_back('%');
      r.push_back(kHex[u >> 4]);
      r.push_back(kHex[u & 15]);
    }
  }
  return Ret(r, out);
}

int Hex(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

absl::Status UrlDecode(CallContext& c, Args a, Value* out) {
  const std::string_view s = a[0].s;
  std::string& r = c.NewString();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      r.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return absl::InvalidArgumentError(
            StrCat("invalid URL escape ", QuoteString(s.substr(i, 3))));
      }
      const int h = Hex(s[i + 1]), l = Hex(s[i + 2]);
      if (h < 0 || l < 0) {
        return absl::InvalidArgumentError(
            StrCat("invalid URL escape ", QuoteString(s.substr(i, 3))));
      }
      r.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else {
      r.push_back(s[i]);
    }
  }
  return Ret(r, out);
}

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

absl::Status B64Enc(CallContext& c, Args a, Value* out) {
  const std::string_view s = a[0].s;
  std::string& r = c.NewString();
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(s[i]) << 16) |
                       (static_cast<unsigned char>(s[i + 1]) << 8) |
                       static_cast<unsigned char>(s[i + 2]);
    r.push_back(kB64[v >> 18]);
    r.push_back(kB64[(v >> 12) & 63]);
    r.push_back(kB64[(v >> 6) & 63]);
    r.push_back(kB64[v & 63]);
  }
  if (i < s.size()) {
    uint32_t v = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) v |= static_cast<unsigned char>(s[i + 1]) << 8;
    r.push_back(kB64[v >> 18]);
    r.push_back(kB64[(v >> 12) & 63]);
    r.push_back(i + 1 < s.size() ? kB64[(v >> 6) & 63] : '=');
    r.push_back('=');
  }
  return Ret(r, out);
}

// Sprig's b64dec: on malformed input the result is Go's error text, not an error.
absl::Status B64Dec(CallContext& c, Args a, Value* out) {
  const std::string_view s = a[0].s;
  std::string& r = c.NewString();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (ch == '\r' || ch == '\n') continue;
    if (ch == '=') {
      ++pad;
      continue;
    }
    const size_t v = kB64.find(ch);
    if (v == std::string_view::npos || pad > 0) {
      r = StrCat("illegal base64 data at input byte ", static_cast<uint64_t>(i));
      return Ret(r, out);
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      r.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  const size_t data = s.size() - pad - static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) -
                      static_cast<size_t>(std::count(s.begin(), s.end(), '\r'));
  if ((data + pad) % 4 != 0 || pad > 2) {
    r = StrCat("illegal base64 data at input byte ", static_cast<uint64_t>(s.size()));
  }
  return Ret(r, out);
}

}  // namespace

void AddStringFuncs(std::vector<FuncDef>* t) {
  auto add = [t](std::string_view name, int min, int max, std::initializer_list<ParamType> params,
                 FuncImpl impl, int regex_arg = -1) {
    FuncDef f;
    f.name = name;
    f.min_args = min;
    f.max_args = max;
    size_t k = 0;
    for (ParamType p : params) f.params[k++] = p;
    f.rest = ParamType::kString;
    f.impl = impl;
    f.regex_arg = regex_arg;
    t->push_back(f);
  };
  // Go's strings functions under Loki's names (argument order as in Go).
  add("ToLower", 1, 1, {S}, Lower);
  add("ToUpper", 1, 1, {S}, Upper);
  add("Replace", 4, 4, {S, S, S, I}, GoReplace);
  add("Trim", 2, 2, {S, S}, Trim);
  add("TrimLeft", 2, 2, {S, S}, TrimLeft);
  add("TrimRight", 2, 2, {S, S}, TrimRight);
  add("TrimPrefix", 2, 2, {S, S}, GoTrimPrefix);
  add("TrimSuffix", 2, 2, {S, S}, GoTrimSuffix);
  add("TrimSpace", 1, 1, {S}, TrimSpace);
  // Sprig's (the string being worked on comes last, so they chain in pipelines).
  add("lower", 1, 1, {S}, Lower);
  add("upper", 1, 1, {S}, Upper);
  add("title", 1, 1, {S}, Title);
  add("trunc", 2, 2, {I, S}, Trunc);
  add("substr", 3, 3, {I, I, S}, Substr);
  add("contains", 2, 2, {S, S}, Contains);
  add("hasPrefix", 2, 2, {S, S}, HasPrefix);
  add("hasSuffix", 2, 2, {S, S}, HasSuffix);
  add("indent", 2, 2, {I, S}, Indent);
  add("nindent", 2, 2, {I, S}, NIndent);
  add("replace", 3, 3, {S, S, S}, SprigReplace);
  add("repeat", 2, 2, {I, S}, Repeat);
  add("trim", 1, 1, {S}, TrimSpace);
  add("trimAll", 2, 2, {S, S}, TrimAll);
  add("trimPrefix", 2, 2, {S, S}, SprigTrimPrefix);
  add("trimSuffix", 2, 2, {S, S}, SprigTrimSuffix);
  add("b64enc", 1, 1, {S}, B64Enc);
  add("b64dec", 1, 1, {S}, B64Dec);
  // Loki's.
  add("regexReplaceAll", 3, 3, {S, S, S}, RegexReplaceAll, 0);
  add("regexReplaceAllLiteral", 3, 3, {S, S, S}, RegexReplaceAllLiteral, 0);
  add("count", 2, 2, {S, S}, Count, 0);
  add("urlencode", 1, 1, {S}, UrlEncode);
  add("urldecode", 1, 1, {S}, UrlDecode);
  add("alignLeft", 2, 2, {I, S}, AlignLeft);
  add("alignRight", 2, 2, {I, S}, AlignRight);
}

}  // namespace vigil::logql::pipeline::tmpl
