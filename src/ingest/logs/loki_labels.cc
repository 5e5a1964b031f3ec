#include "ingest/logs/loki_labels.h"

#include "common/go_text.h"
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

  // A Go string literal, "…" with escapes or `…` raw, as Prometheus' label syntax has it.
  absl::Status Value(std::string* out) {
    const size_t start = pos_;
    char q = Peek();
    if (q != '"' && q != '`') return Error("expected a quoted label value");
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (q == '"' && s_[pos_] == '\\') ++pos_;  // the escaped character never closes
      if (q == '"' && pos_ < s_.size() && s_[pos_] == '\n') return Error("newline in string");
      ++pos_;
    }
    if (pos_ >= s_.size()) {
      pos_ = start;
      return Error("unterminated string");
    }
    ++pos_;
    auto v = gotext::Unquote(s_.substr(start, pos_ - start));
    if (!v.ok()) {
      pos_ = start;
      return Error("invalid escape in label value");
    }
    *out = std::move(*v);
    return absl::OkStatus();
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
