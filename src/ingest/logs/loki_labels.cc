#include "ingest/logs/loki_labels.h"

#include "common/strings.h"

namespace vigil {
namespace {

class LabelsParser {
 public:
  LabelsParser(std::string_view text, std::vector<Label>* out) : s_(text), out_(out) {}

  absl::Status Parse() {
    SkipSpace();
    if (!Consume('{')) return Error("expected '{'");
    SkipSpace();
    if (!Consume('}')) {
      while (true) {
        Label l;
        if (absl::Status st = Name(&l.name); !st.ok()) return st;
        SkipSpace();
        if (Peek() == '!' || (Peek() == '=' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '~')) {
          return Error("only '=' is allowed between a label name and its value");
        }
        if (!Consume('=')) return Error("expected '=' after the label name");
        SkipSpace();
        if (absl::Status st = Value(&l.value); !st.ok()) return st;
        out_->push_back(std::move(l));
        SkipSpace();
        if (Consume(',')) {
          SkipSpace();
          if (Consume('}')) break;
          continue;
        }
        if (Consume('}')) break;
        return Error("expected ',' or '}'");
      }
    }
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text after '}'");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(
        StrCat(what, " at offset ", pos_, " of labels ", QuoteString(Truncated(s_, 200))));
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Consume(char c) {
    if (Peek() != c || pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  absl::Status Name(std::string* out) {
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                (pos_ > start && c >= '0' && c <= '9');
      if (!ok) break;
      ++pos_;
    }
    if (pos_ == start) return Error("expected a label name");
    out->assign(s_.substr(start, pos_ - start));
    return absl::OkStatus();
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
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

  absl::Status Value(std::string* out) {
    if (Consume('`')) {
      size_t end = s_.find('`', pos_);
      if (end == std::string_view::npos) return Error("unterminated raw string");
      out->assign(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return absl::OkStatus();
    }
    if (!Consume('"')) return Error("expected a quoted label value");
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c == '\n') return Error("newline in string");
      if (c != '\\') {
        out->push_back(c);
        ++pos_;
        continue;
      }
      const size_t esc = pos_;
      if (++pos_ >= s_.size()) return Error("unterminated string");
      char e = s_[pos_++];
      switch (e) {
        case 'a':
          out->push_back('\a');
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
        case 'v':
          out->push_back('\v');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '"':
          out->push_back('"');
          break;
        case '\'':
          out->push_back('\'');
          break;
        case 'x': {
          int hi = pos_ + 1 < s_.size() ? Hex(s_[pos_]) : -1;
          int lo = pos_ + 1 < s_.size() ? Hex(s_[pos_ + 1]) : -1;
          if (hi < 0 || lo < 0) {
            pos_ = esc;
            return Error("invalid \\x escape");
          }
          out->push_back(static_cast<char>(hi * 16 + lo));
          pos_ += 2;
          break;
        }
        case 'u':
        case 'U': {
          size_t n = e == 'u' ? 4 : 8;
          uint32_t cp = 0;
          for (size_t i = 0; i < n; ++i) {
            int h = pos_ + i < s_.size() ? Hex(s_[pos_ + i]) : -1;
            if (h < 0) {
              pos_ = esc;
              return Error("invalid unicode escape");
            }
            cp = cp * 16 + static_cast<uint32_t>(h);
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            pos_ = esc;
            return Error("invalid unicode code point in escape");
          }
          AppendUtf8(cp, out);
          pos_ += n;
          break;
        }
        default: {
          if (e >= '0' && e <= '3') {
            int v = e - '0';
            for (int i = 0; i < 2; ++i) {
              char d = Peek();
              if (d < '0' || d > '7') {
                pos_ = esc;
                return Error("invalid octal escape");
              }
              v = v * 8 + (d - '0');
              ++pos_;
            }
            out->push_back(static_cast<char>(v));
            break;
          }
          pos_ = esc;
          return Error("invalid escape sequence");
        }
      }
    }
  }

  std::string_view s_;
  std::vector<Label>* out_;
  size_t pos_ = 0;
};

}  // namespace

absl::Status ParseLokiLabels(std::string_view text, std::vector<Label>* out) {
  out->clear();
  return LabelsParser(text, out).Parse();
}

}  // namespace vigil
