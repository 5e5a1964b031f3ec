#include "query/traces/trace_summary.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SpanRow Row(uint64_t trace, SpanId id, SpanId parent, int64_t start, int64_t end,
            std::string_view service, std::string_view name,
            SpanStatus status = SpanStatus::kUnset) {
  SpanRow r;
  r.trace_id = {0, trace};
  r.span_id = id;
  r.parent_span_id = parent;
  r.start_ns = start;
  r.end_ns = end;
  r.service_name = service;
  r.name = name;
  r.status = status;
  return r;
}

TEST(TraceSummaryTest, Empty) {
  TraceSummarizer s;
  s.Add({});
  EXPECT_THAT(s.Finish(), IsEmpty());
}

TEST(TraceSummaryTest, TracesContinueAcrossBatches) {
  TraceSummarizer s;
  // Batch 1: the start of trace 1 (no root yet), all of trace 2.
  {
    std::string buf_a = "api", buf_b = "db";
    const std::vector<SpanRow> batch = {
        Row(1, 11, 10, 120, 180, buf_a, "child"),
        Row(1, 12, 11, 130, 140, buf_b, "query", SpanStatus::kError),
        Row(2, 20, 0, 500, 510, buf_a, "GET /health"),
    };
    s.Add(batch);
    // The summarizer keeps copies: the views may dangle after Add.
    buf_a.assign("XXX");
    buf_b.assign("YYY");
  }
  // Batch 2: the rest of trace 1, its root among it.
  const std::vector<SpanRow> batch2 = {
      Row(1, 13, 10, 150, 400, "worker", "job"),
      Row(1, 10, 0, 100, 300, "web", "GET /checkout"),
  };
  s.Add(batch2);
  EXPECT_EQ(s.trace_count(), 2u);
  const std::vector<TraceSummary> out = s.Finish();
  ASSERT_EQ(out.size(), 2u);
  // Newest first.
  EXPECT_EQ(out[0].trace_id, (TraceId{0, 2}));
  EXPECT_EQ(out[0].root_service, "api");
  EXPECT_EQ(out[0].root_span_name, "GET /health");
  EXPECT_EQ(out[0].duration_ns, 10);
  EXPECT_EQ(out[0].span_count, 1u);
  EXPECT_FALSE(out[0].has_error());

  const TraceSummary& t = out[1];
  EXPECT_EQ(t.trace_id, (TraceId{0, 1}));
  EXPECT_EQ(t.root_service, "web");
  EXPECT_EQ(t.root_span_name, "GET /checkout");
  EXPECT_EQ(t.start_ns, 100);
  EXPECT_EQ(t.duration_ns, 300);  // 400 - 100
  EXPECT_EQ(t.span_count, 4u);
  EXPECT_EQ(t.error_count, 1u);
  EXPECT_THAT(t.services, ElementsAre("api", "db", "web", "worker"));
  EXPECT_EQ(s.trace_count(), 0u);  // Finish leaves it empty
}

TEST(TraceSummaryTest, RootChoiceDoesNotDependOnBatching) {
  const std::vector<SpanRow> rows = {
      Row(1, 5, 0, 100, 200, "b", "second-root"),   // genuine, same start as 3
      Row(1, 3, 0, 100, 150, "a", "first-root"),    // genuine, lower span id wins the tie
      Row(1, 1, 9, 50, 60, "c", "earlier-orphan"),  // earlier but not a root
  };
  for (size_t split = 0; split <= rows.size(); ++split) {
    TraceSummarizer s;
    s.Add(std::span<const SpanRow>(rows).subspan(split));
    s.Add(std::span<const SpanRow>(rows).first(split));
    const std::vector<TraceSummary> out = s.Finish();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].root_span_name, "first-root") << split;
    EXPECT_EQ(out[0].root_service, "a");
    EXPECT_EQ(out[0].start_ns, 50);
    EXPECT_EQ(out[0].duration_ns, 150);
  }
}

TEST(TraceSummaryTest, WithoutRootTheEarliestRowStandsIn) {
  TraceSummarizer s;
  const std::vector<SpanRow> rows = {Row(7, 2, 1, 40, 50, "x", "late"),
                                     Row(7, 3, 1, 20, 10, "y", "early")};  // end < start
  s.Add(rows);
  const std::vector<TraceSummary> out = s.Finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].root_span_name, "early");
  EXPECT_EQ(out[0].root_service, "y");
  EXPECT_EQ(out[0].start_ns, 20);
  EXPECT_EQ(out[0].duration_ns, 30);
}

TEST(TraceSummaryTest, ManyAlternatingServicesStayDistinct) {
  TraceSummarizer s;
  const std::vector<std::string> names = {"c", "a", "b"};
  std::vector<SpanRow> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back(Row(1, i + 1, 0, i, i + 1, names[i % 3], "op"));
  s.Add(rows);
  const std::vector<TraceSummary> out = s.Finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(out[0].services, ElementsAre("a", "b", "c"));
  EXPECT_EQ(out[0].span_count, 1000u);
}

TEST(TraceSummaryTest, SameStartOrdersByTraceId) {
  TraceSummarizer s;
  const std::vector<SpanRow> rows = {Row(9, 1, 0, 5, 6, "s", "a"), Row(3, 1, 0, 5, 6, "s", "b"),
                                     Row(4, 1, 0, 1, 6, "s", "c")};
  s.Add(rows);
  const std::vector<TraceSummary> out = s.Finish();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].trace_id.lo, 3u);
  EXPECT_EQ(out[1].trace_id.lo, 9u);
  EXPECT_EQ(out[2].trace_id.lo, 4u);
}

TEST(TraceFilterTest, Matches) {
  TraceSummary t;
  t.root_service = "web";
  t.root_span_name = "GET /";
  t.duration_ns = 500;
  t.span_count = 12;
  t.error_count = 1;
  t.services = {"db", "web"};

  EXPECT_TRUE(TraceFilter{}.Matches(t));

  TraceFilter f;
  f.root_service = "web";
  EXPECT_TRUE(f.Matches(t));
  f.root_service = "db";
  EXPECT_FALSE(f.Matches(t));

  f = {};
  f.root_span_name = "GET /";
  EXPECT_TRUE(f.Matches(t));
  f.root_span_name = "POST /";
  EXPECT_FALSE(f.Matches(t));

  f = {};
  f.min_duration_ns = 500;
  f.max_duration_ns = 500;
  EXPECT_TRUE(f.Matches(t));
  f.min_duration_ns = 501;
  EXPECT_FALSE(f.Matches(t));
  f.min_duration_ns = 0;
  f.max_duration_ns = 499;
  EXPECT_FALSE(f.Matches(t));

  f = {};
  f.min_span_count = 12;
  f.max_span_count = 12;
  EXPECT_TRUE(f.Matches(t));
  f.min_span_count = 13;
  EXPECT_FALSE(f.Matches(t));
  f.min_span_count = 0;
  f.max_span_count = 11;
  EXPECT_FALSE(f.Matches(t));

  f = {};
  f.has_error = true;
  EXPECT_TRUE(f.Matches(t));
  f.has_error = false;
  EXPECT_FALSE(f.Matches(t));

  f = {};
  f.service = "db";
  EXPECT_TRUE(f.Matches(t));
  f.service = "cache";
  EXPECT_FALSE(f.Matches(t));

  // All at once.
  f = {};
  f.root_service = "web";
  f.service = "db";
  f.has_error = true;
  f.min_duration_ns = 100;
  f.max_span_count = 20;
  EXPECT_TRUE(f.Matches(t));
}

}  // namespace
}  // namespace vigil
