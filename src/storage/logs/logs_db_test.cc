#include "storage/logs/logs_db.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/strings.h"
#include "common/test_temp_path.h"
#include "common/time_util.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

class LogsDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestTempPath("vigil_logs_db_test");
    std::filesystem::remove_all(dir_);
    options_.dir = dir_;
    options_.wal_sync = false;
    options_.background = false;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    db_.reset();
    auto db = LogsDb::Open(options_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  // n lines for `service`, `spacing_ns` apart (a second by default) ending now.
  LogAppendStats Add(std::string_view service, int n, int64_t base_ns = 0,
                     int64_t spacing_ns = 1'000'000'000) {
    LogBatch batch;
    uint32_t s = batch.AddStream(Labels{{"service_name", std::string(service)}});
    int64_t now = base_ns ? base_ns : NowNs();
    for (int i = 0; i < n; ++i) {
      LogBatch::Entry& e = batch.AddEntry(s);
      e.timestamp_ns = now - (n - i) * spacing_ns;
      e.body = batch.Copy(StrCat(service, " line ", i));
      batch.AddField("seq", batch.Copy(StrCat(i)));
    }
    auto st = db_->Append(batch);
    EXPECT_TRUE(st.ok()) << st.status();
    return st.ok() ? *st : LogAppendStats{};
  }
  std::vector<std::string> Bodies(std::string_view service) {
    LogSelectRequest req;
    req.start_ns = 0;
    req.end_ns = INT64_MAX;
    if (!service.empty()) {
      req.matchers.push_back(*LabelMatcher::Make(MatchType::kEqual, "service_name", service));
    }
    std::vector<std::pair<int64_t, std::string>> got;
    EXPECT_TRUE(db_->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
      for (const auto& r : recs) got.emplace_back(r.timestamp_ns, std::string(r.body));
      return true;
    }).ok());
    std::sort(got.begin(), got.end());
    std::vector<std::string> out;
    for (auto& [t, b] : got) out.push_back(b);
    return out;
  }

  std::string dir_;
  LogsDbOptions options_;
  std::unique_ptr<LogsDb> db_;
};

TEST_F(LogsDbTest, HeadSegmentsAndReopen) {
  Open();
  EXPECT_EQ(Add("checkout", 100).accepted, 100u);
  Add("auth", 10);
  EXPECT_EQ(Bodies("checkout").size(), 100u);
  EXPECT_EQ(Bodies("auth")[3], "auth line 3");
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(db_->Stats().head_records, 0u);
  EXPECT_GE(db_->Stats().segments, 1u);
  Add("checkout", 5);  // stays in the head (and the WAL)
  EXPECT_EQ(Bodies("").size(), 115u);
  // Reopen without a clean close of the head: the WAL brings back the last five.
  db_.reset();  // Close() cuts the head; simulate a crash instead by reopening a copy
  Open();
  EXPECT_EQ(Bodies("").size(), 115u);
  auto streams = db_->Streams({}, 0, INT64_MAX);
  ASSERT_TRUE(streams.ok());
  EXPECT_EQ(streams->size(), 2u);
  auto values = db_->LabelValues("service_name", 0, INT64_MAX);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"auth", "checkout"}));
  auto names = db_->LabelNames(0, INT64_MAX);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"service_name"}));
}

// A log query with a limit reads blocks newest (oldest) first and raises a cutoff as it fills
// up: the blocks skipped for it never hold a line it should have kept, and a caller that
// stops is not called again.
// A head past its size is cut as soon as an append finds it so, not at the next tick of the
// maintenance loop (an hour here): a fast sender must not grow it by a tick of traffic.
TEST_F(LogsDbTest, AHeadPastItsSizeIsCutWithoutWaitingForTheTick) {
  options_.background = true;
  options_.maintenance_interval_ns = 3600 * 1'000'000'000LL;
  options_.head_max_bytes = 4096;
  Open();
  Add("small", 2);
  // Well below the size: nothing to cut.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(db_->Stats().segments, 0u);
  Add("big", 200);  // well past 4 KiB
  // The cut runs on the maintenance thread; give it up to a minute on a loaded machine.
  for (int i = 0; i < 600 && db_->Stats().segments == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(db_->Stats().segments, 0u);
  EXPECT_EQ(db_->Stats().head_records, 0u);
  EXPECT_EQ(Bodies("big").size(), 200u);
  EXPECT_EQ(Bodies("small").size(), 2u);
}

TEST_F(LogsDbTest, TimeOrderedSelectHonoursTheCutoff) {
  options_.segment.block_rows = 40;
  Open();
  const int64_t base = NowNs();
  Add("checkout", 1500, base);
  // Twenty lines a second: its blocks span 2 s where checkout's span 40 s, so a cutoff set
  // inside a checkout block still leaves newer auth blocks to read.
  Add("auth", 700, base - 500'000'000, 50'000'000);
  ASSERT_TRUE(db_->Flush().ok());
  Add("checkout", 30, base + 40'000'000'000);  // newest, in the head
  std::vector<int64_t> all;
  {
    LogSelectRequest req;
    req.start_ns = 0;
    req.end_ns = INT64_MAX;
    ASSERT_TRUE(db_->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
      for (const auto& r : recs) all.push_back(r.timestamp_ns);
      return true;
    }).ok());
  }
  ASSERT_EQ(all.size(), 2230u);
  std::sort(all.rbegin(), all.rend());
  const std::vector<int64_t> newest(all.begin(), all.begin() + 100);
  for (auto order : {LogSelectRequest::Order::kNewestFirst, LogSelectRequest::Order::kOldestFirst}) {
    const bool newest_first = order == LogSelectRequest::Order::kNewestFirst;
    std::atomic<int64_t> cutoff{newest_first ? INT64_MIN : INT64_MAX};
    LogSelectRequest req;
    req.start_ns = 0;
    req.end_ns = INT64_MAX;
    req.order = order;
    req.cutoff = &cutoff;
    // Keeps the 100 newest (oldest) seen, and announces the worst of them once it has 100.
    std::vector<int64_t> kept;
    ASSERT_TRUE(db_->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
      for (const auto& r : recs) kept.push_back(r.timestamp_ns);
      if (newest_first) {
        std::sort(kept.rbegin(), kept.rend());
      } else {
        std::sort(kept.begin(), kept.end());
      }
      if (kept.size() > 100) kept.resize(100);
      if (kept.size() == 100) cutoff.store(kept.back());
      return true;
    }).ok());
    std::vector<int64_t> want = newest;
    if (!newest_first) want.assign(all.rbegin(), all.rbegin() + 100);
    EXPECT_EQ(kept, want) << "newest first " << newest_first;
  }
  int calls = 0;
  LogSelectRequest req;
  req.start_ns = 0;
  req.end_ns = INT64_MAX;
  req.order = LogSelectRequest::Order::kNewestFirst;
  ASSERT_TRUE(db_->Select(req, [&](const Labels&, std::span<const LogRecordView>) {
    ++calls;
    return false;
  }).ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(LogsDbTest, ReplaysTheWalAfterACrash) {
  Open();
  Add("checkout", 20);
  ASSERT_TRUE(db_->Flush().ok());
  Add("checkout", 7);
  // Copy the directory while the store is open: what a kill -9 would leave behind.
  std::string crash = dir_ + "_crash";
  std::filesystem::remove_all(crash);
  std::filesystem::copy(dir_, crash, std::filesystem::copy_options::recursive);
  db_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::rename(crash, dir_);
  Open();
  EXPECT_EQ(Bodies("checkout").size(), 27u);
}

TEST_F(LogsDbTest, UnfinishedCutIsDiscardedAndItsRecordsComeFromTheWal) {
  Open();
  Add("checkout", 12);
  db_.reset();
  std::filesystem::create_directories(dir_ + "/segments/00000099.tmp");
  Open();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/segments/00000099.tmp"));
  EXPECT_EQ(Bodies("checkout").size(), 12u);
}

TEST_F(LogsDbTest, RefusesOutOfWindowLongLinesAndNewStreamsOverTheLimit) {
  options_.max_streams = 2;
  options_.max_line_bytes = 20;
  Open();
  LogBatch batch;
  uint32_t a = batch.AddStream(Labels{{"service_name", "a"}});
  uint32_t b = batch.AddStream(Labels{{"service_name", "b"}});
  uint32_t c = batch.AddStream(Labels{{"service_name", "c"}});
  int64_t now = NowNs();
  auto add = [&](uint32_t s, int64_t ts, std::string_view body) {
    LogBatch::Entry& e = batch.AddEntry(s);
    e.timestamp_ns = ts;
    e.body = body;
  };
  add(a, now, "fine");
  add(a, now - 30LL * 24 * 3600 * 1'000'000'000, "too old");
  add(a, now + 3600LL * 1'000'000'000, "future");
  add(b, now, "this line is longer than twenty bytes");
  add(b, now, "ok");
  add(c, now, "third stream");
  auto st = db_->Append(batch);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->accepted, 2u);
  EXPECT_EQ(st->rejected[static_cast<size_t>(LogRejectReason::kTooOld)], 1u);
  EXPECT_EQ(st->rejected[static_cast<size_t>(LogRejectReason::kTooFarInFuture)], 1u);
  EXPECT_EQ(st->rejected[static_cast<size_t>(LogRejectReason::kLineTooLong)], 1u);
  EXPECT_EQ(st->rejected[static_cast<size_t>(LogRejectReason::kStreamLimit)], 1u);
  EXPECT_EQ(st->rejected_entries, (std::vector<uint32_t>{1, 2, 3, 5}));
  ASSERT_EQ(st->errors.size(), 4u);
  EXPECT_NE(st->errors[0].find("too old"), std::string::npos) << st->errors[0];
  EXPECT_NE(st->errors[3].find("stream limit"), std::string::npos) << st->errors[3];
  EXPECT_EQ(Bodies("").size(), 2u);
}

TEST_F(LogsDbTest, RetentionDeletesWholeSegmentsPerRule) {
  options_.retention_ns = 24 * 3600 * 1'000'000'000LL;  // 1 day by default
  LogRetentionRule audit;
  audit.selector = R"({service_name="audit"})";
  audit.matchers.push_back(*LabelMatcher::Make(MatchType::kEqual, "service_name", "audit"));
  audit.period_ns = 365 * 24 * 3600 * 1'000'000'000LL;
  options_.retention_rules.push_back(audit);
  Open();
  int64_t three_days_ago = NowNs() - 3 * 24 * 3600 * 1'000'000'000LL;
  Add("audit", 10, three_days_ago);
  Add("checkout", 10, three_days_ago);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(db_->Stats().segments, 2u);  // one per rule
  ASSERT_TRUE(db_->ApplyRetention(NowNs()).ok());
  EXPECT_EQ(db_->Stats().segments, 1u);
  EXPECT_EQ(Bodies("audit").size(), 10u);
  EXPECT_TRUE(Bodies("checkout").empty());
  Open();  // and it stays deleted
  EXPECT_TRUE(Bodies("checkout").empty());
  EXPECT_EQ(Bodies("audit").size(), 10u);
}

TEST_F(LogsDbTest, SegmentsSplitByTimeWindow) {
  options_.segment_window_ns = 3600LL * 1'000'000'000;
  Open();
  int64_t base = (NowNs() / options_.segment_window_ns) * options_.segment_window_ns;
  Add("checkout", 10, base + 5'000'000'000LL);  // straddles the hour boundary
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(db_->Stats().segments, 2u);
  EXPECT_EQ(Bodies("checkout").size(), 10u);
}

TEST_F(LogsDbTest, ConcurrentAppendsAndCuts) {
  Open();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) Add(StrCat("svc", t), 20);
    });
  }
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(db_->Flush().ok());
    Bodies("");
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(Bodies("").size(), 4u * 50 * 20);
  Open();
  EXPECT_EQ(Bodies("").size(), 4u * 50 * 20);
}

}  // namespace
}  // namespace vigil
