#include "storage/metrics/block/block_id.h"

#include <set>

#include "gtest/gtest.h"
#include "storage/metrics/block/block_meta.h"

namespace vigil::block {
namespace {

TEST(BlockId, FormatAndTime) {
  std::string id = NewBlockId(1700000000123);
  EXPECT_EQ(id.size(), kBlockIdLength);
  EXPECT_TRUE(IsValidBlockId(id)) << id;
  EXPECT_EQ(BlockIdTime(id), 1700000000123);
  EXPECT_EQ(NewBlockId(0).substr(0, 10), "0000000000");
  // The largest 48-bit time encodes as "7ZZZZZZZZZ".
  EXPECT_EQ(NewBlockId((int64_t{1} << 48) - 1).substr(0, 10), "7ZZZZZZZZZ");
}

TEST(BlockId, SortsByTimeAndIsUnique) {
  std::set<std::string> ids;
  std::string prev;
  for (int64_t t = 1000; t < 1000 + 500 * 1000; t += 1000) {
    std::string id = NewBlockId(t);
    EXPECT_LT(prev, id);
    prev = id;
    ids.insert(id);
    ids.insert(NewBlockId(t));
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(BlockId, RejectsMalformed) {
  EXPECT_FALSE(IsValidBlockId(""));
  EXPECT_FALSE(IsValidBlockId("01ARZ3NDEKTSV4RRFFQ69G5FA"));    // 25 chars
  EXPECT_FALSE(IsValidBlockId("01ARZ3NDEKTSV4RRFFQ69G5FAVX"));  // 27
  EXPECT_FALSE(IsValidBlockId("01ARZ3NDEKTSV4RRFFQ69G5FAU"));   // U is not Crockford
  EXPECT_FALSE(IsValidBlockId("81ARZ3NDEKTSV4RRFFQ69G5FAV"));   // overflows 128 bits
  EXPECT_FALSE(IsValidBlockId("../RZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_TRUE(IsValidBlockId("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
}

TEST(BlockMeta, RoundTrip) {
  BlockMeta m;
  m.id = NewBlockId(5);
  m.min_time = -100;
  m.max_time = 7200000;
  m.stats = {3, 400, 5};
  m.compaction_level = 2;
  m.sources = {NewBlockId(1), NewBlockId(2)};
  m.parents = {NewBlockId(3)};
  auto back = ParseBlockMeta(EncodeBlockMeta(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
}

TEST(BlockMeta, RejectsBadJson) {
  BlockMeta m;
  m.id = NewBlockId(5);
  m.min_time = 0;
  m.max_time = 10;
  std::string good = EncodeBlockMeta(m);
  EXPECT_TRUE(ParseBlockMeta(good).ok());
  EXPECT_FALSE(ParseBlockMeta("").ok());
  EXPECT_FALSE(ParseBlockMeta("[]").ok());
  EXPECT_FALSE(ParseBlockMeta(good.substr(0, good.size() / 2)).ok());
  std::string bad_id = good;
  bad_id.replace(bad_id.find(m.id), 26, "not-an-id-not-an-id-not-an");
  EXPECT_FALSE(ParseBlockMeta(bad_id).ok());
  std::string bad_version = good;
  bad_version.replace(bad_version.find("\"version\":1"), 11, "\"version\":9");
  EXPECT_FALSE(ParseBlockMeta(bad_version).ok());
  std::string neg = good;
  neg.replace(neg.find("\"numSeries\":0"), 13, "\"numSeries\":-1");
  EXPECT_FALSE(ParseBlockMeta(neg).ok());
}

}  // namespace
}  // namespace vigil::block
