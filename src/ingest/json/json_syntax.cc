#include "ingest/json/json_syntax.h"

#include <cstring>

#include <bitset>

#include "common/strings.h"

namespace vigil {
namespace {

class SyntaxChecker {
 public:
  explicit SyntaxChecker(std::string_view s) : s_(s) {}

  bool Run(std::string* error) {
    enum State { kValue, kKey, kAfterValue };
    State state = kValue;
    SkipSpace();
    while (true) {
      if (state == kValue) {
        if (i_ >= s_.size()) return Fail("expected a value", error);
        char c = s_[i_];
        if (c == '{' || c == '[') {
          if (depth_ == kMaxJsonDepth) return Fail("containers nested too deeply", error);
          is_object_[depth_++] = c == '{';
          ++i_;
          SkipSpace();
          if (i_ < s_.size() && s_[i_] == (c == '{' ? '}' : ']')) {
            --depth_;
            ++i_;
            state = kAfterValue;
          } else {
            state = c == '{' ? kKey : kValue;
          }
          continue;
        }
        if (c == '"') {
          if (!String(error)) return false;
        } else if (c == 't' || c == 'f' || c == 'n') {
          std::string_view lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
          if (s_.substr(i_, lit.size()) != lit) return Fail("invalid literal", error);
          i_ += lit.size();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
          if (!Number(error)) return false;
        } else {
          return Fail("expected a value", error);
        }
        state = kAfterValue;
        continue;
      }
      if (state == kKey) {
        if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a string key", error);
        if (!String(error)) return false;
        SkipSpace();
        if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'", error);
        ++i_;
        SkipSpace();
        state = kValue;
        continue;
      }
      // kAfterValue
      SkipSpace();
      if (depth_ == 0) {
        if (i_ != s_.size()) return Fail("unexpected content after the JSON value", error);
        return true;
      }
      const bool object = is_object_[depth_ - 1];
      if (i_ >= s_.size())
        return Fail(object ? "expected ',' or '}'" : "expected ',' or ']'", error);
      char c = s_[i_];
      if (c == ',') {
        ++i_;
        SkipSpace();
        state = object ? kKey : kValue;
      } else if (c == (object ? '}' : ']')) {
        ++i_;
        --depth_;
      } else {
        return Fail(object ? "expected ',' or '}'" : "expected ',' or ']'", error);
      }
    }
  }

 private:
  bool Fail(std::string_view what, std::string* error) const {
    *error = StrCat(what, " at byte ", i_);
    return false;
  }

  void SkipSpace() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  static bool IsHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  bool String(std::string* error) {
    const size_t start = i_++;
    // The next quote at or after i_, found again only once an escape has stepped past it, so
    // a string full of escapes is still scanned once.
    const char* q = nullptr;
    bool q_valid = false;
    while (i_ < s_.size()) {
      // Jump to the next quote or backslash: glibc's memchr is vectorised, and strings are
      // most of a log line's bytes.
      const char* p = s_.data() + i_;
      const size_t n = s_.size() - i_;
      if (!q_valid || (q != nullptr && q < p)) {
        q = static_cast<const char*>(std::memchr(p, '"', n));
        q_valid = true;
      }
      const size_t span = q ? static_cast<size_t>(q - p) : n;
      const char* b = static_cast<const char*>(std::memchr(p, '\\', span));
      if (b == nullptr) {
        if (q == nullptr) break;
        i_ += span + 1;
        return true;
      }
      i_ += static_cast<size_t>(b - p);
      if (i_ + 1 >= s_.size()) break;
      char e = s_[i_ + 1];
      if (e == 'u') {
        for (size_t k = 2; k < 6; ++k) {
          if (i_ + k >= s_.size() || !IsHex(s_[i_ + k])) return Fail("invalid \\u escape", error);
        }
        i_ += 6;
      } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
        i_ += 2;
      } else {
        return Fail("invalid escape sequence", error);
      }
    }
    i_ = start;
    return Fail("unterminated string", error);
  }

  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  bool Number(std::string* error) {
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (!Digits()) {
      return Fail("invalid number", error);
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!Digits()) return Fail("invalid number", error);
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!Digits()) return Fail("invalid number", error);
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  size_t depth_ = 0;
  std::bitset<kMaxJsonDepth> is_object_;
};

}  // namespace

bool CheckJsonSyntax(std::string_view text, std::string* error) {
  return SyntaxChecker(text).Run(error);
}

bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start) return false;
  if (i < s.size() && s[i] == '.') {
    size_t f = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == e) return false;
  }
  return i == s.size();
}

}  // namespace vigil
