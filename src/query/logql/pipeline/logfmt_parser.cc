#include "query/logql/pipeline/logfmt_parser.h"

#include "common/go_text.h"
#include "common/strings.h"

namespace vigil::logql::pipeline {
namespace {

// The length of a valid UTF-8 sequence at s[i] (not U+FFFD), or 0.
size_t ValidRune(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  if (n == 3 && s.substr(i, 3) == "\xEF\xBF\xBD") return 0;  // U+FFFD counts as an error rune
  return n;
}

bool HasRuneError(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = ValidRune(s, i);
    if (n == 0) return true;
    i += n;
  }
  return false;
}

// Loki replaces each error rune (an invalid byte, or U+FFFD) of a value with a space.
std::string_view ReplaceRuneErrors(std::string_view s, std::string* out) {
  if (!HasRuneError(s)) return s;
  out->clear();
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out->push_back(s[i++]);
      continue;
    }
    const size_t n = ValidRune(s, i);
    if (n == 0) {
      out->push_back(' ');
      i += s.substr(i, 3) == "\xEF\xBF\xBD" ? 3 : 1;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
  return *out;
}

bool Read4Hex(std::string_view s, size_t i, uint32_t* v) {
  if (i + 4 > s.size()) return false;
  *v = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int h = HexDigitValue(s[i + k]);
    if (h < 0) return false;
    *v = *v * 16 + static_cast<uint32_t>(h);
  }
  return true;
}

// go-logfmt's unquoteBytes: a JSON string literal (quotes included) into *out.
bool Unquote(std::string_view q, std::string* out) {
  out->clear();
  std::string_view s = q.substr(1, q.size() - 2);
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) < ' ') return false;
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return false;
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
      case '\'':
        out->push_back(e);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t r = 0;
        if (!Read4Hex(s, i, &r)) return false;
        i += 4;
        if (r >= 0xD800 && r < 0xDC00) {  // a surrogate pair, or U+FFFD when unpaired
          uint32_t lo = 0;
          if (i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u' && Read4Hex(s, i + 2, &lo) &&
              lo >= 0xDC00 && lo < 0xE000) {
            r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            r = 0xFFFD;
          }
        } else if (r >= 0xDC00 && r < 0xE000) {
          r = 0xFFFD;
        }
        gotext::AppendUtf8(out, static_cast<int32_t>(r));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

void LogfmtDecoder::SyntaxError(std::string_view msg) {
  error_ = StrCat("logfmt syntax error at pos ", static_cast<uint64_t>(pos_ + 1), " : ", msg);
}

bool LogfmtDecoder::SkipValue() {
  while (pos_ < line_.size() && static_cast<unsigned char>(line_[pos_]) > ' ') ++pos_;
  return false;
}

bool LogfmtDecoder::ScanKeyval() {
  key_ = {};
  value_ = {};
  const std::string_view line = line_;
  const size_t n = line.size();
  auto byte = [&](size_t i) { return static_cast<unsigned char>(line[i]); };
  while (pos_ < n && byte(pos_) <= ' ') ++pos_;  // garbage between pairs
  if (pos_ >= n) return false;

  size_t start = pos_;
  bool multibyte = false;
  for (; pos_ < n; ++pos_) {
    const unsigned char c = byte(pos_);
    if (c == '=') {
      if (pos_ > start) {
        key_ = line.substr(start, pos_ - start);
        if (multibyte && HasRuneError(key_)) {
          SyntaxError("invalid key");
          return SkipValue();
        }
      }
      if (key_.empty()) {
        SyntaxError("unexpected '='");
        return SkipValue();
      }
      break;  // to the value
    }
    if (c == '"') {
      SyntaxError("unexpected '\"'");
      return SkipValue();
    }
    if (c <= ' ') {
      key_ = line.substr(start, pos_ - start);
      if (multibyte && HasRuneError(key_)) {
        SyntaxError("invalid key");
        return false;
      }
      return true;  // a bare key
    }
    if (c >= 0x80) multibyte = true;
  }
  if (pos_ >= n) {
    key_ = line.substr(start);
    if (multibyte && HasRuneError(key_)) {
      SyntaxError("invalid key");
      return false;
    }
    return true;
  }

  ++pos_;                                           // past '='
  if (pos_ >= n || byte(pos_) <= ' ') return true;  // an empty value
  if (byte(pos_) != '"') {
    start = pos_;
    for (; pos_ < n; ++pos_) {
      const unsigned char c = byte(pos_);
      if (c == '=' || c == '"') {
        SyntaxError(c == '=' ? "unexpected '='" : "unexpected '\"'");
        return SkipValue();
      }
      if (c <= ' ') break;
    }
    value_ = line.substr(start, pos_ - start);
    return true;
  }

  // A quoted value.
  start = pos_;
  bool has_escape = false, escaped = false;
  for (size_t p = pos_ + 1; p < n; ++p) {
    const char c = line[p];
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      has_escape = escaped = true;
    } else if (c == '"') {
      pos_ = p + 1;
      if (has_escape) {
        if (!Unquote(line.substr(start, pos_ - start), buf_)) {
          SyntaxError("invalid quoted value");
          return false;
        }
        value_ = *buf_;
      } else {
        value_ = line.substr(start + 1, pos_ - start - 2);
      }
      return true;
    }
  }
  pos_ = n;
  SyntaxError("unterminated quoted value");
  return false;
}

absl::StatusOr<LogfmtParser> LogfmtParser::Make(Options options,
                                                std::vector<LogfmtExtraction> extractions) {
  for (const LogfmtExtraction& e : extractions) {
    if (!IsValidLabelName(e.label)) {
      return absl::InvalidArgumentError(
          StrCat("invalid extracted label name ", QuoteString(e.label)));
    }
    if (e.key.empty()) {
      return absl::InvalidArgumentError(StrCat("empty logfmt key for label ", e.label));
    }
  }
  LogfmtParser p;
  p.options_ = options;
  p.extractions_ = std::move(extractions);
  return p;
}

bool LogfmtParser::Process(LineState& state) const {
  std::string& unquoted = state.scratch_string();
  std::string replaced;  // rarely used: only for values with invalid UTF-8
  LogfmtDecoder dec(state.line(), &unquoted);
  if (!extractions_.empty()) {
    for (const LogfmtExtraction& e : extractions_) {
      if (!state.StreamHas(e.label)) state.Set(e.label, "");
    }
  }
  while (!dec.EndOfLine()) {
    if (!dec.ScanKeyval()) {
      if (options_.strict && !dec.error().empty()) break;
      continue;
    }
    const std::string_view value = ReplaceRuneErrors(dec.value(), &replaced);
    if (extractions_.empty()) {
      const std::string_view name = state.ExtractedLabelName(dec.key());
      if (name.empty()) continue;
      if (!options_.keep_empty && value.empty()) continue;
      state.Set(name, value);
      continue;
    }
    for (const LogfmtExtraction& e : extractions_) {
      if (e.key == dec.key()) state.Set(state.ExtractedLabelNameFor(e.label), value);
    }
  }
  if (options_.strict && !dec.error().empty()) state.SetError(kLogfmtParserErr, dec.error());
  return true;
}

}  // namespace vigil::logql::pipeline
