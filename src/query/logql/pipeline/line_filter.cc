#include "query/logql/pipeline/line_filter.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "common/strings.h"
#include "query/logql/pipeline/pattern.h"
#include "re2/re2.h"

namespace vigil::logql::pipeline {
namespace {

// Needles at least this long are searched with Boyer-Moore-Horspool; shorter ones with
// string_view::find (memchr on the first byte), which wins for short needles.
constexpr size_t kBmhMinNeedle = 8;

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// `needle` must be lower case.
bool ContainsFold(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  const char first = needle[0];
  const char first_upper = first >= 'a' && first <= 'z' ? static_cast<char>(first - 32) : first;
  const size_t last = hay.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (hay[i] != first && hay[i] != first_upper) continue;
    size_t k = 1;
    while (k < needle.size() && AsciiLower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

struct Literal {
  std::string text;
  bool fold = false;
};

// The literal alternatives a regex is equivalent to (for unanchored search), or nullopt.
std::optional<std::vector<Literal>> LiteralAlternatives(std::string_view re) {
  bool fold = false;
  if (re.starts_with("(?i)")) {
    fold = true;
    re.remove_prefix(4);
  }
  std::vector<Literal> out;
  // Tokens: a literal byte (escaped or not) or a metacharacter.
  struct Tok {
    char c;
    bool meta;
  };
  std::vector<Tok> toks;
  auto flush = [&]() -> bool {
    size_t b = 0, e = toks.size();
    // Unanchored search makes a leading or trailing `.*` a no-op.
    while (e - b >= 2 && toks[b].meta && toks[b].c == '.' && toks[b + 1].meta &&
           toks[b + 1].c == '*')
      b += 2;
    while (e - b >= 2 && toks[e - 2].meta && toks[e - 2].c == '.' && toks[e - 1].meta &&
           toks[e - 1].c == '*')
      e -= 2;
    Literal lit;
    lit.fold = fold;
    for (size_t k = b; k < e; ++k) {
      if (toks[k].meta) return false;
      const auto u = static_cast<unsigned char>(toks[k].c);
      if (fold && u >= 0x80) return false;  // non-ASCII case folding is left to RE2
      lit.text.push_back(fold ? AsciiLower(toks[k].c) : toks[k].c);
    }
    out.push_back(std::move(lit));
    toks.clear();
    return true;
  };
  static constexpr std::string_view kMeta = ".[]{}()*+?^$";
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) return std::nullopt;
      const char e = re[i + 1];
      const bool punct = (e >= '!' && e <= '/') || (e >= ':' && e <= '@') ||
                         (e >= '[' && e <= '`') || (e >= '{' && e <= '~');
      if (!punct) return std::nullopt;  // \d, \w, \b, \Q... are not literals
      toks.push_back(Tok{e, false});
      ++i;
    } else if (c == '|') {
      if (!flush()) return std::nullopt;
    } else {
      toks.push_back(Tok{c, kMeta.find(c) != std::string_view::npos});
    }
  }
  if (!flush()) return std::nullopt;
  return out;
}

}  // namespace

struct LineFilter::Impl {
  struct Alt {
    enum class Kind { kLiteral, kFold, kRegex, kPattern } kind = Kind::kLiteral;
    std::string text;
    std::optional<std::boyer_moore_horspool_searcher<const char*>> bmh;
    std::unique_ptr<RE2> re;
    std::optional<Pattern> pattern;
  };
  bool negate = false;
  bool match_all = false;  // an empty alternative: every line contains ""
  std::vector<Alt> alts;

  bool AltMatches(const Alt& a, std::string_view line) const {
    switch (a.kind) {
      case Alt::Kind::kLiteral:
        if (a.bmh) {
          return std::search(line.data(), line.data() + line.size(), *a.bmh) !=
                 line.data() + line.size();
        }
        return line.find(a.text) != std::string_view::npos;
      case Alt::Kind::kFold:
        return ContainsFold(line, a.text);
      case Alt::Kind::kRegex:
        return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *a.re);
      case Alt::Kind::kPattern:
        return a.pattern->Test(line);
    }
    return false;
  }

  bool AnyMatches(std::string_view line) const {
    if (match_all) return true;
    for (const Alt& a : alts) {
      if (AltMatches(a, line)) return true;
    }
    return false;
  }
};

absl::StatusOr<LineFilter> LineFilter::Make(LineFilterOp op, std::vector<std::string> values) {
  if (values.empty()) return absl::InvalidArgumentError("line filter without a value");
  auto impl = std::make_shared<Impl>();
  impl->negate = op == LineFilterOp::kNotContains || op == LineFilterOp::kNotRegex ||
                 op == LineFilterOp::kNotPattern;
  using Kind = Impl::Alt::Kind;
  for (std::string& v : values) {
    switch (op) {
      case LineFilterOp::kContains:
      case LineFilterOp::kNotContains: {
        if (v.empty()) impl->match_all = true;
        Impl::Alt a;
        a.kind = Kind::kLiteral;
        a.text = std::move(v);
        impl->alts.push_back(std::move(a));
        break;
      }
      case LineFilterOp::kRegex:
      case LineFilterOp::kNotRegex: {
        RE2::Options opts;
        opts.set_log_errors(false);
        auto re = std::make_unique<RE2>(v, opts);
        if (!re->ok()) {
          return absl::InvalidArgumentError(
              StrCat("invalid regular expression ", QuoteString(v), ": ", re->error()));
        }
        if (std::optional<std::vector<Literal>> lits = LiteralAlternatives(v)) {
          for (Literal& l : *lits) {
            if (l.text.empty()) impl->match_all = true;
            Impl::Alt a;
            a.kind = l.fold ? Kind::kFold : Kind::kLiteral;
            a.text = std::move(l.text);
            impl->alts.push_back(std::move(a));
          }
        } else {
          Impl::Alt a;
          a.kind = Kind::kRegex;
          a.re = std::move(re);
          impl->alts.push_back(std::move(a));
        }
        break;
      }
      case LineFilterOp::kPattern:
      case LineFilterOp::kNotPattern: {
        absl::StatusOr<Pattern> p = Pattern::Parse(v, false);
        if (!p.ok()) return p.status();
        Impl::Alt a;
        a.kind = Kind::kPattern;
        a.pattern = std::move(*p);
        impl->alts.push_back(std::move(a));
        break;
      }
    }
  }
  // Searchers point into the needles, so they are built once the vector no longer moves.
  for (Impl::Alt& a : impl->alts) {
    if (a.kind == Kind::kLiteral && a.text.size() >= kBmhMinNeedle) {
      a.bmh.emplace(a.text.data(), a.text.data() + a.text.size());
    }
  }
  LineFilter f;
  f.impl_ = std::move(impl);
  return f;
}

bool LineFilter::Matches(std::string_view line) const {
  return impl_->AnyMatches(line) != impl_->negate;
}

bool LineFilter::IsLiteralOnly() const {
  for (const Impl::Alt& a : impl_->alts) {
    if (a.kind == Impl::Alt::Kind::kRegex || a.kind == Impl::Alt::Kind::kPattern) return false;
  }
  return true;
}

}  // namespace vigil::logql::pipeline
