#include "api/loki_tailer.h"


#include "common/strings.h"
#include "common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/logs/temp_logs_db.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kSec = 1'000'000'000;

// Log stores in a temp dir, a LogQL engine, and a clock the test moves by hand.
class LokiTailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = (NowNs() / kSec - 120) * kSec;  // a round second two minutes ago
  }

  void Add(std::string_view service, int64_t ts, std::string_view line) {
    LogBatch batch;
    uint32_t s = batch.AddStream(Labels{{"service_name", std::string(service)}});
    LogBatch::Entry& e = batch.AddEntry(s);
    e.timestamp_ns = ts;
    e.body = batch.Copy(line);
    auto st = db_->Append(batch);
    ASSERT_TRUE(st.ok()) << st.status();
    ASSERT_EQ(st->accepted, 1u);
  }

  LokiTailer Tailer(size_t limit = 100, LokiTailerOptions options = {}, int64_t delay = 0) {
    LokiTailQuery q;
    q.query = "{service_name=\"app\"}";
    q.start_ns = base_ - 3600 * kSec;
    q.limit = limit;
    q.delay_ns = delay;
    return LokiTailer(engine_, q, options);
  }

  // Polls at `now` (repeating while it catches up) and takes every frame.
  std::vector<std::string> PollAll(LokiTailer& t, int64_t now) {
    for (int i = 0; i < 100; ++i) {
      auto more = t.Poll(db_.db(), now);
      EXPECT_TRUE(more.ok()) << more.status();
      if (!more.ok() || !*more) break;
    }
    std::vector<std::string> frames;
    while (t.HasFrame()) {
      size_t n = 0;
      frames.push_back(t.BuildFrame(&n));
      t.ConsumeFrame(n);
    }
    return frames;
  }

  // The log lines of `frames`, in order ("values":[["<ts>","<line>"]...]).
  static std::vector<std::string> Lines(const std::vector<std::string>& frames) {
    std::vector<std::string> out;
    for (const std::string& f : frames) {
      size_t pos = 0;
      while ((pos = f.find("\",\"", pos)) != std::string::npos) {
        // Between a timestamp and its line: the line runs to the next `"]`.
        size_t start = pos + 3;
        size_t end = f.find("\"]", start);
        out.push_back(f.substr(start, end - start));
        pos = end;
      }
    }
    return out;
  }

  TempLogsDb db_;
  logql::LogqlEngine engine_;
  int64_t base_ = 0;
};

TEST_F(LokiTailerTest, FrameShape) {
  Add("app", base_ + 1, "first \"quoted\"");
  Add("other", base_ + 2, "not selected");
  LokiTailer t = Tailer();
  auto frames = PollAll(t, base_ + 10 * kSec);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0],
            StrCat("{\"streams\":[{\"stream\":{\"service_name\":\"app\"},\"values\":[[\"",
                   base_ + 1, "\",\"first \\\"quoted\\\"\"]]}],\"dropped_entries\":null}"));
  EXPECT_FALSE(t.HasFrame());
}

TEST_F(LokiTailerTest, InitialBatchIsTheNewestLimitOldestFirst) {
  for (int i = 0; i < 5; ++i) Add("app", base_ + i * kSec, StrCat("line ", i));
  LokiTailer t = Tailer(/*limit=*/3);
  EXPECT_THAT(Lines(PollAll(t, base_ + 10 * kSec)), ElementsAre("line 2", "line 3", "line 4"));
  // Nothing new: no frame, and the lines left out by the limit never come back.
  EXPECT_TRUE(PollAll(t, base_ + 11 * kSec).empty());
  EXPECT_TRUE(PollAll(t, base_ + 20 * kSec).empty());
}

TEST_F(LokiTailerTest, NewEntriesArriveOnceInOrder) {
  Add("app", base_, "old");
  LokiTailer t = Tailer();
  EXPECT_THAT(Lines(PollAll(t, base_ + kSec)), ElementsAre("old"));
  Add("app", base_ + 2 * kSec, "b");
  Add("app", base_ + kSec + 500, "a");
  EXPECT_THAT(Lines(PollAll(t, base_ + 3 * kSec)), ElementsAre("a", "b"));
  EXPECT_TRUE(PollAll(t, base_ + 4 * kSec).empty());
  // Not yet due (stamped after the poll time), then due.
  Add("app", base_ + 6 * kSec, "future");
  EXPECT_TRUE(PollAll(t, base_ + 5 * kSec).empty());
  EXPECT_THAT(Lines(PollAll(t, base_ + 6 * kSec)), ElementsAre("future"));
}

TEST_F(LokiTailerTest, SameTimestampAtTheBoundary) {
  LokiTailer t = Tailer();
  EXPECT_TRUE(PollAll(t, base_).empty());
  Add("app", base_ + kSec, "x1");
  EXPECT_THAT(Lines(PollAll(t, base_ + kSec)), ElementsAre("x1"));
  // Another line with the very timestamp already sent: new; the first is not sent again.
  Add("app", base_ + kSec, "x2");
  EXPECT_THAT(Lines(PollAll(t, base_ + 2 * kSec)), ElementsAre("x2"));
  EXPECT_TRUE(PollAll(t, base_ + 3 * kSec).empty());
}

TEST_F(LokiTailerTest, LateArrivalsWithinTheLateWindow) {
  LokiTailerOptions o;
  o.late_window_ns = 3 * kSec;
  LokiTailer t = Tailer(100, o);
  EXPECT_TRUE(PollAll(t, base_ + 10 * kSec).empty());
  EXPECT_TRUE(PollAll(t, base_ + 11 * kSec).empty());
  // Reaches the store after a poll that covered its timestamp: still sent.
  Add("app", base_ + 10 * kSec, "late but in the window");
  // Too late: older than the window.
  Add("app", base_ + 5 * kSec, "too late");
  EXPECT_THAT(Lines(PollAll(t, base_ + 12 * kSec)), ElementsAre("late but in the window"));
}

TEST_F(LokiTailerTest, DelayFor) {
  LokiTailer t = Tailer(100, {}, /*delay=*/2 * kSec);
  EXPECT_TRUE(PollAll(t, base_).empty());
  Add("app", base_ + kSec, "one");
  EXPECT_TRUE(PollAll(t, base_ + 2 * kSec).empty());  // due at base + 3s
  EXPECT_THAT(Lines(PollAll(t, base_ + 3 * kSec)), ElementsAre("one"));
}

TEST_F(LokiTailerTest, LimitZeroSendsOnlyNewEntries) {
  Add("app", base_, "history");
  LokiTailer t = Tailer(/*limit=*/0);
  EXPECT_TRUE(PollAll(t, base_ + kSec).empty());
  Add("app", base_ + 2 * kSec, "new");
  EXPECT_THAT(Lines(PollAll(t, base_ + 3 * kSec)), ElementsAre("new"));
}

TEST_F(LokiTailerTest, CatchesUpPageByPage) {
  LokiTailerOptions o;
  o.poll_limit = 2;
  LokiTailer t = Tailer(100, o);
  EXPECT_TRUE(PollAll(t, base_).empty());
  for (int i = 0; i < 7; ++i) Add("app", base_ + kSec + i, StrCat("n", i));
  Add("app", base_ + kSec + 3, "n3b");  // shares a timestamp with n3
  auto more = t.Poll(db_.db(), base_ + 2 * kSec);
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(*more);  // cut by the limit
  EXPECT_THAT(Lines(PollAll(t, base_ + 2 * kSec)),
              ElementsAre("n0", "n1", "n2", "n3", "n3b", "n4", "n5", "n6"));
}

TEST_F(LokiTailerTest, SlowClientLosesTheOldestAndIsTold) {
  for (int i = 0; i < 10; ++i) Add("app", base_ + i * kSec, StrCat("line ", i));
  LokiTailerOptions o;
  o.max_buffered_entries = 3;
  o.max_dropped_reported = 5;
  LokiTailer t = Tailer(100, o);
  ASSERT_TRUE(t.Poll(db_.db(), base_ + 20 * kSec).ok());
  EXPECT_EQ(t.buffered(), 3u);
  EXPECT_EQ(t.dropped_total(), 7u);
  size_t n = 0;
  std::string frame = t.BuildFrame(&n);
  EXPECT_EQ(n, 3u);
  EXPECT_THAT(Lines({frame}), ElementsAre("line 7", "line 8", "line 9"));
  // The five newest drops are listed, with their labels and timestamps.
  EXPECT_THAT(frame, HasSubstr(StrCat("\"dropped_entries\":[{\"labels\":{\"service_name\":"
                                      "\"app\"},\"timestamp\":\"",
                                      base_ + 2 * kSec, "\"}")));
  EXPECT_THAT(frame, HasSubstr(StrCat("\"timestamp\":\"", base_ + 6 * kSec, "\"}]")));
  EXPECT_THAT(frame, Not(HasSubstr(StrCat("\"timestamp\":\"", base_ + 1 * kSec, "\""))));
  // A refused frame is rebuilt identically; once consumed, drops are not reported again.
  size_t n2 = 0;
  EXPECT_EQ(t.BuildFrame(&n2), frame);
  t.ConsumeFrame(n);
  EXPECT_FALSE(t.HasFrame());
  Add("app", base_ + 21 * kSec, "after");
  auto frames = PollAll(t, base_ + 22 * kSec);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_THAT(frames[0], HasSubstr("\"dropped_entries\":null"));
}

TEST_F(LokiTailerTest, FramesAreBounded) {
  LokiTailerOptions o;
  o.max_frame_entries = 4;
  LokiTailer t = Tailer(100, o);
  for (int i = 0; i < 10; ++i) Add("app", base_ + i, StrCat("l", i));
  auto frames = PollAll(t, base_ + kSec);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(Lines(frames).size(), 10u);
  EXPECT_EQ(Lines({frames[2]}).size(), 2u);
}

TEST_F(LokiTailerTest, QueryErrorsComeBack) {
  LokiTailQuery q;
  q.query = "{service_name=\"app\"";  // unterminated
  q.start_ns = base_;
  LokiTailer t(engine_, q, {});
  auto r = t.Poll(db_.db(), base_ + kSec);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
