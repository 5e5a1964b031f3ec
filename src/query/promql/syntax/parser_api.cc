// The parser's entry points: the public API, the top-level rules (an expression or a series
// selector spanning the whole input) and Prometheus' error formatting.
#include "common/strings.h"
#include "common/go_text.h"
#include "query/promql/syntax/parser.h"
#include "query/promql/syntax/parser_internal.h"

namespace vigil::promql {
namespace internal {

absl::Status MakeParseError(std::string_view input, int pos, std::string_view msg) {
  if (pos < 0 || static_cast<size_t>(pos) > input.size()) {
    return absl::InvalidArgumentError(StrCat("invalid position: parse error: ", msg));
  }
  int line = 1;
  int last_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (input[static_cast<size_t>(i)] == '\n') {
      ++line;
      last_break = i;
    }
  }
  return absl::InvalidArgumentError(StrCat(line, ":", pos - last_break, ": parse error: ", msg));
}

ExprPtr Parser::ParseTop() {
  if (in_.size() > kMaxQueryBytes) {
    Fail(0, StrCat("query too long (", in_.size(), " bytes, the limit is ", kMaxQueryBytes, ")"));
    return nullptr;
  }
  const Token& t = Peek();
  if (failed()) return nullptr;
  if (t.kind == Tok::kEof) {
    Fail(0, "no expression found in input");
    return nullptr;
  }
  ExprPtr e = ParseBinary(kLowestPrec);
  if (!e) return nullptr;
  const Token& end = Peek();
  if (failed()) return nullptr;
  if (end.kind != Tok::kEof) {
    SyntaxError(end);
    return nullptr;
  }
  return e;
}

std::unique_ptr<VectorSelector> Parser::ParseSelectorTop() {
  if (in_.size() > kMaxQueryBytes) {
    Fail(0, StrCat("query too long (", in_.size(), " bytes, the limit is ", kMaxQueryBytes, ")"));
    return nullptr;
  }
  Token t = Peek();
  if (failed()) return nullptr;
  std::unique_ptr<VectorSelector> vs;
  if (t.kind == Tok::kLeftBrace) {
    vs = ParseVectorSelector(nullptr);
  } else if (IsMetricIdentifierTok(t.kind)) {
    Take();
    vs = ParseVectorSelector(&t);
  } else {
    Unexpected(t, "", "");
    return nullptr;
  }
  if (!vs) return nullptr;
  const Token& end = Peek();
  if (failed()) return nullptr;
  if (end.kind != Tok::kEof) {
    Unexpected(end, "", "");
    return nullptr;
  }
  return vs;
}

}  // namespace internal

absl::StatusOr<ExprPtr> ParseExpr(std::string_view input) {
  internal::Parser p(input);
  ExprPtr e = p.ParseTop();
  internal::ParseError& err = p.error();
  if (!e) err.Record(0, "unexpected error");  // no-op when an error is recorded, as it is
  if (!err.set) internal::CheckAst(e.get(), input, &err);
  if (err.set) return internal::MakeParseError(input, err.pos, err.msg);
  return e;
}

absl::StatusOr<std::unique_ptr<VectorSelector>> ParseMetricSelector(std::string_view input) {
  internal::Parser p(input);
  std::unique_ptr<VectorSelector> vs = p.ParseSelectorTop();
  internal::ParseError& err = p.error();
  if (!vs) err.Record(0, "unexpected error");
  if (err.set) return internal::MakeParseError(input, err.pos, err.msg);
  return vs;
}

absl::StatusOr<std::string> UnquotePromString(std::string_view literal) {
  return gotext::Unquote(literal);
}

}  // namespace vigil::promql
