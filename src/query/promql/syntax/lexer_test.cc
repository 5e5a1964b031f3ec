#include "query/promql/syntax/lexer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

struct Lexed {
  std::vector<Tok> kinds;
  std::vector<std::string> texts;
  std::string error;
  int error_pos = -1;
};

Lexed LexAll(std::string_view in) {
  Lexer lex(in);
  Lexed out;
  for (int i = 0; i < 1000; ++i) {
    Token t = lex.Next();
    if (t.kind == Tok::kEof) break;
    if (t.kind == Tok::kError) {
      out.error = lex.error();
      out.error_pos = t.pos;
      break;
    }
    out.kinds.push_back(t.kind);
    out.texts.emplace_back(t.text);
  }
  return out;
}

TEST(LexerTest, SelectorAndOperators) {
  Lexed l = LexAll("sum by (job) (rate(x{a=~\"b\", c!=\"d\"}[5m])) >= bool 0.5 # tail");
  std::vector<Tok> want = {
      Tok::kSum,          Tok::kBy,         Tok::kLeftParen,  Tok::kIdentifier,  Tok::kRightParen,
      Tok::kLeftParen,    Tok::kIdentifier, Tok::kLeftParen,  Tok::kIdentifier,  Tok::kLeftBrace,
      Tok::kIdentifier,   Tok::kEqlRegex,   Tok::kString,     Tok::kComma,       Tok::kIdentifier,
      Tok::kNeq,          Tok::kString,     Tok::kRightBrace, Tok::kLeftBracket, Tok::kDuration,
      Tok::kRightBracket, Tok::kRightParen, Tok::kRightParen, Tok::kGte,         Tok::kBool,
      Tok::kNumber};
  EXPECT_EQ(l.kinds, want);
  EXPECT_EQ(l.error, "");
  EXPECT_EQ(l.texts[12], "\"b\"");
  EXPECT_EQ(l.texts[19], "5m");
}

TEST(LexerTest, KeywordsAreCaseInsensitiveAndWordsInBracesAreIdentifiers) {
  Lexed l = LexAll("SUM Without AND inf NaN {on=\"x\", by=\"y\"} a:b :c");
  std::vector<Tok> want = {Tok::kSum,
                           Tok::kWithout,
                           Tok::kLand,
                           Tok::kNumber,
                           Tok::kNumber,
                           Tok::kLeftBrace,
                           Tok::kIdentifier,
                           Tok::kEql,
                           Tok::kString,
                           Tok::kComma,
                           Tok::kIdentifier,
                           Tok::kEql,
                           Tok::kString,
                           Tok::kRightBrace,
                           Tok::kMetricIdentifier,
                           Tok::kMetricIdentifier};
  EXPECT_EQ(l.kinds, want);
  EXPECT_EQ(l.texts[0], "SUM");
}

TEST(LexerTest, NumbersAndDurations) {
  Lexed l = LexAll("1 .5 5. 0x1F 1e-3 1e 5m 1h30m 100ms 1y");
  std::vector<Tok> want = {Tok::kNumber,   Tok::kNumber,  Tok::kNumber,   Tok::kNumber,
                           Tok::kNumber,   Tok::kNumber,  Tok::kDuration, Tok::kDuration,
                           Tok::kDuration, Tok::kDuration};
  EXPECT_EQ(l.kinds, want);
  EXPECT_EQ(l.texts[5], "1e");  // the parser rejects it
}

TEST(LexerTest, SubqueryBracketsAndTheLetterColonQuirk) {
  Lexed l = LexAll("x[1h:5m]");
  EXPECT_EQ(l.kinds, (std::vector<Tok>{Tok::kIdentifier, Tok::kLeftBracket, Tok::kDuration,
                                       Tok::kColon, Tok::kDuration, Tok::kRightBracket}));
  // As in Prometheus, a letter inside brackets is taken as the colon.
  l = LexAll("x[5m y]");
  EXPECT_EQ(l.kinds, (std::vector<Tok>{Tok::kIdentifier, Tok::kLeftBracket, Tok::kDuration,
                                       Tok::kColon, Tok::kRightBracket}));
}

TEST(LexerTest, StringsAndComments) {
  Lexed l = LexAll("'a\\'b' \"c\\u00e9\" `raw\nline` # comment\n\"x\"");
  EXPECT_EQ(l.kinds, (std::vector<Tok>{Tok::kString, Tok::kString, Tok::kString, Tok::kString}));
  EXPECT_EQ(l.texts[2], "`raw\nline`");
  l = LexAll("{a=\"b\" # comment inside braces\n}");
  EXPECT_EQ(l.error, "");
  EXPECT_EQ(l.kinds.back(), Tok::kRightBrace);
}

TEST(LexerTest, Errors) {
  struct Case {
    const char* in;
    const char* error;
    int pos;
  } cases[] = {
      {"foo)", "unexpected right parenthesis ')'", 4},
      {"sum(foo", "unclosed left parenthesis", 7},
      {"foo[5m", "unclosed left bracket", 6},
      {"foo[5]", "missing unit character in duration", 4},
      {"foo[a]", "bad duration syntax: \"\"", 4},
      {"foo[5mm]", "bad duration syntax: \"5mm\"", 4},
      {"foo[5m:1m:2m]", "unexpected colon ':'", 9},
      {"foo[5m:[", "unexpected left bracket '['", 7},
      {"foo[[", "missing unit character in duration", 4},
      {"foo]", "unexpected right bracket ']'", 3},
      {"1_000", "bad number or duration syntax: \"1\"", 0},
      {"foo =~ x", "unexpected character after '=': '~'", 4},
      {"foo ! x", "unexpected character after '!': ' '", 4},
      {"foo !", "unexpected character after '!': '\xef\xbf\xbd'", 4},
      {"{a!", "unexpected character after '!' inside braces: '\xef\xbf\xbd'", 2},
      {"{a=\"b\"", "unexpected end of input inside braces", 6},
      {"{{", "unexpected left brace '{'", 1},
      {"{1}", "unexpected character inside braces: '1'", 1},
      {"foo}", "unexpected character: '}'", 3},
      {"$", "unexpected character: '$'", 0},
      {"x \xc3\xa9", "unexpected character: '\xc3\xa9'", 2},
      {"x \xff", "unexpected character: '\xef\xbf\xbd'", 2},
      {"\"abc", "unterminated quoted string", 0},
      {"\"a\nb\"", "unterminated quoted string", 0},
      {"`abc", "unterminated raw string", 0},
      {"x \"\\q\"", "unknown escape sequence U+0071 'q'", 2},
      {"\"a\\'b\"", "unknown escape sequence U+0027 '''", 0},
      {"\"\\x4\"", "illegal character U+0022 '\"' in escape sequence", 0},
      {"\"\\uD800\"", "escape sequence is an invalid Unicode code point", 0},
      {"\"\\400\"", "escape sequence is an invalid Unicode code point", 0},
      {"\"a\\", "escape sequence not terminated", 0},
      {"\"\xff\"", "invalid UTF-8 rune", 0},
      {"\"\xef\xbf\xbd\"", "invalid UTF-8 rune", 0},  // Prometheus rejects a literal U+FFFD too
      {"`\xff`", "invalid UTF-8 rune", 0},
  };
  for (const Case& c : cases) {
    Lexed l = LexAll(c.in);
    EXPECT_EQ(l.error, c.error) << c.in;
    EXPECT_EQ(l.error_pos, c.pos) << c.in;
  }
}

TEST(LexerTest, ErrorAndEofRepeat) {
  Lexer lex("x $");
  EXPECT_EQ(lex.Next().kind, Tok::kIdentifier);
  EXPECT_EQ(lex.Next().kind, Tok::kError);
  EXPECT_EQ(lex.Next().kind, Tok::kError);
  Lexer eof("x");
  eof.Next();
  EXPECT_EQ(eof.Next().kind, Tok::kEof);
  EXPECT_EQ(eof.Next().kind, Tok::kEof);
}

TEST(LexerTest, TokenDescriptions) {
  auto desc = [](std::string_view in) {
    Lexer lex(in);
    return TokenDesc(lex.Next());
  };
  EXPECT_EQ(desc("foo"), "identifier \"foo\"");
  EXPECT_EQ(desc("a:b"), "metric identifier \"a:b\"");
  EXPECT_EQ(desc("12"), "number \"12\"");
  EXPECT_EQ(desc("12345678901234"), "number \"1234567890\"...");
  EXPECT_EQ(desc("\"abcdefghijklmnop\""), "string \"\\\"abcdefghi\"...");
  EXPECT_EQ(desc("5m"), "duration \"5m\"");
  EXPECT_EQ(desc("by"), "<by>");
  EXPECT_EQ(desc("BOOL"), "<BOOL>");
  EXPECT_EQ(desc("+"), "<op:+>");
  EXPECT_EQ(desc("and"), "<op:and>");
  EXPECT_EQ(desc("atan2"), "<op:atan2>");
  EXPECT_EQ(desc("@"), "\"<Item 57385>\" <op:@>");
  EXPECT_EQ(desc("SUM"), "<aggr:SUM>");
  EXPECT_EQ(desc("start"), "\"start\"");
  EXPECT_EQ(desc("("), "\"(\"");
  EXPECT_EQ(desc("="), "\"=\"");
  EXPECT_EQ(desc(""), "end of input");
}

}  // namespace
}  // namespace vigil::promql
