// Tokens and errors, the top level (with Loki's post-parse validation) and the public API.
#include "query/logql/syntax/parser.h"

#include <algorithm>

#include "common/strings.h"
#include "query/logql/syntax/parser_internal.h"
#include "common/go_text.h"

namespace vigil::logql {
namespace internal {

absl::Status MakeError(std::string_view input, const ParseError& e) {
  if (!e.positioned) return absl::InvalidArgumentError(StrCat("parse error : ", e.msg));
  int line = 1;
  int col = 1;
  size_t end = std::min(static_cast<size_t>(std::max(e.pos, 0)), input.size());
  for (size_t i = 0; i < end;) {
    if (input[i] == '\n') {
      ++line;
      col = 1;
      ++i;
      continue;
    }
    int w = 1;
    gotext::DecodeRune(input, i, &w);
    i += static_cast<size_t>(std::max(w, 1));
    ++col;
  }
  return absl::InvalidArgumentError(
      StrCat("parse error at line ", line, ", col ", col, ": ", e.msg));
}

const Token& Parser::Peek(size_t ahead) {
  while (ahead_.size() <= ahead) ahead_.push_back(lex_.Next());
  const Token& t = ahead_[ahead];
  if (ahead == 0 && t.kind == Tok::kError) FailAt(t.pos, lex_.error());
  return t;
}

Token Parser::Take() {
  Peek();
  Token t = std::move(ahead_.front());
  ahead_.pop_front();
  if (t.kind != Tok::kEof && t.kind != Tok::kError) last_end_ = t.end();
  return t;
}

void Parser::Unexpected(const Token& t, std::initializer_list<Tok> expecting) {
  if (t.kind == Tok::kError) {
    FailAt(t.pos, lex_.error());
    return;
  }
  std::string msg = StrCat("syntax error: unexpected ", TokenName(t.kind));
  std::vector<Tok> sorted(expecting);
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    StrAppend(&msg, i == 0 ? ", expecting " : " or ", TokenName(sorted[i]));
  }
  if (t.kind == Tok::kEof && t.pos == 0) {
    // Loki's lexer has no position before the first token.
    FailSemantic(std::move(msg));
    return;
  }
  FailAt(t.pos, std::move(msg));
}

bool Parser::Expect(Tok kind, Token* out) { return ExpectOneOf({kind}, out); }

bool Parser::ExpectOneOf(std::initializer_list<Tok> kinds, Token* out) {
  const Token& t = Peek();
  if (failed()) return false;
  if (std::find(kinds.begin(), kinds.end(), t.kind) == kinds.end()) {
    Unexpected(t, kinds);
    return false;
  }
  Token taken = Take();
  if (out != nullptr) *out = std::move(taken);
  return true;
}

void Parser::FailAt(int pos, std::string msg) {
  if (err_.set) return;
  err_ = ParseError{true, true, pos, std::move(msg)};
}

void Parser::FailSemantic(std::string msg) {
  if (err_.set) return;
  err_ = ParseError{true, false, 0, std::move(msg)};
}

void Parser::Defer(std::string msg) {
  if (deferred_.set) return;
  deferred_ = ParseError{true, false, 0, std::move(msg)};
}

bool Parser::EnterNesting() {
  ++nesting_;
  if (nesting_ <= kMaxNesting) return true;
  const Token& t = Peek();
  FailAt(t.pos, StrCat("expression nesting too deep (more than ", kMaxNesting, " levels)"));
  return false;
}

bool Parser::CheckDepth(int depth, int pos) {
  last_depth_ = depth;
  if (depth <= kMaxTreeDepth) return true;
  FailAt(pos, StrCat("expression nesting too deep (more than ", kMaxTreeDepth, " levels)"));
  return false;
}

ExprPtr Parser::ParseTop() {
  if (in_.size() >= kMaxQueryBytes) {
    FailSemantic(StrCat("input size too long (", in_.size(), " > ", kMaxQueryBytes, ")"));
    return nullptr;
  }
  ExprPtr e = ParseExpr(1);
  if (!e) return nullptr;
  const Token& end = Peek();
  if (failed()) return nullptr;
  if (end.kind != Tok::kEof) {
    Unexpected(end);
    return nullptr;
  }
  if (deferred_.set) {
    err_ = deferred_;
    return nullptr;
  }
  for (const LogSelectorExpr* sel : Selectors(*e)) {
    bool selective = false;
    for (const LabelMatcher& m : sel->matchers) selective = selective || !m.MatchesEmpty();
    if (!selective) {
      FailSemantic(std::string(kNeedsSelectiveMatcher));
      return nullptr;
    }
  }
  return e;
}

}  // namespace internal

absl::StatusOr<ExprPtr> ParseLogQL(std::string_view input) {
  internal::Parser p(input);
  ExprPtr e = p.ParseTop();
  if (!e) {
    internal::ParseError err = p.error();
    if (!err.set) err = internal::ParseError{true, false, 0, "unexpected error"};
    return internal::MakeError(input, err);
  }
  return e;
}

absl::StatusOr<std::unique_ptr<LogSelectorExpr>> ParseLogSelector(std::string_view input) {
  auto e = ParseLogQL(input);
  if (!e.ok()) return e.status();
  if ((*e)->kind != NodeKind::kLogSelector) {
    return absl::InvalidArgumentError("only log selector is supported");
  }
  return std::unique_ptr<LogSelectorExpr>(static_cast<LogSelectorExpr*>(e->release()));
}

}  // namespace vigil::logql
