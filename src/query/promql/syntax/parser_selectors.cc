// Vector selectors, label matchers, range/subquery brackets, offset and @ modifiers, and
// literals: the parts of the parser that read a fixed token shape.
#include <cmath>

#include "common/labels.h"
#include "common/strings.h"
#include "common/go_text.h"
#include "query/promql/syntax/parser_internal.h"
#include "re2/re2.h"

namespace vigil::promql::internal {
namespace {

// Go's regexp/syntax wording for a regex error, as Prometheus reports matcher errors:
// "error parsing regexp: missing closing ): `^(?:()$`". RE2 and Go's parser share their
// design, so RE2's error code and argument map onto Go's.
std::string RegexErrorText(const RE2& re) {
  const char* what = "regexp/syntax: internal error";
  switch (re.error_code()) {
    case RE2::ErrorBadEscape:
      what = "invalid escape sequence";
      break;
    case RE2::ErrorBadCharClass:
      what = "invalid character class";
      break;
    case RE2::ErrorBadCharRange:
      what = "invalid character class range";
      break;
    case RE2::ErrorMissingBracket:
      what = "missing closing ]";
      break;
    case RE2::ErrorMissingParen:
      what = "missing closing )";
      break;
    case RE2::ErrorUnexpectedParen:
      what = "unexpected )";
      break;
    case RE2::ErrorTrailingBackslash:
      what = "trailing backslash at end of expression";
      break;
    case RE2::ErrorRepeatArgument:
      what = "missing argument to repetition operator";
      break;
    case RE2::ErrorRepeatSize:
      what = "invalid repeat count";
      break;
    case RE2::ErrorRepeatOp:
      what = "invalid nested repetition operator";
      break;
    case RE2::ErrorBadPerlOp:
      what = "invalid or unsupported Perl syntax";
      break;
    case RE2::ErrorBadUTF8:
      what = "invalid UTF-8";
      break;
    case RE2::ErrorBadNamedCapture:
      what = "invalid named capture";
      break;
    case RE2::ErrorPatternTooLarge:
      what = "expression too large";
      break;
    default:
      break;
  }
  std::string_view arg = re.error_arg();
  if (re.error_code() == RE2::ErrorBadUTF8) {
    // Go quotes the pattern from the first invalid byte on; RE2 gives no argument.
    std::string_view p = re.pattern();
    for (size_t i = 0; i < p.size();) {
      int w = 1;
      if (gotext::DecodeRune(p, i, &w) == gotext::kRuneError && w == 1) {
        arg = p.substr(i);
        break;
      }
      i += static_cast<size_t>(w);
    }
  }
  return StrCat("error parsing regexp: ", what, ": `", arg, "`");
}

// Prometheus compiles the anchored form, then parses the bare value, so a value such as
// `a)(b` (balanced only once anchored) fails on the second step. Returns "" when both work.
std::string RegexError(std::string_view value) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 anchored(StrCat("^(?:", value, ")$"), opts);
  if (anchored.ok()) {
    if (value.find(')') == std::string_view::npos) return "";
    RE2 bare(value, opts);
    if (bare.ok()) return "";
    return RegexErrorText(bare);
  }
  return RegexErrorText(anchored);
}

// timestamp.FromFloatSeconds; out-of-range conversions yield INT64_MIN as Go's do on amd64.
int64_t MillisFromSeconds(double s) {
  double x = std::round(s * 1000.0);
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(x);
}

}  // namespace

bool Parser::ParseDurationTok(const Token& t, int64_t* ms) {
  auto d = gotext::ParseDuration(t.text);
  if (!d.ok()) {
    Fail(t.pos, std::string(d.status().message()));
    return false;
  }
  if (*d == 0) {
    Fail(t.pos, "duration must be greater than 0");
    return false;
  }
  *ms = *d;
  return true;
}

bool Parser::ParseNumberTok(const Token& t, double* v) {
  auto n = gotext::ParseNumber(t.text);
  if (!n.ok()) {
    Fail(t.pos, StrCat("error parsing number: ", ToStd(n.status().message())));
    return false;
  }
  *v = *n;
  return true;
}

ExprPtr Parser::NumberLiteralFrom(const Token& t) {
  auto n = std::make_unique<NumberLiteral>();
  if (!ParseNumberTok(t, &n->value)) return nullptr;
  n->pos = {t.pos, t.end()};
  return Finish(std::move(n), 1);
}

ExprPtr Parser::StringLiteralFrom(const Token& t) {
  auto s = std::make_unique<StringLiteral>();
  auto v = gotext::Unquote(t.text);
  if (!v.ok()) {
    Fail(t.pos, StrCat("error unquoting string ", gotext::Quote(t.text), ": ",
                       ToStd(v.status().message())));
    return nullptr;
  }
  s->value = std::move(*v);
  s->pos = {t.pos, t.end()};
  return Finish(std::move(s), 1);
}

std::unique_ptr<VectorSelector> Parser::ParseVectorSelector(const Token* name) {
  auto vs = std::make_unique<VectorSelector>();
  int start = 0;
  int end = 0;
  if (name != nullptr) {
    vs->name = std::string(name->text);
    start = name->pos;
    end = name->end();
  }
  Token t = Peek();
  if (failed()) return nullptr;
  if (t.kind == Tok::kLeftBrace) {
    Take();
    if (name == nullptr) start = t.pos;
    if (!ParseLabelMatchers(vs.get(), &end)) return nullptr;
  }
  if (name != nullptr) {
    auto m = LabelMatcher::Make(MatchType::kEqual, kMetricName, vs->name);
    if (!m.ok()) {
      Fail(start, std::string(m.status().message()));
      return nullptr;
    }
    vs->matchers.insert(vs->matchers.begin(), std::move(*m));
  }
  vs->pos = {start, end};
  last_depth_ = 1;
  return vs;
}

bool Parser::ParseLabelMatchers(VectorSelector* vs, int* end) {
  Token t = Peek();
  if (failed()) return false;
  if (t.kind == Tok::kRightBrace) {
    Take();
    *end = t.end();
    return true;
  }
  while (true) {
    Token label = Peek();
    if (failed()) return false;
    if (label.kind != Tok::kIdentifier) {
      Unexpected(label, "label matching", "identifier or \"}\"");
      return false;
    }
    Take();
    Token op = Peek();
    if (failed()) return false;
    MatchType type;
    switch (op.kind) {
      case Tok::kEql:
        type = MatchType::kEqual;
        break;
      case Tok::kNeq:
        type = MatchType::kNotEqual;
        break;
      case Tok::kEqlRegex:
        type = MatchType::kRegexMatch;
        break;
      case Tok::kNeqRegex:
        type = MatchType::kRegexNoMatch;
        break;
      default:
        Unexpected(op, "label matching", "label matching operator");
        return false;
    }
    Take();
    Token value = Peek();
    if (failed()) return false;
    if (value.kind != Tok::kString) {
      Unexpected(value, "label matching", "string");
      return false;
    }
    Take();
    auto v = gotext::Unquote(value.text);
    if (!v.ok()) {
      Fail(value.pos, StrCat("error unquoting string ", gotext::Quote(value.text), ": ",
                             ToStd(v.status().message())));
      return false;
    }
    bool regex = type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch;
    auto m = LabelMatcher::Make(type, label.text, *v);
    std::string regex_error;
    if (regex && (!m.ok() || v->find(')') != std::string::npos)) regex_error = RegexError(*v);
    if (!m.ok() || !regex_error.empty()) {
      Fail(label.pos,
           !regex_error.empty() ? std::move(regex_error) : std::string(m.status().message()));
      return false;
    }
    vs->matchers.push_back(std::move(*m));
    t = Peek();
    if (failed()) return false;
    if (t.kind == Tok::kComma) {
      Take();
      Token next = Peek();
      if (failed()) return false;
      if (next.kind == Tok::kRightBrace) {
        Take();
        *end = next.end();
        return true;
      }
      continue;
    }
    if (t.kind == Tok::kRightBrace) {
      Take();
      *end = t.end();
      return true;
    }
    Unexpected(t, "label matching", "\",\" or \"}\"");
    return false;
  }
}

ExprPtr Parser::ParsePostfix(ExprPtr e) {
  int depth = last_depth_;
  while (true) {
    Tok t = Peek().kind;
    if (failed()) return nullptr;
    if (t == Tok::kLeftBracket) {
      e = ParseBracket(std::move(e), depth);
      if (!e) return nullptr;
      depth = last_depth_;
    } else if (t == Tok::kOffset) {
      if (!ParseOffset(e.get())) return nullptr;
    } else if (t == Tok::kAt) {
      if (!ParseAt(e.get())) return nullptr;
    } else {
      break;
    }
  }
  last_depth_ = depth;
  return e;
}

ExprPtr Parser::ParseBracket(ExprPtr e, int depth) {
  Token open = Take();
  Token t = Peek();
  if (failed()) return nullptr;
  if (t.kind != Tok::kDuration) {
    Unexpected(t, "subquery selector", "duration");
    return nullptr;
  }
  Take();
  int64_t range = 0;
  if (!ParseDurationTok(t, &range)) return nullptr;
  t = Peek();
  if (failed()) return nullptr;
  if (t.kind == Tok::kRightBracket) {
    Take();
    if (e->kind != NodeKind::kVectorSelector) {
      Fail(open.pos, "ranges only allowed for vector selectors");
      return nullptr;
    }
    auto* vs = static_cast<VectorSelector*>(e.get());
    if (vs->mods.offset_ms != 0) {
      Fail(open.pos, "no offset modifiers allowed before range");
      return nullptr;
    }
    if (vs->mods.at == AtKind::kTimestamp) {
      Fail(open.pos, "no @ modifiers allowed before range");
      return nullptr;
    }
    auto ms = std::make_unique<MatrixSelector>();
    ms->pos = {e->pos.start, t.end()};
    ms->range_ms = range;
    ms->selector.reset(static_cast<VectorSelector*>(e.release()));
    return Finish(std::move(ms), 2);
  }
  if (t.kind != Tok::kColon) {
    Unexpected(t, "subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  Take();
  int64_t step = 0;
  Token close = Peek();
  if (failed()) return nullptr;
  if (close.kind == Tok::kDuration) {
    Take();
    if (!ParseDurationTok(close, &step)) return nullptr;
    close = Peek();
    if (failed()) return nullptr;
    if (close.kind != Tok::kRightBracket) {
      Unexpected(close, "subquery selector", "\"]\"");
      return nullptr;
    }
  } else if (close.kind != Tok::kRightBracket) {
    Unexpected(close, "subquery selector", "duration or \"]\"");
    return nullptr;
  }
  Take();
  auto sq = std::make_unique<Subquery>();
  sq->pos = {e->pos.start, close.end()};
  sq->range_ms = range;
  sq->step_ms = step;
  sq->expr = std::move(e);
  return Finish(std::move(sq), depth + 1);
}

namespace {

// The time modifiers an offset or @ applies to, or nullptr for other expressions.
TimeModifiers* ModifiersOf(Expr* e) {
  switch (e->kind) {
    case NodeKind::kVectorSelector:
      return &static_cast<VectorSelector*>(e)->mods;
    case NodeKind::kMatrixSelector:
      return &static_cast<MatrixSelector*>(e)->selector->mods;
    case NodeKind::kSubquery:
      return &static_cast<Subquery*>(e)->mods;
    default:
      return nullptr;
  }
}

}  // namespace

bool Parser::ParseOffset(Expr* e) {
  Take();
  Token t = Peek();
  if (failed()) return false;
  bool negative = false;
  if (t.kind == Tok::kSub) {
    Take();
    negative = true;
    t = Peek();
    if (failed()) return false;
  }
  if (t.kind != Tok::kDuration) {
    Unexpected(t, "offset", "duration");
    return false;
  }
  Take();
  int64_t ms = 0;
  if (!ParseDurationTok(t, &ms)) return false;
  TimeModifiers* mods = ModifiersOf(e);
  if (mods == nullptr) {
    Fail(e->pos.start,
         "offset modifier must be preceded by an instant vector selector or range vector "
         "selector or a subquery");
    return false;
  }
  if (mods->offset_ms != 0) {
    Fail(e->pos.start, "offset may not be set multiple times");
    return false;
  }
  mods->offset_ms = negative ? -ms : ms;
  e->pos.end = t.end();
  return true;
}

bool Parser::ParseAt(Expr* e) {
  Take();
  Token t = Peek();
  if (failed()) return false;
  double ts = 0;
  AtKind kind = AtKind::kTimestamp;
  int end = 0;
  if (t.kind == Tok::kNumber) {
    Take();
    if (!ParseNumberTok(t, &ts)) return false;
    end = t.end();
  } else if (t.kind == Tok::kAdd || t.kind == Tok::kSub) {
    Take();
    Token n = Peek();
    if (failed()) return false;
    if (n.kind != Tok::kNumber) {
      Unexpected(n, "@", "timestamp");
      return false;
    }
    Take();
    if (!ParseNumberTok(n, &ts)) return false;
    if (t.kind == Tok::kSub) ts = -ts;
    end = n.end();
  } else if (t.kind == Tok::kStart || t.kind == Tok::kEnd) {
    Take();
    kind = t.kind == Tok::kStart ? AtKind::kStart : AtKind::kEnd;
    for (Tok want : {Tok::kLeftParen, Tok::kRightParen}) {
      Token n = Peek();
      if (failed()) return false;
      if (n.kind != want) {
        Unexpected(n, "@", "timestamp");
        return false;
      }
      Take();
      end = n.end();
    }
  } else {
    Unexpected(t, "@", "timestamp");
    return false;
  }
  if (kind == AtKind::kTimestamp &&
      (std::isnan(ts) || ts >= 9223372036854775808.0 || ts <= -9223372036854775808.0)) {
    Fail(e->pos.start,
         StrCat("timestamp out of bounds for @ modifier: ", gotext::FormatFixed(ts, 6)));
    return false;
  }
  TimeModifiers* mods = ModifiersOf(e);
  if (mods == nullptr) {
    Fail(e->pos.start,
         "@ modifier must be preceded by an instant vector selector or range vector selector "
         "or a subquery");
    return false;
  }
  if (mods->at != AtKind::kNone) {
    Fail(e->pos.start, "@ <timestamp> may not be set multiple times");
    return false;
  }
  mods->at = kind;
  if (kind == AtKind::kTimestamp) mods->at_ms = MillisFromSeconds(ts);
  e->pos.end = end;
  return true;
}

}  // namespace vigil::promql::internal
