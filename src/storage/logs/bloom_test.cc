#include "storage/logs/bloom.h"

#include <string>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "storage/logs/tokenizer.h"

namespace vigil::logs {
namespace {

TEST(BloomTest, NoFalseNegativesAndFewFalsePositives) {
  BloomBuilder b(10000);
  for (int i = 0; i < 10000; ++i) b.Add(BloomHash(StrCat("key", i)));
  BloomView v(b.bytes());
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(v.MayContain(BloomHash(StrCat("key", i))));
  int fp = 0;
  for (int i = 0; i < 10000; ++i) fp += v.MayContain(BloomHash(StrCat("other", i)));
  EXPECT_LT(fp, 300);  // ~1% expected at 10 bits per key
}

TEST(BloomTest, EmptyViewContainsEverything) {
  EXPECT_TRUE(BloomView().MayContain(BloomHash("x")));
}

TEST(BloomTest, FieldHashDependsOnNameAndValue) {
  EXPECT_NE(BloomFieldHash("a", "bc"), BloomFieldHash("ab", "c"));
  EXPECT_EQ(BloomFieldHash("a", "b"), BloomFieldHash("a", "b"));
}

TEST(TokenizerTest, Tokens) {
  std::vector<std::string> got;
  ForEachToken("GET /api/orders/123 200 in 35ms, user_id=42 héllo", [&](std::string_view t) {
    got.emplace_back(t);
  });
  EXPECT_EQ(got, (std::vector<std::string>{"GET", "api", "orders", "123", "200", "in", "35ms",
                                           "user_id", "42", "héllo"}));
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
