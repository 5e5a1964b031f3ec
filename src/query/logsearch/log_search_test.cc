#include "query/logsearch/log_search.h"


#include "common/strings.h"
#include "common/time_util.h"
#include "gtest/gtest.h"
#include "query/logsearch/record_fields.h"
#include "storage/logs/temp_logs_db.h"

namespace vigil::logsearch {
namespace {

constexpr int64_t kSec = 1'000'000'000;

class LogSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = (NowNs() / kSec - 3600) * kSec;
    LogBatch b;
    uint32_t checkout = b.AddStream(Labels{{"level", "error"}, {"service_name", "checkout"}});
    uint32_t info = b.AddStream(Labels{{"level", "info"}, {"service_name", "checkout"}});
    uint32_t auth = b.AddStream(Labels{{"level", "info"}, {"service_name", "auth"}});
    for (int i = 0; i < 300; ++i) {
      uint32_t s = i % 3 == 0 ? checkout : (i % 3 == 1 ? info : auth);
      LogBatch::Entry& e = b.AddEntry(s);
      e.timestamp_ns = base_ + (i / 2) * kSec;  // pairs share a timestamp
      if (s == checkout) {
        e.body = b.Copy(StrCat("Payment declined for order ", 1000 + i));
        e.trace_id = b.Copy(StrCat("0000000000000000000000000000", 1000 + i));
        b.AddField("error_code", i % 2 == 0 ? "PAYMENT_DECLINED" : "TIMEOUT");
        b.AddField("duration_ms", b.Copy(StrCat(i)));
      } else {
        e.body = b.Copy(StrCat("GET /api/orders/", i, " 200 in ", i % 50, "ms"));
        b.AddField("duration_ms", b.Copy(StrCat(i % 50)));
      }
    }
    ASSERT_TRUE(db_->Append(b).ok());
    ASSERT_TRUE(db_->Flush().ok());
  }
  SearchQuery Q() {
    SearchQuery q;
    q.start_ns = base_;
    q.end_ns = base_ + 3600 * kSec;
    return q;
  }
  FieldFilter F(std::string_view text) {
    auto f = FieldFilter::Parse(text);
    EXPECT_TRUE(f.ok()) << f.status();
    return *f;
  }

  TempLogsDb db_;
  int64_t base_ = 0;
};

TEST_F(LogSearchTest, FieldFiltersAndNumbers) {
  SearchQuery q = Q();
  q.filters = {F("error_code=PAYMENT_DECLINED"), F("duration_ms>200")};
  q.limit = 1000;
  auto r = Search(db_.db(), q);
  ASSERT_TRUE(r.ok()) << r.status();
  // i % 3 == 0, i % 2 == 0, i > 200: i in {204, 210, …, 294}.
  EXPECT_EQ(r->records.size(), 16u);
  for (const FoundRecord& f : r->records) EXPECT_EQ(f.stream.Get("level"), "error");
  EXPECT_TRUE(std::is_sorted(r->records.begin(), r->records.end(),
                             [](const auto& a, const auto& b) { return a.timestamp_ns > b.timestamp_ns; }));
}

TEST_F(LogSearchTest, TraceIdAndSmartCaseText) {
  SearchQuery q = Q();
  q.filters = {F("trace_id=00000000000000000000000000001003")};
  auto r = Search(db_.db(), q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].body, "Payment declined for order 1003");

  SearchQuery lower = Q();
  lower.text = "payment declined";  // all lowercase: case-insensitive
  lower.limit = 1000;
  EXPECT_EQ(Search(db_.db(), lower)->records.size(), 100u);
  SearchQuery upper = Q();
  upper.text = "payment Declined";  // has uppercase: exact case
  EXPECT_TRUE(Search(db_.db(), upper)->records.empty());
}

TEST_F(LogSearchTest, CursorPagesCoverEverythingOnceAcrossTies) {
  for (bool newest : {true, false}) {
    SearchQuery q = Q();
    q.newest_first = newest;
    q.limit = 7;  // odd, so pages end inside pairs of equal timestamps
    std::vector<std::string> seen;
    for (int page = 0; page < 100; ++page) {
      auto r = Search(db_.db(), q);
      ASSERT_TRUE(r.ok()) << r.status();
      for (const auto& f : r->records) seen.push_back(f.body);
      if (r->next_cursor.empty()) break;
      q.cursor = r->next_cursor;
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen.size(), 300u);
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  }
  SearchQuery bad = Q();
  bad.cursor = "nonsense";
  EXPECT_FALSE(Search(db_.db(), bad).ok());
}

TEST_F(LogSearchTest, AggregatesTopValuesDistinctAndBuckets) {
  AggregateQuery a;
  a.where = Q();
  a.where.selector.push_back(*LabelMatcher::Make(MatchType::kEqual, "level", "error"));
  a.by = "error_code";
  a.step_ns = 60 * kSec;
  auto r = Aggregate(db_.db(), a);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->total, 100u);
  EXPECT_EQ(r->distinct, 2u);
  ASSERT_EQ(r->top.size(), 2u);
  EXPECT_EQ(r->top[0], (std::pair<std::string, uint64_t>{"PAYMENT_DECLINED", 50}));
  uint64_t sum = 0, first_value = 0;
  for (const auto& b : r->buckets) {
    sum += b.total;
    first_value += b.counts[0];
  }
  EXPECT_EQ(sum, 100u);
  EXPECT_EQ(first_value, 50u);
  EXPECT_EQ(r->buckets.size(), 3u);  // 150 s of data in 60 s buckets

  AggregateQuery by_pattern;
  by_pattern.where = Q();
  by_pattern.by = "_pattern";
  auto p = Aggregate(db_.db(), by_pattern);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->top.size(), 2u);
  EXPECT_EQ(p->top[0].first, "GET /api/orders/<N> <N> in <N>ms");
  EXPECT_EQ(p->top[1].first, "Payment declined for order <N>");
}

TEST(FieldFilterTest, ParsesAndRefuses) {
  EXPECT_EQ(FieldFilter::Parse("a>=2")->op(), FieldFilter::Op::kGe);
  EXPECT_EQ(FieldFilter::Parse("route=~\"/api/.*\"")->value(), "/api/.*");
  EXPECT_EQ(FieldFilter::Parse("x").status().message(),
            "invalid filter \"x\": expected an operator after \"x\" (=, !=, =~, !~, >, >=, <, <=)");
  EXPECT_EQ(FieldFilter::Parse("d>fast").status().message(),
            "invalid filter \"d>fast\": \"fast\" is not a number");
  EXPECT_FALSE(FieldFilter::Parse("r=~(").ok());
  EXPECT_FALSE(FieldFilter::Parse("=x").ok());
}

TEST(MessagePatternTest, ReplacesVariableParts) {
  std::string out;
  MessagePattern("user 42 logged in from 10.0.0.1 trace=4bf92f3577b34da6a3ce929d0e0e4736 'bob'", &out);
  EXPECT_EQ(out, "user <N> logged in from <N>.<N>.<N>.<N> trace=<ID> <S>");
  MessagePattern("took 35ms, 20KB", &out);
  EXPECT_EQ(out, "took <N>ms, <N>KB");
}

}  // namespace
}  // namespace vigil::logsearch
