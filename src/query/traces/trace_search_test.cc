#include "query/traces/trace_search.h"

#include "common/time_util.h"
#include "gtest/gtest.h"
#include "storage/traces/span_test_util.h"
#include "storage/traces/temp_traces_db.h"

namespace vigil {
namespace {

using traces::MakeTestBatch;
using traces::TestTraceId;

class TraceSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = NowNs();
    // 30 traces of 10 spans (errors at span 6 of each) and 30 traces of 3 spans (no errors);
    // half of them cut into a segment, half in the head.
    SpanBatch a = MakeTestBatch(0, 30, 10, now_ - 600'000'000'000);
    SpanBatch b = MakeTestBatch(100, 30, 3, now_ - 300'000'000'000);
    ASSERT_TRUE(db_->Append(a).ok());
    ASSERT_TRUE(db_->Flush().ok());
    ASSERT_TRUE(db_->Append(b).ok());
  }

  TraceSearchRequest Range() const {
    TraceSearchRequest r;
    r.start_ns = now_ - 3600'000'000'000;
    r.end_ns = now_;
    return r;
  }

  int64_t now_ = 0;
  TempTracesDb db_;
};

TEST_F(TraceSearchTest, NewestTracesWithoutConditions) {
  TraceSearchRequest r = Range();
  r.limit = 5;
  auto res = SearchTraces(db_.db(), r);
  ASSERT_TRUE(res.ok()) << res.status();
  ASSERT_EQ(res->traces.size(), 5u);
  EXPECT_EQ(res->traces[0].trace_id, TestTraceId(129));  // the newest start
  EXPECT_EQ(res->traces[0].span_count, 3u);
  EXPECT_EQ(res->traces[0].root_service, "svc0");
  EXPECT_EQ(res->traces[0].root_span_name, "op0");
}

TEST_F(TraceSearchTest, SpanConditionsFindTheirTraces) {
  TraceSearchRequest r = Range();
  r.spans.attributes = {{"http.status_code", "500"}};
  r.limit = 100;
  auto res = SearchTraces(db_.db(), r);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->traces.size(), 30u);  // only the 10-span traces err
  for (size_t i = 0; i < res->traces.size(); ++i) {
    EXPECT_EQ(res->traces[i].span_count, 10u);
    EXPECT_TRUE(res->traces[i].has_error());
    EXPECT_EQ(res->matched_spans[i], 1u);
  }
  EXPECT_EQ(res->traces[0].trace_id, TestTraceId(29));
}

TEST_F(TraceSearchTest, TheNewestMatchesComeFromTheNewestWindows) {
  TraceSearchRequest r = Range();
  r.spans.attributes = {{"http.status_code", "500"}};
  r.limit = 3;
  auto res = SearchTraces(db_.db(), r);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->traces.size(), 3u);
  EXPECT_EQ(res->traces[0].trace_id, TestTraceId(29));
  EXPECT_EQ(res->traces[1].trace_id, TestTraceId(28));
  EXPECT_EQ(res->traces[2].trace_id, TestTraceId(27));
  EXPECT_EQ(res->traces[2].span_count, 10u);
}

TEST_F(TraceSearchTest, TraceConditionsNeedWholeTraces) {
  TraceSearchRequest r = Range();
  r.traces.min_span_count = 5;
  r.traces.has_error = false;
  auto res = SearchTraces(db_.db(), r);
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(res->traces.empty());  // every 10-span trace has an error

  r = Range();
  r.spans.service_name = "svc2";  // the 3-span traces have svc0..svc2 too
  r.traces.min_span_count = 5;
  r.limit = 3;
  res = SearchTraces(db_.db(), r);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->traces.size(), 3u);
  EXPECT_EQ(res->traces[0].trace_id, TestTraceId(29));
  EXPECT_EQ(res->traces[0].services,
            (std::vector<std::string>{"svc0", "svc1", "svc2", "svc3"}));
  EXPECT_GT(res->matched_spans[0], 0u);
}

TEST_F(TraceSearchTest, NothingMatches) {
  TraceSearchRequest r = Range();
  r.spans.span_name = "no-such-operation";
  auto res = SearchTraces(db_.db(), r);
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(res->traces.empty());
}

}  // namespace
}  // namespace vigil
