// Log selectors, range aggregations with their log ranges, pipelines, line filters and
// unwrap.
#include <algorithm>

#include "common/strings.h"
#include "query/logql/syntax/parser_internal.h"
#include "common/go_text.h"

namespace vigil::logql::internal {
namespace {

bool RangeOpFrom(Tok t, RangeOp* op) {
  switch (t) {
    case Tok::kCountOverTime:
      *op = RangeOp::kCountOverTime;
      return true;
    case Tok::kRate:
      *op = RangeOp::kRate;
      return true;
    case Tok::kRateCounter:
      *op = RangeOp::kRateCounter;
      return true;
    case Tok::kBytesOverTime:
      *op = RangeOp::kBytesOverTime;
      return true;
    case Tok::kBytesRate:
      *op = RangeOp::kBytesRate;
      return true;
    case Tok::kAbsentOverTime:
      *op = RangeOp::kAbsentOverTime;
      return true;
    case Tok::kSumOverTime:
      *op = RangeOp::kSumOverTime;
      return true;
    case Tok::kAvgOverTime:
      *op = RangeOp::kAvgOverTime;
      return true;
    case Tok::kMaxOverTime:
      *op = RangeOp::kMaxOverTime;
      return true;
    case Tok::kMinOverTime:
      *op = RangeOp::kMinOverTime;
      return true;
    case Tok::kFirstOverTime:
      *op = RangeOp::kFirstOverTime;
      return true;
    case Tok::kLastOverTime:
      *op = RangeOp::kLastOverTime;
      return true;
    case Tok::kStdvarOverTime:
      *op = RangeOp::kStdvarOverTime;
      return true;
    case Tok::kStddevOverTime:
      *op = RangeOp::kStddevOverTime;
      return true;
    case Tok::kQuantileOverTime:
      *op = RangeOp::kQuantileOverTime;
      return true;
    default:
      return false;
  }
}

bool LineFilterOpFrom(Tok t, LineFilterOp* op) {
  switch (t) {
    case Tok::kPipeExact:
      *op = LineFilterOp::kContains;
      return true;
    case Tok::kNeq:
      *op = LineFilterOp::kNotContains;
      return true;
    case Tok::kPipeMatch:
      *op = LineFilterOp::kMatch;
      return true;
    case Tok::kNre:
      *op = LineFilterOp::kNotMatch;
      return true;
    case Tok::kPipePattern:
      *op = LineFilterOp::kPattern;
      return true;
    case Tok::kNpa:
      *op = LineFilterOp::kNotPattern;
      return true;
    default:
      return false;
  }
}

}  // namespace

std::unique_ptr<LogSelectorExpr> Parser::ParseSelector() {
  auto sel = std::make_unique<LogSelectorExpr>();
  Token open;
  if (!Expect(Tok::kOpenBrace, &open)) return nullptr;
  sel->pos.start = open.pos;
  if (Peek().kind == Tok::kCloseBrace) {
    Take();
    sel->pos.end = last_end_;
    return sel;
  }
  if (Peek().kind != Tok::kIdentifier) {
    Unexpected(Peek(), {Tok::kIdentifier, Tok::kCloseBrace});
    return nullptr;
  }
  while (true) {
    Token name;
    Token op;
    Token value;
    if (!Expect(Tok::kIdentifier, &name) ||
        !ExpectOneOf({Tok::kEq, Tok::kNeq, Tok::kRe, Tok::kNre}, &op) ||
        !Expect(Tok::kString, &value)) {
      return nullptr;
    }
    MatchType type = op.kind == Tok::kEq    ? MatchType::kEqual
                     : op.kind == Tok::kNeq ? MatchType::kNotEqual
                     : op.kind == Tok::kRe  ? MatchType::kRegexMatch
                                            : MatchType::kRegexNoMatch;
    auto m = MakeMatcher(type, name.text, value.str);
    if (!m.ok()) {
      FailSemantic(std::string(m.status().message()));
      return nullptr;
    }
    sel->matchers.push_back(std::move(*m));
    const Token& t = Peek();
    if (t.kind == Tok::kCloseBrace) {
      Take();
      break;
    }
    if (t.kind != Tok::kComma) {
      Unexpected(t, {Tok::kCloseBrace, Tok::kComma});
      return nullptr;
    }
    Take();
  }
  sel->pos.end = last_end_;
  return sel;
}

ExprPtr Parser::ParseLogQuery() {
  std::unique_ptr<LogSelectorExpr> sel = ParseSelector();
  if (!sel || !ParsePipeline(sel.get(), /*allow_unwrap=*/false)) return nullptr;
  sel->pos.end = last_end_;
  last_depth_ = 1;
  return sel;
}

ExprPtr Parser::ParseRangeAggregation() {
  auto r = std::make_unique<RangeAggregationExpr>();
  Token op = Take();
  RangeOpFrom(op.kind, &r->op);
  r->pos.start = op.pos;
  if (!Expect(Tok::kOpenParen)) return nullptr;
  std::optional<Token> param;
  if (Peek().kind == Tok::kNumber) {
    param = Take();
    if (!Expect(Tok::kComma)) return nullptr;
  }
  if (!ParseLogRange(r.get())) return nullptr;
  if (!Expect(Tok::kCloseParen)) return nullptr;
  Tok k = Peek().kind;
  if (k == Tok::kBy || k == Tok::kWithout) {
    r->grouping.emplace();
    if (!ParseGrouping(&*r->grouping)) return nullptr;
  }
  if (failed()) return nullptr;
  r->pos.end = last_end_;
  const char* name = RangeOpName(r->op);
  // Loki's checks, in Loki's order: the parameter, then the grouping and unwrap rules.
  std::string err;
  if (param) {
    if (r->op != RangeOp::kQuantileOverTime) {
      err = StrCat("parameter ", param->text, " not supported for operation ", name);
    } else if (auto v = ParseGoFloat(param->text); !v.ok()) {
      err = StrCat("invalid parameter for operation ", name, ": ", v.status().message());
    } else {
      r->param = *v;
    }
  } else if (r->op == RangeOp::kQuantileOverTime) {
    err = StrCat("parameter required for operation ", name);
  }
  if (err.empty()) err = CheckRangeAggregation(*r);
  if (!err.empty()) Defer(std::move(err));
  last_depth_ = 1;
  return r;
}

// logRangeExpr: `sel [pipeline] [unwrap] [range] [offset]`, `sel [range] [offset] [pipeline]
// [unwrap]`, `(sel [pipeline] [unwrap]) [range] [offset]`, or any of them in parentheses.
bool Parser::ParseLogRange(RangeAggregationExpr* r) {
  bool ok = EnterNesting();
  NestingGuard guard(&nesting_);
  if (!ok) return false;
  const Token& t = Peek();
  if (failed()) return false;
  if (t.kind == Tok::kOpenParen) {
    Take();
    if (Peek().kind == Tok::kOpenParen) {
      if (!ParseLogRange(r)) return false;
      return Expect(Tok::kCloseParen);
    }
    r->selector = ParseSelector();
    if (!r->selector || !ParsePipeline(r->selector.get(), /*allow_unwrap=*/true)) return false;
    r->selector->pos.end = last_end_;
    if (Peek().kind == Tok::kRange) {
      if (!ParseRangeTail(r)) return false;
      return Expect(Tok::kCloseParen);
    }
    if (Peek().kind != Tok::kCloseParen) {
      Unexpected(Peek());
      return false;
    }
    Take();
    Token range;
    if (!Expect(Tok::kRange, &range)) return false;
    r->range_ns = range.duration_ns;
    if (Peek().kind == Tok::kOffset) {
      Take();
      Token d;
      if (!Expect(Tok::kDuration, &d)) return false;
      r->offset_ns = d.duration_ns;
    }
    return !failed();
  }
  if (t.kind != Tok::kOpenBrace) {
    Unexpected(t, {Tok::kOpenBrace, Tok::kOpenParen});
    return false;
  }
  r->selector = ParseSelector();
  if (!r->selector || !ParsePipeline(r->selector.get(), /*allow_unwrap=*/true)) return false;
  r->selector->pos.end = last_end_;
  if (Peek().kind != Tok::kRange) {
    Unexpected(Peek());
    return false;
  }
  return ParseRangeTail(r);
}

// `[range] [offset d]`, then the pipeline when none came before the range.
bool Parser::ParseRangeTail(RangeAggregationExpr* r) {
  r->range_ns = Take().duration_ns;
  if (Peek().kind == Tok::kOffset) {
    Take();
    Token d;
    if (!Expect(Tok::kDuration, &d)) return false;
    r->offset_ns = d.duration_ns;
  }
  LogSelectorExpr* sel = r->selector.get();
  if (sel->pipeline.empty() && !sel->unwrap) {
    if (!ParsePipeline(sel, /*allow_unwrap=*/true)) return false;
  }
  return !failed();
}

bool Parser::ParsePipeline(LogSelectorExpr* sel, bool allow_unwrap) {
  while (true) {
    const Token& t = Peek();
    if (failed()) return false;
    LineFilterOp op;
    if (LineFilterOpFrom(t.kind, &op)) {
      if (!ParseLineFilter(sel)) return false;
      continue;
    }
    if (t.kind != Tok::kPipe) return true;
    if (Peek(1).kind == Tok::kUnwrap) {
      if (!allow_unwrap) {
        Take();
        Unexpected(Peek());
        return false;
      }
      return ParseUnwrap(sel);
    }
    if (!ParseStage(sel)) return false;
  }
}

bool Parser::ParseLineFilter(LogSelectorExpr* sel) {
  LineFilter f;
  LineFilterOpFrom(Take().kind, &f.op);
  auto value = [&]() {
    const Token& t = Peek();
    if (t.kind == Tok::kString) {
      f.values.push_back(LineFilterValue{Take().str, false, nullptr});
      return true;
    }
    if (t.kind == Tok::kIp) {
      Take();
      Token s;
      if (!Expect(Tok::kOpenParen) || !Expect(Tok::kString, &s) || !Expect(Tok::kCloseParen)) {
        return false;
      }
      f.values.push_back(LineFilterValue{std::move(s.str), true, nullptr});
      return true;
    }
    Unexpected(t, {Tok::kString, Tok::kIp});
    return false;
  };
  if (!value()) return false;
  // In Loki's grammar an ip() alternative ends an `or` chain (it may only start one).
  while (Peek().kind == Tok::kOr && !(f.values.size() > 1 && f.values.back().is_ip)) {
    Take();
    if (!value()) return false;
  }
  if (failed()) return false;
  for (LineFilterValue& v : f.values) {
    std::string stage = StrCat(LineFilterOpName(f.op), " ", v.is_ip ? "ip(" : "",
                               gotext::Quote(v.value), v.is_ip ? ")" : "");
    if (v.is_ip) {
      if (f.op != LineFilterOp::kContains && f.op != LineFilterOp::kNotContains) {
        Defer(StrCat("stage '", stage, "' : ip line filter supports only |= and !="));
      }
    } else if (f.op == LineFilterOp::kMatch || f.op == LineFilterOp::kNotMatch) {
      auto re = CompileGoRegexp(v.value, /*anchored=*/false);
      if (re.ok()) {
        v.re = *re;
      } else {
        Defer(StrCat("stage '", stage, "' : ", re.status().message()));
      }
    }
  }
  sel->pipeline.emplace_back(std::move(f));
  return true;
}

bool Parser::ParseUnwrap(LogSelectorExpr* sel) {
  Take();  // |
  Take();  // unwrap
  Unwrap u;
  const Token& t = Peek();
  if (failed()) return false;
  switch (t.kind) {
    case Tok::kIdentifier:
      u.label = std::string(Take().text);
      break;
    case Tok::kBytesConv:
    case Tok::kDurationConv:
    case Tok::kDurationSecondsConv: {
      Tok conv = Take().kind;
      u.conversion = conv == Tok::kBytesConv      ? UnwrapConversion::kBytes
                     : conv == Tok::kDurationConv ? UnwrapConversion::kDuration
                                                  : UnwrapConversion::kDurationSeconds;
      Token name;
      if (!Expect(Tok::kOpenParen) || !Expect(Tok::kIdentifier, &name) ||
          !Expect(Tok::kCloseParen)) {
        return false;
      }
      u.label = std::string(name.text);
      break;
    }
    default:
      Unexpected(
          t, {Tok::kIdentifier, Tok::kBytesConv, Tok::kDurationConv, Tok::kDurationSecondsConv});
      return false;
  }
  while (Peek().kind == Tok::kPipe) {
    Take();
    LabelFilter f;
    if (!ParseLabelFilter(&f)) return false;
    u.post_filters.push_back(std::move(f));
  }
  sel->unwrap = std::move(u);
  return !failed();
}

}  // namespace vigil::logql::internal
