#include "query/logql/syntax/lexer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

std::vector<Token> LexAll(std::string_view in) {
  Lexer lex(in);
  std::vector<Token> out;
  while (true) {
    Token t = lex.Next();
    if (t.kind == Tok::kEof || t.kind == Tok::kError) break;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Tok> Kinds(std::string_view in) {
  std::vector<Tok> out;
  for (const Token& t : LexAll(in)) out.push_back(t.kind);
  return out;
}

TEST(LexerTest, Operators) {
  EXPECT_EQ(Kinds("{ } ( ) , = != =~ !~ |= |~ |> !> | == > >= < <= + - * / % ^ ."),
            (std::vector<Tok>{Tok::kOpenBrace, Tok::kCloseBrace, Tok::kOpenParen, Tok::kCloseParen,
                              Tok::kComma,     Tok::kEq,         Tok::kNeq,       Tok::kRe,
                              Tok::kNre,       Tok::kPipeExact,  Tok::kPipeMatch, Tok::kPipePattern,
                              Tok::kNpa,       Tok::kPipe,       Tok::kCmpEq,     Tok::kGt,
                              Tok::kGte,       Tok::kLt,         Tok::kLte,       Tok::kAdd,
                              Tok::kSub,       Tok::kMul,        Tok::kDiv,       Tok::kMod,
                              Tok::kPow,       Tok::kDot}));
  EXPECT_EQ(Kinds("@ ~ !"), (std::vector<Tok>{Tok::kInvalid, Tok::kInvalid, Tok::kInvalid}));
  EXPECT_EQ(TokenName(Tok::kInvalid), "IDENTIFIER");
}

TEST(LexerTest, KeywordsAndFunctionWords) {
  EXPECT_EQ(
      Kinds("BY Without bool OFFSET json LOGFMT unwrap or AND unless drop keep"),
      (std::vector<Tok>{Tok::kBy, Tok::kWithout, Tok::kBool, Tok::kOffset, Tok::kJson, Tok::kLogfmt,
                        Tok::kUnwrap, Tok::kOr, Tok::kAnd, Tok::kUnless, Tok::kDrop, Tok::kKeep}));
  // Function words are tokens only before `(` or `by (`/`without (`.
  EXPECT_EQ(
      Kinds("rate(x) rate sum by (a) sum without(b) sum by x ip (\"a\") ip bytes(x) bytes"),
      (std::vector<Tok>{Tok::kRate,       Tok::kOpenParen,  Tok::kIdentifier, Tok::kCloseParen,
                        Tok::kIdentifier, Tok::kSum,        Tok::kBy,         Tok::kOpenParen,
                        Tok::kIdentifier, Tok::kCloseParen, Tok::kSum,        Tok::kWithout,
                        Tok::kOpenParen,  Tok::kIdentifier, Tok::kCloseParen, Tok::kIdentifier,
                        Tok::kBy,         Tok::kIdentifier, Tok::kIp,         Tok::kOpenParen,
                        Tok::kString,     Tok::kCloseParen, Tok::kIdentifier, Tok::kBytesConv,
                        Tok::kOpenParen,  Tok::kIdentifier, Tok::kCloseParen, Tok::kIdentifier}));
  EXPECT_EQ(TokenName(Tok::kRate), "RATE");
  EXPECT_EQ(TokenName(Tok::kBy), "by");
}

TEST(LexerTest, NumbersDurationsBytes) {
  auto toks = LexAll(
      "5 1.5 .5 1e3 0x1f 5m 1h30m 1.5s 250us 3\xC2\xB5s 10ms 2d 20MB 1.5KiB 5k 3Gi -5m -5 - 5");
  ASSERT_EQ(toks.size(), 21u);
  EXPECT_EQ(toks[0].kind, Tok::kNumber);
  EXPECT_EQ(toks[1].text, "1.5");
  EXPECT_EQ(toks[2].text, ".5");
  EXPECT_EQ(toks[3].text, "1e3");
  EXPECT_EQ(toks[4].text, "0x1f");
  EXPECT_EQ(toks[5].kind, Tok::kDuration);
  EXPECT_EQ(toks[5].duration_ns, 300000000000);
  EXPECT_EQ(toks[6].duration_ns, 5400000000000);
  EXPECT_EQ(toks[7].duration_ns, 1500000000);
  EXPECT_EQ(toks[8].duration_ns, 250000);
  EXPECT_EQ(toks[9].duration_ns, 3000);
  EXPECT_EQ(toks[10].duration_ns, 10000000);
  EXPECT_EQ(toks[11].duration_ns, 2 * 86400000000000);
  EXPECT_EQ(toks[12].kind, Tok::kBytes);
  EXPECT_EQ(toks[12].bytes, 20000000u);
  EXPECT_EQ(toks[13].bytes, 1536u);
  EXPECT_EQ(toks[14].bytes, 5000u);
  EXPECT_EQ(toks[15].bytes, 3221225472u);
  EXPECT_EQ(toks[16].kind, Tok::kDuration);
  EXPECT_EQ(toks[16].duration_ns, -300000000000);
  EXPECT_EQ(toks[17].kind, Tok::kSub);
  EXPECT_EQ(toks[18].kind, Tok::kNumber);  // "-5": a sign then a number
  EXPECT_EQ(toks[19].kind, Tok::kSub);
  EXPECT_EQ(toks[20].kind, Tok::kNumber);
  // A number glued to letters that form no unit stays a number.
  EXPECT_EQ(Kinds("5b"), (std::vector<Tok>{Tok::kNumber, Tok::kIdentifier}));
}

TEST(LexerTest, RangesFlagsStringsComments) {
  auto toks = LexAll("[5m] [1h30m] --strict --keep-empty \"a\\nb\" `raw\\n` # comment\n x");
  ASSERT_EQ(toks.size(), 7u);
  EXPECT_EQ(toks[0].kind, Tok::kRange);
  EXPECT_EQ(toks[0].duration_ns, 300000000000);
  EXPECT_EQ(toks[1].duration_ns, 5400000000000);
  EXPECT_EQ(toks[2].kind, Tok::kParserFlag);
  EXPECT_EQ(toks[2].str, "--strict");
  EXPECT_EQ(toks[3].str, "--keep-empty");
  EXPECT_EQ(toks[4].kind, Tok::kString);
  EXPECT_EQ(toks[4].str, "a\nb");
  EXPECT_EQ(toks[5].str, "raw\\n");
  EXPECT_EQ(toks[6].kind, Tok::kIdentifier);
  EXPECT_EQ(toks[6].pos, 61);
  // `--` not followed by a flag is two minus signs.
  EXPECT_EQ(Kinds("--x"), (std::vector<Tok>{Tok::kSub, Tok::kSub, Tok::kIdentifier}));
}

TEST(LexerTest, Errors) {
  struct Case {
    std::string in;
    std::string err;
    int pos;
  };
  const Case cases[] = {
      {"\"abc", "literal not terminated", 0},
      {"x \"a\nb\"", "literal not terminated", 2},
      {"`abc", "literal not terminated", 0},
      {"\"\\z\"", "invalid char escape", 0},
      {"\"\\u12\"", "invalid char escape", 0},
      {"\"\xff\"", "invalid UTF-8 encoding", 0},
      {"x \xff", "invalid UTF-8 encoding", 2},
      {"[5x]", "not a valid duration string: \"5x\"", 0},
      {"[5m", "missing closing ']' in duration", 0},
      {"1e+", "exponent has no digits", 0},
      {std::string("a\0", 2), "invalid character NUL", 1},
  };
  for (const Case& c : cases) {
    Lexer lex(c.in);
    Token t;
    do {
      t = lex.Next();
    } while (t.kind != Tok::kEof && t.kind != Tok::kError);
    ASSERT_EQ(t.kind, Tok::kError) << c.in;
    EXPECT_EQ(lex.error(), c.err) << c.in;
    EXPECT_EQ(t.pos, c.pos) << c.in;
    EXPECT_EQ(lex.Next().kind, Tok::kError);  // sticky
  }
}

}  // namespace
}  // namespace vigil::logql
