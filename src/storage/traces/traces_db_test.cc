#include "storage/traces/traces_db.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/time_util.h"
#include "gtest/gtest.h"
#include "storage/traces/span_test_util.h"
#include "storage/traces/temp_traces_db.h"

namespace vigil {
namespace {

using traces::MakeTestBatch;
using traces::TestTraceId;

size_t TraceSize(TracesDb& db, uint64_t t) {
  std::vector<Span> spans;
  EXPECT_TRUE(db.GetTrace(TestTraceId(t), 0, 0, &spans).ok());
  return spans.size();
}

size_t ScanCount(TracesDb& db, const SpanScanRequest& req) {
  size_t n = 0;
  EXPECT_TRUE(db.ScanSpans(req, [&](std::span<const SpanRow> rows) {
                  n += rows.size();
                  return true;
                }).ok());
  return n;
}

TEST(TracesDbTest, ServesTheHeadThenSegmentsThenAfterReopen) {
  TempTracesDb db;
  const int64_t now = NowNs();
  SpanBatch a = MakeTestBatch(0, 20, 5, now - 60'000'000'000);
  auto stats = db->Append(a);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->accepted, 100u);
  EXPECT_EQ(TraceSize(db.db(), 3), 5u);
  EXPECT_EQ(ScanCount(db.db(), {}), 100u);

  ASSERT_TRUE(db->Flush().ok());
  EXPECT_EQ(db->Stats().segments, 1u);
  EXPECT_EQ(db->Stats().head_spans, 0u);
  // A trace whose spans arrive in two batches, one before and one after the cut.
  SpanBatch more = MakeTestBatch(3, 1, 5, now - 30'000'000'000);
  for (auto& e : more.mutable_spans()) e.span_id += 500;
  ASSERT_TRUE(db->Append(more).ok());
  EXPECT_EQ(TraceSize(db.db(), 3), 10u);

  auto services = db->Services(0, INT64_MAX);
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"svc0", "svc1", "svc2", "svc3"}));
  auto names = db->SpanNames("svc0", 0, INT64_MAX);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"op0", "op4"}));

  db.Reopen();  // cuts the head on close
  EXPECT_EQ(db->Stats().segments, 2u);
  EXPECT_EQ(TraceSize(db.db(), 3), 10u);
  EXPECT_EQ(ScanCount(db.db(), {}), 105u);
}

TEST(TracesDbTest, ACrashLosesNothingAppended) {
  TempTracesDb db([](TracesDbOptions& o) { o.wal_sync = true; });
  const int64_t now = NowNs();
  SpanBatch a = MakeTestBatch(0, 10, 4, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(a).ok());
  ASSERT_TRUE(db->Flush().ok());
  SpanBatch b = MakeTestBatch(10, 10, 4, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(b).ok());
  db.CrashAndReopen();
  EXPECT_EQ(ScanCount(db.db(), {}), 80u);
  EXPECT_EQ(TraceSize(db.db(), 15), 4u);
}

TEST(TracesDbTest, AnUnfinishedSegmentIsDiscardedAndItsSpansComeFromTheWal) {
  TempTracesDb db;
  const int64_t now = NowNs();
  SpanBatch a = MakeTestBatch(0, 5, 4, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(a).ok());
  { std::ofstream(db.dir() + "/segments/00000009-7.tseg.tmp") << "half a segment"; }
  db.CrashAndReopen();
  EXPECT_FALSE(std::filesystem::exists(db.dir() + "/segments/00000009-7.tseg.tmp"));
  EXPECT_EQ(ScanCount(db.db(), {}), 20u);
}

TEST(TracesDbTest, RefusesSpansOutsideTheWindowAndKeepsTheRest) {
  TempTracesDb db([](TracesDbOptions& o) { o.retention_ns = 3600'000'000'000; });
  const int64_t now = NowNs();
  SpanBatch a = MakeTestBatch(0, 3, 2, now - 1'000'000'000);
  a.mutable_spans()[0].start_ns = now - 7200'000'000'000;
  a.mutable_spans()[0].end_ns = now - 7100'000'000'000;
  a.mutable_spans()[1].start_ns = now + 3600'000'000'000;
  a.mutable_spans()[1].end_ns = now + 3601'000'000'000;
  auto stats = db->Append(a);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->accepted, 4u);
  EXPECT_EQ(stats->rejected[static_cast<size_t>(SpanRejectReason::kTooOld)], 1u);
  EXPECT_EQ(stats->rejected[static_cast<size_t>(SpanRejectReason::kTooFarInFuture)], 1u);
  ASSERT_EQ(stats->errors.size(), 2u);
  EXPECT_NE(stats->errors[0].find("ended before the retention period (1h)"), std::string::npos)
      << stats->errors[0];
}

TEST(TracesDbTest, RetentionDeletesWholeSegments) {
  TempTracesDb db([](TracesDbOptions& o) { o.retention_ns = 3600'000'000'000; });
  const int64_t now = NowNs();
  SpanBatch old = MakeTestBatch(0, 5, 2, now - 3000'000'000'000);
  ASSERT_TRUE(db->Append(old).ok());
  ASSERT_TRUE(db->Flush().ok());
  SpanBatch fresh = MakeTestBatch(5, 5, 2, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(fresh).ok());
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->ApplyRetention(now + 1000'000'000'000).ok());
  EXPECT_EQ(db->Stats().segments, 1u);
  EXPECT_EQ(TraceSize(db.db(), 0), 0u);
  EXPECT_EQ(TraceSize(db.db(), 7), 2u);
}

TEST(TracesDbTest, ConcurrentAppendsCutsAndReads) {
  TempTracesDb db;
  const int64_t now = NowNs();
  std::atomic<bool> done = false;
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 40; ++i) {
        SpanBatch b = MakeTestBatch(uint64_t(w) * 1000 + i * 10, 10, 3, now - 1'000'000'000);
        ASSERT_TRUE(db->Append(b).ok());
      }
    });
  }
  std::thread cutter([&] {
    while (!done) {
      ASSERT_TRUE(db->Flush().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::thread reader([&] {
    while (!done) {
      size_t n = TraceSize(db.db(), 5);
      EXPECT_TRUE(n == 0 || n == 3) << n;
    }
  });
  for (auto& t : writers) t.join();
  done = true;
  cutter.join();
  reader.join();
  EXPECT_EQ(ScanCount(db.db(), {}), 3u * 40 * 10 * 3);
  for (uint64_t t : {0ull, 1005ull, 2399ull}) EXPECT_EQ(TraceSize(db.db(), t), 3u) << t;
}

}  // namespace
}  // namespace vigil
