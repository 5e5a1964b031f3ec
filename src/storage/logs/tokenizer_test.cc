#include "storage/logs/tokenizer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::logs {
namespace {

TEST(TokenizerTest, Tokens) {
  std::vector<std::string> got;
  ForEachToken("GET /api/orders/123 200 in 35ms, user_id=42 héllo",
               [&](std::string_view t) { got.emplace_back(t); });
  EXPECT_EQ(got, (std::vector<std::string>{"GET", "api", "orders", "123", "200", "in", "35ms",
                                           "user_id", "42", "héllo"}));
}

TEST(TokenizerTest, TokenCharactersAreTheDocumentedOnes) {
  // Segments on disk hold Bloom filters of these tokens: the classes must never drift.
  for (int c = 0; c < 256; ++c) {
    const bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c >= 0x80;
    EXPECT_EQ(IsTokenChar(static_cast<unsigned char>(c)), want) << c;
  }
}

TEST(TokenizerTest, RequiredTokensAreOnlyWholeOnes) {
  EXPECT_EQ(RequiredTokens("connection refused to redis"),
            (std::vector<std::string>{"refused", "to"}));
  EXPECT_TRUE(RequiredTokens("PAYMENT_DECLINED").empty());
  EXPECT_EQ(RequiredTokens(" PAYMENT_DECLINED "), (std::vector<std::string>{"PAYMENT_DECLINED"}));
  EXPECT_EQ(RequiredTokens("=abc="), (std::vector<std::string>{"abc"}));
  EXPECT_TRUE(RequiredTokens("").empty());
}

}  // namespace
}  // namespace vigil::logs
