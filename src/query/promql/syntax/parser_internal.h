// Internals shared by the parser's translation units (parser.cc, parser_selectors.cc,
// checker.cc). Not part of the module's API.
//
// The parser is a hand-written recursive-descent / precedence-climbing parser that follows
// Prometheus 2.42's yacc grammar, including where its error recovery reports errors: a syntax
// error is described by the innermost construct that has an error rule in the grammar (label
// matchers, grouping lists, brackets, offset, @, aggregations), else generically. Prometheus
// reports only the first error it records, and records them in parse order, so this parser
// stops at the first one.
//
// Thread-safety: a Parser is single-threaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "query/promql/syntax/ast.h"
#include "query/promql/syntax/lexer.h"

namespace vigil::promql::internal {

// Parser recursion (parentheses, calls, unary signs, right operands) and tree depth limits,
// so hostile input cannot exhaust the stack of the parser, checker, printer or destructor.
inline constexpr int kMaxNesting = 256;
inline constexpr int kMaxTreeDepth = 2048;
inline constexpr size_t kMaxQueryBytes = 4 << 20;
// The lowest binary operator precedence (`or`): a whole expression.
inline constexpr int kLowestPrec = 1;

// The first error found, at a byte offset of the query.
struct ParseError {
  bool set = false;
  int pos = 0;
  std::string msg;

  void Record(int at, std::string m) {
    if (set) return;
    set = true;
    pos = at;
    msg = std::move(m);
  }
};

// "<line>:<col>: parse error: <msg>", with line and column counted as Prometheus does (1-based,
// the column in bytes from the last newline before the position).
absl::Status MakeParseError(std::string_view input, int pos, std::string_view msg);

// Prometheus' checkAST: type checks the tree bottom-up and finalizes binary expressions'
// vector matching (removed unless both sides are vectors, many-to-many for set operators).
// Records the first problem in *err and returns false.
bool CheckAst(Expr* root, std::string_view input, ParseError* err);

class Parser {
 public:
  explicit Parser(std::string_view input) : in_(input), lex_(input) {}

  // The whole input as one expression (no type checking).
  ExprPtr ParseTop();
  // The whole input as one vector selector.
  std::unique_ptr<VectorSelector> ParseSelectorTop();

  ParseError& error() { return err_; }

 private:
  // Tokens.
  const Token& Peek();
  Token Take();
  void Unexpected(const Token& t, std::string_view context, std::string_view expected);
  // An unexpected token where the grammar has no specific error rule: described in the
  // enclosing aggregation's terms, if any.
  void SyntaxError(const Token& t);
  void Fail(int pos, std::string msg) { err_.Record(pos, std::move(msg)); }
  bool failed() const { return err_.set; }
  // Records the tree depth of a finished node; fails past kMaxTreeDepth.
  ExprPtr Finish(ExprPtr e, int depth);

  // Expressions (parser.cc).
  ExprPtr ParseBinary(int min_prec);
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParseAggregate(const Token& op);
  ExprPtr ParseCall(const Token& name);
  bool ParseCallBody(std::vector<ExprPtr>* args, int* max_depth, int* close_end);
  bool ParseGroupingLabels(std::vector<std::string>* labels, int* end);
  bool ParseBinModifiers(BinaryExpr* b);

  // Selectors, modifiers and literals (parser_selectors.cc).
  std::unique_ptr<VectorSelector> ParseVectorSelector(const Token* name);
  bool ParseLabelMatchers(VectorSelector* vs, int* end);
  ExprPtr ParsePostfix(ExprPtr e);
  ExprPtr ParseBracket(ExprPtr e, int depth);
  bool ParseOffset(Expr* e);
  bool ParseAt(Expr* e);
  bool ParseDurationTok(const Token& t, int64_t* ms);
  bool ParseNumberTok(const Token& t, double* v);
  ExprPtr NumberLiteralFrom(const Token& t);
  ExprPtr StringLiteralFrom(const Token& t);

  std::string_view in_;
  Lexer lex_;
  Token tok_;
  bool have_tok_ = false;
  ParseError err_;
  int agg_depth_ = 0;   // enclosing aggregations, for "... in aggregation" errors
  int nesting_ = 0;     // parser recursion
  int last_depth_ = 0;  // tree depth of the node returned last
};

}  // namespace vigil::promql::internal
