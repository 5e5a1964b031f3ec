#include "storage/bloom/bloom.h"

#include <string>

#include "common/strings.h"
#include "gtest/gtest.h"

namespace vigil {
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

}  // namespace
}  // namespace vigil
