#include "ingest/scrape/interval_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/time_util.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;

TEST(IntervalSchedulerTest, AlignedStartKeepsPhase) {
  EXPECT_EQ(IntervalScheduler::AlignedStart(1000, 100, 0), 1000);
  EXPECT_EQ(IntervalScheduler::AlignedStart(1001, 100, 0), 1100);
  EXPECT_EQ(IntervalScheduler::AlignedStart(1000, 100, 30), 1030);
  EXPECT_EQ(IntervalScheduler::AlignedStart(1031, 100, 30), 1130);
  EXPECT_EQ(IntervalScheduler::AlignedStart(1030, 100, 230), 1030);
  for (int64_t now = 5000; now < 5200; now += 7) {
    int64_t t = IntervalScheduler::AlignedStart(now, 60, 12345);
    EXPECT_GE(t, now);
    EXPECT_LT(t, now + 60);
    EXPECT_EQ(t % 60, 12345 % 60);
  }
}

TEST(IntervalSchedulerTest, RunsPeriodicallyAndRemoves) {
  IntervalScheduler s(2);
  std::atomic<int> a{0}, b{0};
  const uint64_t ida = s.Add(20, NowMs(), [&] { a.fetch_add(1); });
  s.Add(20, NowMs(), [&] { b.fetch_add(1); });
  s.Start();
  const int64_t deadline = NowMs() + 3000;
  while ((a.load() < 3 || b.load() < 3) && NowMs() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_GE(a.load(), 3);
  EXPECT_GE(b.load(), 3);
  s.Remove(ida);
  const int after = a.load();
  std::this_thread::sleep_for(80ms);
  EXPECT_EQ(a.load(), after);
  EXPECT_EQ(s.size(), 1u);
  s.Stop();
}

TEST(IntervalSchedulerTest, RemoveWaitsForARunningTask) {
  IntervalScheduler s(1);
  std::atomic<bool> started{false}, finished{false};
  const uint64_t id = s.Add(1000, NowMs(), [&] {
    started = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  s.Start();
  while (!started.load()) std::this_thread::sleep_for(1ms);
  s.Remove(id);
  EXPECT_TRUE(finished.load());
}

}  // namespace
}  // namespace vigil
