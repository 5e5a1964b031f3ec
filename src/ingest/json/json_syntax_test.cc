#include "ingest/json/json_syntax.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

std::string SyntaxError(std::string_view s) {
  std::string error;
  EXPECT_FALSE(CheckJsonSyntax(s, &error)) << s;
  return error;
}

TEST(JsonSyntaxTest, AcceptsJson) {
  std::string error;
  for (std::string_view ok :
       {"{}", "[]", " {\"a\": [1, -2.5e+3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}} ",
        "\"s\"", "0", "-0.0", "[[[[]]]]", "{\"a\":\"tab\there\"}"}) {
    EXPECT_TRUE(CheckJsonSyntax(ok, &error)) << ok << ": " << error;
  }
  std::string deep(kMaxJsonDepth, '[');
  deep.append(kMaxJsonDepth, ']');
  EXPECT_TRUE(CheckJsonSyntax(deep, &error));
}

TEST(JsonSyntaxTest, RefusesWithPosition) {
  EXPECT_EQ(SyntaxError(""), "expected a value at byte 0");
  EXPECT_EQ(SyntaxError("{\"a\":1 \"b\":2}"), "expected ',' or '}' at byte 7");
  EXPECT_EQ(SyntaxError("{\"a\" 1}"), "expected ':' at byte 5");
  EXPECT_EQ(SyntaxError("{a:1}"), "expected a string key at byte 1");
  EXPECT_EQ(SyntaxError("[1,]"), "expected a value at byte 3");
  EXPECT_EQ(SyntaxError("[1 2]"), "expected ',' or ']' at byte 3");
  EXPECT_EQ(SyntaxError("{\"a\":[}"), "expected a value at byte 6");
  EXPECT_EQ(SyntaxError("{\"a\":1}}"), "unexpected content after the JSON value at byte 7");
  EXPECT_EQ(SyntaxError("\"abc"), "unterminated string at byte 0");
  EXPECT_EQ(SyntaxError("\"\\q\""), "invalid escape sequence at byte 1");
  EXPECT_EQ(SyntaxError("\"\\u12G4\""), "invalid \\u escape at byte 1");
  EXPECT_EQ(SyntaxError("tru"), "invalid literal at byte 0");
  EXPECT_EQ(SyntaxError("01"), "unexpected content after the JSON value at byte 1");
  EXPECT_EQ(SyntaxError("1."), "invalid number at byte 2");
  EXPECT_EQ(SyntaxError("-"), "invalid number at byte 1");
  EXPECT_EQ(SyntaxError("{\"a\":1"), "expected ',' or '}' at byte 6");
  std::string deep(kMaxJsonDepth + 1, '[');
  EXPECT_THAT(SyntaxError(deep), HasSubstr("nested too deeply"));
}

TEST(JsonSyntaxTest, Numbers) {
  for (const char* ok : {"0", "-1", "1.5", "1e9", "-2.5E-3", "1700000000"}) {
    EXPECT_TRUE(IsJsonNumber(ok)) << ok;
  }
  for (const char* bad : {"", "-", "+1", ".5", "1.", "1e", "0x10", "1 "}) {
    EXPECT_FALSE(IsJsonNumber(bad)) << bad;
  }
}

}  // namespace
}  // namespace vigil
