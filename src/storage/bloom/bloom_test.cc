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

// The hashes are part of the segment formats: filters written by one build are probed by the
// next. These are XXH3-64 values (seed 0, and seeded for the field), as the xxhash library
// computes them, on each of its length paths (0, 1-3, 4-8, 9-16, 17-128 and 129-240 bytes).
TEST(BloomTest, HashesAreXxh3AsStored) {
  struct Case {
    std::string_view key;
    uint64_t hash;
  };
  const Case cases[] = {
      {"", 0x2d06800538d394c2ull},
      {"a", 0xe6c632b61e964e1full},
      {"error", 0x22ee27259be28863ull},
      {"connection", 0x5e7511afec64172aull},
      {"0123456789abcdef", 0x64439946d8fa212dull},
      {"a-key-longer-than-sixteen-bytes-and-then-some-more-to-pass-128-bytes-of-input-so-the-"
       "long-path-runs-too-0123456789012345678901234567890123456789",
       0xbff9033ec3da8dc1ull},
  };
  for (const Case& c : cases) EXPECT_EQ(BloomHash(c.key), c.hash) << c.key;
  const std::string_view trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  EXPECT_EQ(BloomFieldHash("trace_id", trace), 0xa05659c4e03f12adull);
  EXPECT_EQ(BloomValueHash(BloomHash("trace_id"), trace), 0xa05659c4e03f12adull);
}

}  // namespace
}  // namespace vigil
