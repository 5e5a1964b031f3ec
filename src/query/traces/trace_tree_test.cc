#include "query/traces/trace_tree.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Span MakeSpan(SpanId id, SpanId parent, int64_t start, int64_t end) {
  Span s;
  s.trace_id = {1, 2};
  s.span_id = id;
  s.parent_span_id = parent;
  s.start_ns = start;
  s.end_ns = end;
  s.name = "op";
  s.service_name = "svc";
  return s;
}

// Input index -> span id, so expectations read in ids.
std::vector<SpanId> Ids(const std::vector<Span>& spans, std::span<const uint32_t> indexes) {
  std::vector<SpanId> out;
  for (uint32_t i : indexes) out.push_back(spans[i].span_id);
  return out;
}

uint32_t IndexOf(const std::vector<Span>& spans, SpanId id) {
  for (uint32_t i = 0; i < spans.size(); ++i) {
    if (spans[i].span_id == id) return i;
  }
  return kNoSpan;
}

TEST(TraceTreeTest, Empty) {
  const TraceTree tree = TraceTree::Build({});
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_THAT(tree.roots(), IsEmpty());
  EXPECT_THAT(tree.preorder(), IsEmpty());
  EXPECT_EQ(tree.max_depth(), 0u);
  EXPECT_EQ(tree.duplicate_count(), 0u);
}

TEST(TraceTreeTest, BuildsFromAnyOrderWithChildrenInStartOrder) {
  // 1 ─┬─ 2 ─── 4
  //    └─ 3
  // given out of order.
  const std::vector<Span> spans = {MakeSpan(4, 2, 20, 30), MakeSpan(3, 1, 50, 60),
                                   MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 10, 40)};
  const TraceTree tree = TraceTree::Build(spans);
  ASSERT_EQ(tree.size(), 4u);
  EXPECT_THAT(Ids(spans, tree.roots()), ElementsAre(1));
  EXPECT_THAT(Ids(spans, tree.children(IndexOf(spans, 1))), ElementsAre(2, 3));
  EXPECT_THAT(Ids(spans, tree.children(IndexOf(spans, 2))), ElementsAre(4));
  EXPECT_THAT(Ids(spans, tree.preorder()), ElementsAre(1, 2, 4, 3));
  EXPECT_EQ(tree.node(IndexOf(spans, 1)).depth, 0u);
  EXPECT_EQ(tree.node(IndexOf(spans, 2)).depth, 1u);
  EXPECT_EQ(tree.node(IndexOf(spans, 4)).depth, 2u);
  EXPECT_EQ(tree.node(IndexOf(spans, 3)).depth, 1u);
  EXPECT_EQ(tree.node(IndexOf(spans, 4)).parent, IndexOf(spans, 2));
  EXPECT_TRUE(tree.node(IndexOf(spans, 1)).is_root());
  EXPECT_EQ(tree.max_depth(), 2u);
  EXPECT_EQ(tree.tree_size(), 4u);
  EXPECT_EQ(tree.orphan_count() + tree.cycle_count() + tree.duplicate_count(), 0u);
}

TEST(TraceTreeTest, SiblingsWithEqualStartOrderBySpanId) {
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 10), MakeSpan(9, 1, 5, 6),
                                   MakeSpan(3, 1, 5, 7)};
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_THAT(Ids(spans, tree.children(0)), ElementsAre(3, 9));
}

TEST(TraceTreeTest, OrphansBecomeExtraRoots) {
  const std::vector<Span> spans = {MakeSpan(5, 77, 1, 2),  // parent 77 missing
                                   MakeSpan(1, 0, 10, 20), MakeSpan(6, 5, 1, 2),
                                   MakeSpan(7, 88, 0, 1)};  // parent 88 missing
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_EQ(tree.orphan_count(), 2u);
  // The genuine root first, then the orphans in start order.
  EXPECT_THAT(Ids(spans, tree.roots()), ElementsAre(1, 7, 5));
  EXPECT_TRUE(tree.node(0).orphan);
  EXPECT_TRUE(tree.node(0).is_root());
  EXPECT_FALSE(tree.node(1).orphan);
  EXPECT_FALSE(tree.node(2).orphan);  // its parent (the orphan 5) is present
  EXPECT_EQ(tree.node(2).depth, 1u);
  EXPECT_THAT(Ids(spans, tree.preorder()), ElementsAre(1, 7, 5, 6));
}

TEST(TraceTreeTest, DuplicatesKeepTheFirst) {
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 10, 20),
                                   MakeSpan(2, 1, 30, 40),  // same id again
                                   MakeSpan(3, 2, 12, 15), MakeSpan(1, 0, 0, 100)};
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_EQ(tree.duplicate_count(), 2u);
  EXPECT_TRUE(tree.node(2).duplicate);
  EXPECT_EQ(tree.node(2).duplicate_of, 1u);
  EXPECT_FALSE(tree.node(2).is_root());
  EXPECT_TRUE(tree.node(4).duplicate);
  EXPECT_EQ(tree.node(4).duplicate_of, 0u);
  EXPECT_THAT(tree.roots(), ElementsAre(0u));
  EXPECT_THAT(tree.children(0), ElementsAre(1u));
  EXPECT_THAT(tree.children(1), ElementsAre(3u));  // attached to the kept span 2
  EXPECT_THAT(tree.preorder(), ElementsAre(0u, 1u, 3u));
  EXPECT_EQ(tree.tree_size(), 3u);
}

TEST(TraceTreeTest, SelfParentIsBroken) {
  const std::vector<Span> spans = {MakeSpan(1, 1, 0, 10), MakeSpan(2, 1, 1, 2)};
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_EQ(tree.cycle_count(), 1u);
  EXPECT_EQ(tree.cycle_span_count(), 1u);
  EXPECT_TRUE(tree.node(0).in_cycle);
  EXPECT_TRUE(tree.node(0).cycle_root);
  EXPECT_TRUE(tree.node(0).is_root());
  EXPECT_FALSE(tree.node(0).orphan);
  EXPECT_FALSE(tree.node(1).in_cycle);
  EXPECT_THAT(tree.roots(), ElementsAre(0u));
  EXPECT_THAT(tree.preorder(), ElementsAre(0u, 1u));
  EXPECT_EQ(tree.node(1).depth, 1u);
}

TEST(TraceTreeTest, TwoCycleIsBrokenAtTheEarliestSpanWhateverTheOrder) {
  // 10 ⇄ 20, with 30 hanging off 20 and a genuine root 1 elsewhere.
  std::vector<Span> spans = {MakeSpan(10, 20, 5, 50), MakeSpan(20, 10, 3, 40),
                             MakeSpan(30, 20, 4, 6), MakeSpan(1, 0, 0, 100)};
  for (int round = 0; round < 2; ++round) {
    const TraceTree tree = TraceTree::Build(spans);
    const uint32_t i10 = IndexOf(spans, 10), i20 = IndexOf(spans, 20), i30 = IndexOf(spans, 30);
    EXPECT_EQ(tree.cycle_count(), 1u);
    EXPECT_EQ(tree.cycle_span_count(), 2u);
    EXPECT_TRUE(tree.node(i10).in_cycle);
    EXPECT_TRUE(tree.node(i20).in_cycle);
    EXPECT_FALSE(tree.node(i30).in_cycle);
    // 20 starts first: its link to 10 is cut.
    EXPECT_TRUE(tree.node(i20).cycle_root);
    EXPECT_FALSE(tree.node(i10).cycle_root);
    EXPECT_EQ(tree.node(i10).parent, i20);
    EXPECT_THAT(Ids(spans, tree.roots()), ElementsAre(1, 20));
    EXPECT_THAT(Ids(spans, tree.children(i20)), ElementsAre(30, 10));
    EXPECT_THAT(Ids(spans, tree.preorder()), ElementsAre(1, 20, 30, 10));
    std::reverse(spans.begin(), spans.end());
  }
}

TEST(TraceTreeTest, CycleWithTailAndSeveralCycles) {
  // 1→2→3→1 with 4→3 (tail) and 5→6→5.
  const std::vector<Span> spans = {MakeSpan(4, 3, 0, 1),   MakeSpan(1, 3, 10, 11),
                                   MakeSpan(2, 1, 20, 21), MakeSpan(3, 2, 30, 31),
                                   MakeSpan(5, 6, 40, 41), MakeSpan(6, 5, 50, 51)};
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_EQ(tree.cycle_count(), 2u);
  EXPECT_EQ(tree.cycle_span_count(), 5u);
  EXPECT_FALSE(tree.node(0).in_cycle);
  EXPECT_THAT(Ids(spans, tree.roots()), ElementsAre(1, 5));
  EXPECT_THAT(Ids(spans, tree.preorder()), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_EQ(tree.node(0).depth, 3u);
  EXPECT_EQ(tree.tree_size(), 6u);
}

TEST(TraceTreeTest, DeepChainNeedsNoRecursion) {
  constexpr int kN = 10000;
  std::vector<Span> spans;
  // Given leaf first so nothing relies on parents coming first.
  for (int i = kN - 1; i >= 0; --i) {
    spans.push_back(MakeSpan(i + 1, i == 0 ? 0 : i, i, 2 * kN - i));
  }
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_EQ(tree.max_depth(), static_cast<uint32_t>(kN - 1));
  ASSERT_EQ(tree.preorder().size(), static_cast<size_t>(kN));
  for (int d = 0; d < kN; ++d) {
    const uint32_t i = tree.preorder()[d];
    ASSERT_EQ(spans[i].span_id, static_cast<SpanId>(d + 1));
    ASSERT_EQ(tree.node(i).depth, static_cast<uint32_t>(d));
  }
}

TEST(TraceTreeTest, RingOfTenThousandIsBrokenOnce) {
  constexpr int kN = 10000;
  std::vector<Span> spans;
  for (int i = 0; i < kN; ++i) {
    spans.push_back(MakeSpan(i + 1, (i + 1) % kN + 1, 100 + i, 200 + i));
  }
  const TraceTree tree = TraceTree::Build(spans);
  EXPECT_EQ(tree.cycle_count(), 1u);
  EXPECT_EQ(tree.cycle_span_count(), static_cast<size_t>(kN));
  EXPECT_THAT(tree.roots(), ElementsAre(0u));  // the earliest start
  EXPECT_EQ(tree.max_depth(), static_cast<uint32_t>(kN - 1));
}

TEST(TraceTreeTest, WideFanOut) {
  constexpr int kN = 10000;
  std::vector<Span> spans = {MakeSpan(1, 0, 0, 1000000)};
  for (int i = 0; i < kN; ++i) spans.push_back(MakeSpan(2 + i, 1, (i * 7919) % kN, kN));
  const TraceTree tree = TraceTree::Build(spans);
  ASSERT_EQ(tree.children(0).size(), static_cast<size_t>(kN));
  for (size_t k = 1; k < tree.children(0).size(); ++k) {
    ASSERT_LT(spans[tree.children(0)[k - 1]].start_ns, spans[tree.children(0)[k]].start_ns);
  }
  EXPECT_EQ(tree.max_depth(), 1u);
  EXPECT_EQ(tree.preorder().size(), static_cast<size_t>(kN + 1));
}

}  // namespace
}  // namespace vigil
