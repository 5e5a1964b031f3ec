// Internals shared by the parser's translation units (parser.cc, parser_metric.cc,
// parser_log.cc, parser_filters.cc, parser_stages.cc, validate.cc). Not part of the API.
//
// The parser is a hand-written recursive-descent / precedence-climbing parser that accepts
// what Loki's yacc grammar accepts and reports errors the way Loki does:
// - syntax and lexical errors stop parsing at once and carry the position of the offending
//   token ("parse error at line 1, col 12: syntax error: unexpected ..."), with Loki's
//   "expecting A or B" list where the grammar allows few tokens there;
// - semantic errors Loki raises while building a node (bad matcher regex, invalid `regexp` or
//   `pattern` parser) also stop at once, without a position ("parse error : ...");
// - the other semantic errors (aggregation parameters, unwrap rules, operand types) are
//   deferred: the first one is reported only if the whole query parses, as in Loki.
//
// Thread-safety: a Parser is single-threaded.
#pragma once

#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "query/logql/syntax/ast.h"
#include "query/logql/syntax/lexer.h"

namespace vigil::logql::internal {

// Bounds for hostile input: parser recursion (parentheses, nested aggregations, right
// operands), depth of expression and label-filter trees, query size (Loki's limit).
inline constexpr int kMaxNesting = 256;
inline constexpr int kMaxTreeDepth = 1024;
inline constexpr size_t kMaxQueryBytes = 131072;

inline constexpr std::string_view kNeedsSelectiveMatcher =
    "queries require at least one regexp or equality matcher that does not have an "
    "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
    "app=~\".+\" will";

// The error a parse ends with.
struct ParseError {
  bool set = false;
  bool positioned = false;  // false: Loki's "parse error : <msg>" form
  int pos = 0;
  std::string msg;
};

// "parse error at line L, col C: msg" (column counted in characters, both 1-based) or
// "parse error : msg".
absl::Status MakeError(std::string_view input, const ParseError& e);

// ---- Validation helpers (validate.cc) ----
// Loki's regexp parser rules; the error reads "invalid regexp parser: ...".
absl::StatusOr<std::shared_ptr<const RE2>> CompileRegexpParser(const std::string& regex);
// Loki's pattern parser rules; the error reads "invalid pattern parser: ...".
absl::Status SplitPattern(std::string_view pattern, std::vector<PatternPart>* parts);
// Loki's JSON path syntax: `a.b`, `a[0]`, `["a b"].c`.
absl::Status ParseJsonPath(std::string_view path, std::vector<JsonPathPart>* parts);
// The first of Loki's checks a range aggregation fails, or "".
std::string CheckRangeAggregation(const RangeAggregationExpr& e);
// A regex compiled as RE2 from Go syntax; the error reads "error parsing regexp: ...".
absl::StatusOr<std::shared_ptr<const RE2>> CompileGoRegexp(const std::string& re, bool anchored);
// A stream or label matcher, the regex checked first so the error names only the user's text.
absl::StatusOr<LabelMatcher> MakeMatcher(MatchType type, std::string_view name,
                                         std::string_view value);
// strconv.ParseFloat with Go's error text: `strconv.ParseFloat: parsing "x": invalid syntax`.
absl::StatusOr<double> ParseGoFloat(std::string_view s);
// Loki's folding of an operation between two literals.
double FoldBinary(BinaryOp op, double l, double r);

class Parser {
 public:
  explicit Parser(std::string_view input) : in_(input), lex_(input) {}

  // The whole input as one expression, validated. Null on error.
  ExprPtr ParseTop();
  const ParseError& error() const { return err_; }

 private:
  // Tokens (parser.cc).
  const Token& Peek(size_t ahead = 0);
  Token Take();
  bool Expect(Tok kind, Token* out = nullptr);
  bool ExpectOneOf(std::initializer_list<Tok> kinds, Token* out);
  void Unexpected(const Token& t, std::initializer_list<Tok> expecting = {});
  void FailAt(int pos, std::string msg);
  void FailSemantic(std::string msg);
  void Defer(std::string msg);
  bool failed() const { return err_.set; }
  bool EnterNesting();
  bool CheckDepth(int depth, int pos);

  // Metric expressions (parser_metric.cc).
  ExprPtr ParseExpr(int min_prec);
  ExprPtr ParsePrimary();
  ExprPtr ParseMetricArg();
  ExprPtr ParseLiteral();
  ExprPtr ParseVectorAggregation();
  ExprPtr ParseLabelReplace();
  ExprPtr ParseVector();
  bool ParseGrouping(Grouping* g);
  bool ParseLabelList(std::vector<std::string>* labels);
  bool ParseBinModifiers(BinaryExpr* b);
  ExprPtr MakeBinary(std::unique_ptr<BinaryExpr> b, int lhs_depth, int rhs_depth);
  bool ParseSignedNumber(double* v);

  // Log selectors, ranges and pipelines (parser_log.cc).
  std::unique_ptr<LogSelectorExpr> ParseSelector();
  ExprPtr ParseLogQuery();
  ExprPtr ParseRangeAggregation();
  bool ParseLogRange(RangeAggregationExpr* r);
  bool ParseRangeTail(RangeAggregationExpr* r);
  bool ParsePipeline(LogSelectorExpr* sel, bool allow_unwrap);
  bool ParseLineFilter(LogSelectorExpr* sel);
  bool ParseUnwrap(LogSelectorExpr* sel);

  // Label filter expressions (parser_filters.cc).
  bool ParseLabelFilter(LabelFilter* out);
  bool ParseLabelFilterPrimary(LabelFilter* out, int* depth);
  bool ParseLabelFilterLeaf(LabelFilterLeaf* leaf);

  // The other pipeline stages (parser_stages.cc).
  bool ParseStage(LogSelectorExpr* sel);
  bool ParseExtractions(std::vector<std::pair<std::string, std::string>>* out);
  bool ParseLabelFormat(LabelFormat* out);
  bool ParseLabelRefs(std::vector<LabelRef>* out);

  std::string_view in_;
  Lexer lex_;
  std::deque<Token> ahead_;
  int last_end_ = 0;  // end of the last token taken
  ParseError err_;
  ParseError deferred_;
  int nesting_ = 0;
  int last_depth_ = 0;  // tree depth of the expression returned last
};

// Restores the parser's nesting counter when a parse function returns.
class NestingGuard {
 public:
  explicit NestingGuard(int* c) : c_(c) {}
  ~NestingGuard() { --*c_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  int* c_;
};

}  // namespace vigil::logql::internal
