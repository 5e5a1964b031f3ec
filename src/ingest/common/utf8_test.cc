#include "ingest/common/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(Utf8Test, TruncateUtf8CutsBetweenCharacters) {
  EXPECT_EQ(TruncateUtf8("hello", 10), "hello");
  EXPECT_EQ(TruncateUtf8("hello", 5), "hello");
  EXPECT_EQ(TruncateUtf8("hello", 3), "hel");
  EXPECT_EQ(TruncateUtf8("hello", 0), "");
  const std::string mixed = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";  // a é € 😀: 1+2+3+4 bytes
  EXPECT_EQ(TruncateUtf8(mixed, 1), "a");
  EXPECT_EQ(TruncateUtf8(mixed, 2), "a");  // inside é
  EXPECT_EQ(TruncateUtf8(mixed, 3), "a\xc3\xa9");
  EXPECT_EQ(TruncateUtf8(mixed, 5), "a\xc3\xa9");  // inside €
  EXPECT_EQ(TruncateUtf8(mixed, 6), "a\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(TruncateUtf8(mixed, 9), "a\xc3\xa9\xe2\x82\xac");  // inside 😀
  EXPECT_EQ(TruncateUtf8(mixed, 10), mixed);
}

TEST(Utf8Test, IsUtf8) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8(std::string(100, 'x')));
  EXPECT_TRUE(IsUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80 and a long ASCII tail"));
  EXPECT_FALSE(IsUtf8("bad \xff"));
  EXPECT_FALSE(IsUtf8(std::string(17, 'x') + "\xc0\xaf"));  // overlong
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));                     // a UTF-16 surrogate
  EXPECT_FALSE(IsUtf8("\xe2\x82"));                         // cut short
}

}  // namespace
}  // namespace vigil
