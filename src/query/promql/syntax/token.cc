// Token classes as the grammar uses them, and Prometheus' descriptions of tokens in errors.
#include "common/strings.h"
#include "common/go_text.h"
#include "query/promql/syntax/lexer.h"

namespace vigil::promql {
namespace {

bool IsKeywordTok(Tok t) { return t >= Tok::kBool && t <= Tok::kWithout; }
bool IsOperatorTok(Tok t) { return t >= Tok::kAdd && t <= Tok::kAt; }

}  // namespace

bool IsAggregatorTok(Tok t) { return t >= Tok::kAvg && t <= Tok::kTopk; }

bool IsMetricIdentifierTok(Tok t) {
  switch (t) {
    case Tok::kIdentifier:
    case Tok::kMetricIdentifier:
    case Tok::kBy:
    case Tok::kWithout:
    case Tok::kOffset:
    case Tok::kLand:
    case Tok::kLor:
    case Tok::kLunless:
    case Tok::kStart:
    case Tok::kEnd:
      return true;
    default:
      return IsAggregatorTok(t);
  }
}

bool StartsExpr(Tok t) {
  switch (t) {
    case Tok::kNumber:
    case Tok::kString:
    case Tok::kLeftParen:
    case Tok::kLeftBrace:
    case Tok::kAdd:
    case Tok::kSub:
      return true;
    default:
      return IsMetricIdentifierTok(t);
  }
}

bool IsMaybeLabelTok(Tok t) {
  switch (t) {
    case Tok::kBool:
    case Tok::kGroupLeft:
    case Tok::kGroupRight:
    case Tok::kIgnoring:
    case Tok::kOn:
    case Tok::kAtan2:
      return true;
    case Tok::kWithout:  // the grammar's label list leaves it out
      return false;
    default:
      return IsMetricIdentifierTok(t);
  }
}

std::string TokenDesc(const Token& t) {
  switch (t.kind) {
    case Tok::kEof:
      return "end of input";
    case Tok::kError:
      return "error";
    case Tok::kIdentifier:
      return StrCat("identifier ", gotext::Quote(t.text));
    case Tok::kMetricIdentifier:
      return StrCat("metric identifier ", gotext::Quote(t.text));
    case Tok::kNumber:
    case Tok::kString:
    case Tok::kDuration: {
      const char* what =
          t.kind == Tok::kNumber ? "number " : (t.kind == Tok::kString ? "string " : "duration ");
      if (t.text.size() > 10) return StrCat(what, gotext::QuotePrefix(t.text, 10), "...");
      return StrCat(what, gotext::Quote(t.text));
    }
    case Tok::kAt:
      // Prometheus has no display name for `@`, so its description falls back to the
      // token's number.
      return "\"<Item 57385>\" <op:@>";
    default:
      break;
  }
  if (IsKeywordTok(t.kind)) return StrCat("<", t.text, ">");
  if (IsOperatorTok(t.kind)) return StrCat("<op:", t.text, ">");
  if (IsAggregatorTok(t.kind)) return StrCat("<aggr:", t.text, ">");
  return gotext::Quote(t.text);
}

}  // namespace vigil::promql
