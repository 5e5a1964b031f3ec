#include "query/traces/trace_analysis.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Span MakeSpan(SpanId id, SpanId parent, int64_t start, int64_t end, std::string service = "svc",
              std::string name = "") {
  Span s;
  s.trace_id = {0xabc, 0xdef};
  s.span_id = id;
  s.parent_span_id = parent;
  s.start_ns = start;
  s.end_ns = end;
  s.service_name = std::move(service);
  s.name = name.empty() ? "op" + std::to_string(id) : std::move(name);
  return s;
}

// The critical path as (span id, start, end) for readable expectations.
struct Seg {
  SpanId id;
  int64_t start, end;
  friend bool operator==(const Seg&, const Seg&) = default;
};
void PrintTo(const Seg& s, std::ostream* os) {
  *os << "{" << s.id << ", " << s.start << ", " << s.end << "}";
}
std::vector<Seg> Path(const std::vector<Span>& spans, const TraceAnalysis& a) {
  std::vector<Seg> out;
  for (const CriticalPathSegment& s : a.critical_path) {
    out.push_back({spans[s.span].span_id, s.start_ns, s.end_ns});
  }
  return out;
}

int64_t PathTotal(const TraceAnalysis& a) {
  int64_t total = 0;
  for (const CriticalPathSegment& s : a.critical_path) total += s.duration_ns();
  return total;
}

// The path is contiguous and covers the path root exactly.
void ExpectPathCoversRoot(const std::vector<Span>& spans, const TraceAnalysis& a) {
  ASSERT_NE(a.critical_path_root, kNoSpan);
  const Span& root = spans[a.critical_path_root];
  ASSERT_FALSE(a.critical_path.empty());
  EXPECT_EQ(a.critical_path.front().start_ns, root.start_ns);
  EXPECT_EQ(a.critical_path.back().end_ns, std::max(root.start_ns, root.end_ns));
  for (size_t i = 1; i < a.critical_path.size(); ++i) {
    ASSERT_EQ(a.critical_path[i - 1].end_ns, a.critical_path[i].start_ns) << i;
  }
  EXPECT_EQ(PathTotal(a), SpanDurationNs(root.start_ns, root.end_ns));
  int64_t per_span = 0;
  for (int64_t t : a.critical_path_ns) per_span += t;
  EXPECT_EQ(per_span, PathTotal(a));
}

TEST(TraceAnalysisTest, Empty) {
  const TraceAnalysis a = AnalyzeTrace({});
  EXPECT_EQ(a.span_count, 0u);
  EXPECT_EQ(a.duration_ns, 0);
  EXPECT_EQ(a.root_span, kNoSpan);
  EXPECT_EQ(a.critical_path_root, kNoSpan);
  EXPECT_THAT(a.critical_path, IsEmpty());
  EXPECT_THAT(a.services, IsEmpty());
  EXPECT_THAT(a.slowest_by_duration, IsEmpty());
  EXPECT_FALSE(a.has_error);
}

TEST(TraceAnalysisTest, SequentialChildren) {
  // A [0,100] with B [10,40] then C [50,90].
  const std::vector<Span> spans = {MakeSpan(3, 1, 50, 90, "back"), MakeSpan(1, 0, 0, 100, "front"),
                                   MakeSpan(2, 1, 10, 40, "back")};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.trace_id, (TraceId{0xabc, 0xdef}));
  EXPECT_EQ(a.start_ns, 0);
  EXPECT_EQ(a.end_ns, 100);
  EXPECT_EQ(a.duration_ns, 100);
  EXPECT_EQ(a.span_count, 3u);
  EXPECT_EQ(a.root_span, 1u);
  EXPECT_EQ(a.root_service, "front");
  EXPECT_EQ(a.root_span_name, "op1");
  EXPECT_THAT(a.services,
              ElementsAre(ServiceSpanCount{"back", 2, 0}, ServiceSpanCount{"front", 1, 0}));
  EXPECT_THAT(a.self_time_ns, ElementsAre(40, 30, 30));
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{1, 0, 10}, Seg{2, 10, 40}, Seg{1, 40, 50},
                                          Seg{3, 50, 90}, Seg{1, 90, 100}));
  EXPECT_THAT(a.critical_path_ns, ElementsAre(40, 30, 30));
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, ParallelChildrenFollowTheLaterEndingBranch) {
  // A [0,100] with B [10,50] and C [30,90] overlapping: C ends last.
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 10, 50),
                                   MakeSpan(3, 1, 30, 90)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  // Union of children is [10,90]: not double counted.
  EXPECT_THAT(a.self_time_ns, ElementsAre(20, 40, 60));
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{1, 0, 30}, Seg{3, 30, 90}, Seg{1, 90, 100}));
  EXPECT_THAT(a.critical_path_ns, ElementsAre(40, 0, 60));
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, NestedParallelWork) {
  // A [0,100]: B [10,90] (D [20,60], E [50,85] (F [55,70])), C [5,40].
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 10, 90),
                                   MakeSpan(3, 1, 5, 40),  MakeSpan(4, 2, 20, 60),
                                   MakeSpan(5, 2, 50, 85), MakeSpan(6, 5, 55, 70)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_THAT(a.self_time_ns, ElementsAre(15, 15, 35, 40, 20, 15));
  EXPECT_THAT(Path(spans, a),
              ElementsAre(Seg{1, 0, 10}, Seg{2, 10, 50}, Seg{5, 50, 55}, Seg{6, 55, 70},
                          Seg{5, 70, 85}, Seg{2, 85, 90}, Seg{1, 90, 100}));
  EXPECT_THAT(a.critical_path_ns, ElementsAre(20, 45, 0, 0, 20, 15));
  EXPECT_EQ(a.tree.max_depth(), 3u);
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, ChildEndingWithTheCursorIsEligibleAndEqualEndsPreferTheLonger) {
  // B and C both end at 80; B starts earlier and explains more of the wait.
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 20, 80),
                                   MakeSpan(3, 1, 50, 80), MakeSpan(4, 1, 5, 20)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_THAT(Path(spans, a),
              ElementsAre(Seg{1, 0, 5}, Seg{4, 5, 20}, Seg{2, 20, 80}, Seg{1, 80, 100}));
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, ChildExtendingPastItsParentIsClipped) {
  // A [0,100] with B [50,150]; B's child C [120,140] lies wholly past A.
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 50, 150),
                                   MakeSpan(3, 2, 120, 140)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.duration_ns, 150);
  EXPECT_THAT(a.self_time_ns, ElementsAre(50, 80, 20));
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{1, 0, 50}, Seg{2, 50, 100}));
  EXPECT_THAT(a.critical_path_ns, ElementsAre(50, 50, 0));
  ExpectPathCoversRoot(spans, a);
  // B and A both last 100; A started first.
  ASSERT_EQ(a.slowest_by_duration.size(), 3u);
  EXPECT_EQ(a.slowest_by_duration[0].span, 0u);
  EXPECT_EQ(a.slowest_by_duration[1].span, 1u);
  EXPECT_EQ(a.slowest_by_duration[1].value_ns, 100);
  EXPECT_THAT(a.slowest_by_duration[1].share, DoubleEq(100.0 / 150.0));
}

TEST(TraceAnalysisTest, ChildStartingBeforeItsParent) {
  const std::vector<Span> spans = {MakeSpan(1, 0, 100, 200), MakeSpan(2, 1, 50, 150)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.start_ns, 50);
  EXPECT_THAT(a.self_time_ns, ElementsAre(50, 100));
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{2, 100, 150}, Seg{1, 150, 200}));
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, OrphansAndRootChoice) {
  // A genuine root and an orphan subtree that ends later.
  const std::vector<Span> spans = {MakeSpan(7, 99, 200, 300, "late"),
                                   MakeSpan(8, 7, 210, 250, "late"),
                                   MakeSpan(1, 0, 10, 100, "front")};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.tree.orphan_count(), 1u);
  EXPECT_EQ(a.root_span, 2u);  // the genuine root, though the orphan is not earlier
  EXPECT_EQ(a.root_service, "front");
  EXPECT_EQ(a.critical_path_root, 0u);  // the root that ends last
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{7, 200, 210}, Seg{8, 210, 250}, Seg{7, 250, 300}));
  EXPECT_EQ(PathTotal(a), 100);
  EXPECT_EQ(a.duration_ns, 290);
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, OnlyOrphansUseTheEarliestSpanAsRoot) {
  const std::vector<Span> spans = {MakeSpan(7, 99, 200, 300, "b", "late"),
                                   MakeSpan(8, 98, 100, 150, "a", "early")};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.root_span, 1u);
  EXPECT_EQ(a.root_service, "a");
  EXPECT_EQ(a.root_span_name, "early");
}

TEST(TraceAnalysisTest, CyclesDoNotLoop) {
  const std::vector<Span> spans = {MakeSpan(1, 2, 0, 100), MakeSpan(2, 1, 10, 60),
                                   MakeSpan(3, 3, 200, 210)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.tree.cycle_count(), 2u);
  EXPECT_EQ(a.root_span, 0u);  // no genuine root: the earliest span
  EXPECT_THAT(a.self_time_ns, ElementsAre(50, 50, 10));
  EXPECT_EQ(a.critical_path_root, 2u);
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{3, 200, 210}));
}

TEST(TraceAnalysisTest, DuplicatesCountOnce) {
  const std::vector<Span> spans = {MakeSpan(1, 0, 0, 100), MakeSpan(2, 1, 10, 20),
                                   MakeSpan(2, 1, 10, 20)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.span_count, 2u);
  EXPECT_THAT(a.services, ElementsAre(ServiceSpanCount{"svc", 2, 0}));
  EXPECT_THAT(a.self_time_ns, ElementsAre(90, 10, 0));
  EXPECT_THAT(a.critical_path_ns, ElementsAre(90, 10, 0));
  ASSERT_EQ(a.slowest_by_duration.size(), 2u);
}

TEST(TraceAnalysisTest, ErrorsAndRankings) {
  std::vector<Span> spans = {MakeSpan(1, 0, 0, 1000, "front"), MakeSpan(2, 1, 100, 700, "db"),
                             MakeSpan(3, 2, 150, 250, "db"), MakeSpan(4, 1, 50, 90, "cache")};
  spans[2].status = SpanStatus::kError;
  spans[2].status_message = "deadlock detected";
  spans[3].status = SpanStatus::kError;
  spans[1].status = SpanStatus::kOk;
  TraceAnalysisOptions options;
  options.top_n = 2;
  const TraceAnalysis a = AnalyzeTrace(spans, options);
  EXPECT_TRUE(a.has_error);
  EXPECT_EQ(a.error_count, 2u);
  ASSERT_EQ(a.errors.size(), 2u);
  EXPECT_EQ(a.errors[0].span, 3u);  // start order
  EXPECT_EQ(a.errors[0].service, "cache");
  EXPECT_EQ(a.errors[1].span, 2u);
  EXPECT_EQ(a.errors[1].name, "op3");
  EXPECT_EQ(a.errors[1].status_message, "deadlock detected");
  EXPECT_THAT(a.services, ElementsAre(ServiceSpanCount{"cache", 1, 1}, ServiceSpanCount{"db", 2, 1},
                                      ServiceSpanCount{"front", 1, 0}));
  ASSERT_EQ(a.slowest_by_duration.size(), 2u);
  EXPECT_EQ(a.slowest_by_duration[0].span, 0u);
  EXPECT_THAT(a.slowest_by_duration[0].share, DoubleEq(1.0));
  EXPECT_EQ(a.slowest_by_duration[1].span, 1u);
  EXPECT_EQ(a.slowest_by_duration[1].value_ns, 600);
  EXPECT_THAT(a.slowest_by_duration[1].share, DoubleEq(0.6));
  // Self: front 1000-640=360, db 600-100=500, db child 100, cache 40.
  EXPECT_THAT(a.self_time_ns, ElementsAre(360, 500, 100, 40));
  ASSERT_EQ(a.slowest_by_self_time.size(), 2u);
  EXPECT_EQ(a.slowest_by_self_time[0].span, 1u);
  EXPECT_EQ(a.slowest_by_self_time[0].value_ns, 500);
  EXPECT_THAT(a.slowest_by_self_time[0].share, DoubleEq(0.5));
  EXPECT_EQ(a.slowest_by_self_time[1].span, 0u);
}

TEST(TraceAnalysisTest, TenThousandDeepChain) {
  constexpr int kN = 10000;
  std::vector<Span> spans;
  for (int i = kN - 1; i >= 0; --i) {
    spans.push_back(MakeSpan(i + 1, i == 0 ? 0 : i, i, 2 * kN - i));
  }
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.duration_ns, 2 * kN);
  EXPECT_EQ(a.tree.max_depth(), static_cast<uint32_t>(kN - 1));
  for (int64_t t : a.self_time_ns) ASSERT_EQ(t, 2);
  for (int64_t t : a.critical_path_ns) ASSERT_EQ(t, 2);
  // Each span contributes a segment on either side of its child; the leaf one merged one.
  EXPECT_EQ(a.critical_path.size(), static_cast<size_t>(2 * kN - 1));
  ExpectPathCoversRoot(spans, a);
  EXPECT_EQ(a.root_span, static_cast<uint32_t>(kN - 1));
}

TEST(TraceAnalysisTest, TenThousandSequentialFanOut) {
  constexpr int kN = 10000;
  std::vector<Span> spans = {MakeSpan(1, 0, 0, 2 * kN)};
  for (int i = 0; i < kN; ++i) {
    const int k = (i * 7919) % kN;  // shuffled
    spans.push_back(MakeSpan(2 + k, 1, 2 * k, 2 * k + 1));
  }
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.self_time_ns[0], kN);
  EXPECT_EQ(a.critical_path_ns[0], kN);
  for (size_t i = 1; i < spans.size(); ++i) ASSERT_EQ(a.critical_path_ns[i], 1);
  EXPECT_EQ(a.critical_path.size(), static_cast<size_t>(2 * kN));
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, TenThousandParallelFanOut) {
  constexpr int kN = 10000;
  std::vector<Span> spans = {MakeSpan(1, 0, 0, kN + 5)};
  for (int i = 0; i < kN; ++i) spans.push_back(MakeSpan(2 + i, 1, i, kN));
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.self_time_ns[0], 5);
  // The longest of the children ending together is the one on the path.
  EXPECT_THAT(Path(spans, a), ElementsAre(Seg{2, 0, kN}, Seg{1, kN, kN + 5}));
  ExpectPathCoversRoot(spans, a);
}

TEST(TraceAnalysisTest, HostileTimes) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(SpanDurationNs(kMin, kMax), kMax);
  EXPECT_EQ(SpanDurationNs(10, 5), 0);
  EXPECT_EQ(SpanDurationNs(-5, 5), 10);
  // End before start, and extreme values: no overflow, no crash.
  const std::vector<Span> spans = {MakeSpan(1, 0, kMin, kMax), MakeSpan(2, 1, 50, 10),
                                   MakeSpan(3, 1, kMin, 0)};
  const TraceAnalysis a = AnalyzeTrace(spans);
  EXPECT_EQ(a.duration_ns, kMax);
  EXPECT_EQ(a.self_time_ns[1], 0);
  EXPECT_EQ(a.self_time_ns[2], kMax);  // saturated
  EXPECT_EQ(a.self_time_ns[0], 0);
  EXPECT_FALSE(a.critical_path.empty());
}

}  // namespace
}  // namespace vigil
