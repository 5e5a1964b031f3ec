#include "storage/logs/cut_order.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>

#include "gtest/gtest.h"

namespace vigil::logs {
namespace {

// Refs in arrival order: (block, row) increasing, as a head cut lists them.
std::vector<CutRef> Arrivals(std::mt19937_64& rng, size_t n, uint32_t rules, int64_t windows,
                             uint32_t streams, int64_t jitter) {
  std::vector<CutRef> refs;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t stream = static_cast<uint32_t>(rng() % streams);
    // Mostly increasing time, with late rows and exact repeats.
    int64_t ts = static_cast<int64_t>(i) * 10 - static_cast<int64_t>(rng() % (jitter + 1));
    if (rng() % 8 == 0 && !refs.empty()) ts = refs.back().ts;
    refs.push_back({stream % rules, ts * windows / static_cast<int64_t>(n * 10 + 1), stream, ts,
                    static_cast<uint32_t>(i / 100), static_cast<uint32_t>(i % 100)});
  }
  return refs;
}

std::vector<CutRef> Reference(std::vector<CutRef> refs) {
  std::sort(refs.begin(), refs.end(), [](const CutRef& a, const CutRef& b) {
    return std::tie(a.rule, a.window, a.rank, a.ts, a.block, a.row) <
           std::tie(b.rule, b.window, b.rank, b.ts, b.block, b.row);
  });
  return refs;
}

void ExpectSameOrder(const std::vector<CutRef>& got, const std::vector<CutRef>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::tie(got[i].block, got[i].row), std::tie(want[i].block, want[i].row))
        << "position " << i;
  }
}

TEST(CutOrderTest, MatchesAFullSortOnMostlyOrderedRows) {
  std::mt19937_64 rng(7);
  for (int64_t jitter : {0, 5, 1000}) {
    auto refs = Arrivals(rng, 5000, 3, 4, 40, jitter);
    auto want = Reference(refs);
    SortCutRefs(&refs);
    ExpectSameOrder(refs, want);
  }
}

TEST(CutOrderTest, FallsBackWhenRowsSpanManyWindows) {
  std::mt19937_64 rng(8);
  auto refs = Arrivals(rng, 300, 2, 1, 5, 50);
  // Windows far apart: more buckets than the counting pass would take.
  for (size_t i = 0; i < refs.size(); ++i) refs[i].window = static_cast<int64_t>(i % 7) * 1'000'000;
  auto want = Reference(refs);
  SortCutRefs(&refs);
  ExpectSameOrder(refs, want);
}

TEST(CutOrderTest, HandlesNegativeWindowsAndTinyInputs) {
  std::vector<CutRef> none;
  SortCutRefs(&none);
  EXPECT_TRUE(none.empty());
  std::vector<CutRef> refs = {{0, 5, 1, 50, 0, 0},
                              {0, -3, 0, -30, 0, 1},
                              {1, -3, 0, -31, 0, 2},
                              {0, -3, 0, -30, 0, 3},
                              {0, -3, 0, -40, 1, 0}};
  auto want = Reference(refs);
  SortCutRefs(&refs);
  ExpectSameOrder(refs, want);
  // Windows at both ends of the range: their distance does not fit an int64.
  std::vector<CutRef> extremes = {{0, INT64_MAX, 0, 2, 0, 0},
                                  {0, INT64_MIN, 0, 1, 0, 1},
                                  {0, INT64_MAX, 0, 1, 0, 2},
                                  {0, 0, 0, 0, 0, 3}};
  want = Reference(extremes);
  SortCutRefs(&extremes);
  ExpectSameOrder(extremes, want);
}

}  // namespace
}  // namespace vigil::logs
