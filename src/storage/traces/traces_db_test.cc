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

// The light rows of a trace, which must agree with GetTrace.
size_t TraceRowCount(TracesDb& db, uint64_t t) {
  size_t n = 0;
  EXPECT_TRUE(db.ScanTrace(TestTraceId(t), 0, 0, [&](std::span<const SpanRow> rows) {
                  for (const SpanRow& r : rows) EXPECT_EQ(r.trace_id, TestTraceId(t));
                  n += rows.size();
                }).ok());
  return n;
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

  EXPECT_EQ(TraceRowCount(db.db(), 3), 10u);  // 5 in a segment, 5 in the head
  db.Reopen();  // cuts the head on close
  EXPECT_EQ(db->Stats().segments, 2u);
  EXPECT_EQ(TraceSize(db.db(), 3), 10u);
  EXPECT_EQ(TraceRowCount(db.db(), 3), 10u);
  EXPECT_EQ(TraceRowCount(db.db(), 999), 0u);
  EXPECT_EQ(ScanCount(db.db(), {}), 105u);
}

TEST(TracesDbTest, HeadRowsKeepTheirNamesOnceTheRequestIsGone) {
  TempTracesDb db;
  const int64_t now = NowNs();
  // The batch's strings point into the request, as a decoder's do.
  std::string service = "checkout", name = "GET /cart";
  SpanBatch b;
  const uint32_t res = b.AddResource(service, {});
  for (uint64_t k = 0; k < 3; ++k) {
    SpanBatch::Entry& e = b.AddSpan(res);
    e.trace_id = TestTraceId(1);
    e.span_id = k + 1;
    e.name = name;
    e.start_ns = now - 1'000'000'000 + static_cast<int64_t>(k);
    e.end_ns = e.start_ns + 1000;
  }
  ASSERT_TRUE(db->Append(b).ok());
  // The request's memory is reused once it is answered.
  std::fill(service.begin(), service.end(), 'x');
  std::fill(name.begin(), name.end(), 'x');
  SpanScanRequest req;
  req.filter.service_name = "checkout";
  req.filter.span_name = "GET /cart";
  EXPECT_EQ(ScanCount(db.db(), req), 3u);
  auto services = db->Services(0, INT64_MAX);
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"checkout"}));
  auto names = db->SpanNames("checkout", 0, INT64_MAX);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"GET /cart"}));
}

TEST(TracesDbTest, AppendsWaitWhileACutIsBehindAndTheHeadIsFull) {
  TempTracesDb db([](TracesDbOptions& o) {
    o.head_max_bytes = 1;  // every non-empty head is full
    o.append_max_wait_ns = 50'000'000;
  });
  const int64_t now = NowNs();
  SpanBatch a = MakeTestBatch(0, 2, 3, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(a).ok());
  // A cut that cannot write its segment leaves its head frozen: a cut that is behind.
  namespace fs = std::filesystem;
  const std::string segments = db.dir() + "/segments";
  fs::rename(segments, segments + ".away");
  { std::ofstream(segments) << "not a directory"; }
  EXPECT_FALSE(db->Flush().ok());
  // The live head is empty: the next append goes in and fills it...
  SpanBatch b = MakeTestBatch(10, 2, 3, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(b).ok());
  // ...and the one after waits for the cut, then gives up.
  SpanBatch c = MakeTestBatch(20, 2, 3, now - 1'000'000'000);
  auto refused = db->Append(c);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  // Once the cut catches up, appends go on, and nothing acknowledged was lost.
  fs::remove(segments);
  fs::rename(segments + ".away", segments);
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->Append(c).ok());
  EXPECT_EQ(TraceSize(db.db(), 0), 3u);
  EXPECT_EQ(TraceSize(db.db(), 11), 3u);
  EXPECT_EQ(TraceSize(db.db(), 21), 3u);
  EXPECT_EQ(ScanCount(db.db(), {}), 18u);
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
  EXPECT_EQ(stats->rejected_spans, (std::vector<uint32_t>{0, 1}));
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

TEST(TracesDbTest, TailSamplingKeepsErrorsAFractionAndCarriesYoungTraces) {
  TempTracesDb db([](TracesDbOptions& o) {
    o.sampling.fraction = 0.25;
    o.sampling.keep_errors = true;
    o.sampling.decision_wait_ns = 3600'000'000'000;  // everything is young at first
  });
  const int64_t now = NowNs();
  // 400 traces of 5 spans without errors (MakeTestBatch errs at span 6 of 7+ only)...
  SpanBatch calm = MakeTestBatch(0, 400, 5, now - 60'000'000'000);
  // ...and 20 traces of 7 spans, each with an error.
  SpanBatch failing = MakeTestBatch(1000, 20, 7, now - 60'000'000'000);
  ASSERT_TRUE(db->Append(calm).ok());
  ASSERT_TRUE(db->Append(failing).ok());
  ASSERT_TRUE(db->Flush().ok());
  // Every trace was too young to decide: carried into the new head, nothing written.
  EXPECT_EQ(db->Stats().head_spans, 2140u);
  EXPECT_EQ(db->Stats().segment_spans, 0u);
  EXPECT_EQ(TraceSize(db.db(), 1005), 7u);
}

TEST(TracesDbTest, TailSamplingDecidesOnceTracesAreQuiet) {
  TempTracesDb db([](TracesDbOptions& o) {
    o.sampling.fraction = 0.25;
    o.sampling.decision_wait_ns = 1;  // decided at the first cut
  });
  const int64_t now = NowNs();
  SpanBatch calm = MakeTestBatch(0, 400, 5, now - 60'000'000'000);
  SpanBatch failing = MakeTestBatch(1000, 20, 7, now - 60'000'000'000);
  ASSERT_TRUE(db->Append(calm).ok());
  ASSERT_TRUE(db->Append(failing).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(db->Flush().ok());
  EXPECT_EQ(db->Stats().head_spans, 0u);
  size_t kept_calm = 0;
  for (uint64_t t = 0; t < 400; ++t) {
    size_t n = TraceSize(db.db(), t);
    EXPECT_TRUE(n == 0 || n == 5) << t;  // whole traces or nothing
    EXPECT_EQ(n == 5, traces::InSampledFraction(TestTraceId(t), 0.25)) << t;
    kept_calm += n == 5;
  }
  EXPECT_GT(kept_calm, 60u);   // ~100 expected
  EXPECT_LT(kept_calm, 140u);
  for (uint64_t t = 1000; t < 1020; ++t) EXPECT_EQ(TraceSize(db.db(), t), 7u) << t;
}

TEST(TracesDbTest, TheSameSpanTwiceIsStoredOnce) {
  TempTracesDb db;
  const int64_t now = NowNs();
  SpanBatch a = MakeTestBatch(0, 3, 4, now - 1'000'000'000);
  ASSERT_TRUE(db->Append(a).ok());
  ASSERT_TRUE(db->Append(a).ok());  // a client retrying an export
  ASSERT_TRUE(db->Flush().ok());
  EXPECT_EQ(TraceSize(db.db(), 1), 4u);
  EXPECT_EQ(db->Stats().segment_spans, 12u);
}

}  // namespace
}  // namespace vigil
