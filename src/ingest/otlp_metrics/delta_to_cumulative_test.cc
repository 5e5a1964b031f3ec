#include "ingest/otlp_metrics/delta_to_cumulative.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(DeltaToCumulativeTest, RunningTotalsAcrossSessions) {
  DeltaToCumulative d;
  {
    DeltaToCumulative::Session s(d);
    EXPECT_EQ(s.Add("a", 1000, 5), 5);
    EXPECT_EQ(s.Add("a", 2000, 3), 8);
    EXPECT_EQ(s.Add("b", 1000, 1), 1);
    s.Commit();
  }
  EXPECT_EQ(d.size(), 2u);
  DeltaToCumulative::Session s(d);
  int64_t last = 0;
  EXPECT_FALSE(s.CanAdd("a", 1500, &last));
  EXPECT_EQ(last, 2000);
  EXPECT_TRUE(s.CanAdd("a", 2000, &last));  // the same millisecond adds up
  EXPECT_TRUE(s.CanAdd("new", 0, &last));
  EXPECT_EQ(s.Add("a", 3000, 2), 10);
}

TEST(DeltaToCumulativeTest, UncommittedSessionsChangeNothing) {
  DeltaToCumulative d;
  {
    DeltaToCumulative::Session s(d);
    s.Add("a", 1000, 5);
    s.Commit();
  }
  {
    DeltaToCumulative::Session s(d);
    EXPECT_EQ(s.Add("a", 2000, 100), 105);
    EXPECT_EQ(s.Add("b", 2000, 1), 1);
    // Dropped without Commit (the request failed).
  }
  EXPECT_EQ(d.size(), 1u);
  DeltaToCumulative::Session s(d);
  EXPECT_EQ(s.Add("a", 3000, 1), 6);
}

TEST(DeltaToCumulativeTest, EvictsTheLeastRecentlyUsed) {
  DeltaToCumulative d(/*max_series=*/10);
  for (int i = 0; i < 10; ++i) {
    DeltaToCumulative::Session s(d);
    s.Add("k" + std::to_string(i), 1000, 1);
    s.Commit();
  }
  {
    DeltaToCumulative::Session s(d);  // k0 is used again: it becomes the most recent
    s.Add("k0", 2000, 1);
    s.Commit();
  }
  {
    DeltaToCumulative::Session s(d);
    s.Add("k10", 1000, 1);
    s.Commit();
  }
  EXPECT_EQ(d.size(), 10u);
  DeltaToCumulative::Session s(d);
  EXPECT_EQ(s.Add("k0", 3000, 1), 3) << "recently used: kept";
  EXPECT_EQ(s.Add("k1", 3000, 1), 1) << "oldest: evicted, starts again";
}

TEST(DeltaToCumulativeTest, OneLargeSessionIsTrimmedToTheLimit) {
  DeltaToCumulative d(/*max_series=*/100);
  DeltaToCumulative::Session s(d);
  for (int i = 0; i < 150; ++i) s.Add("k" + std::to_string(i), 1000, 1);
  s.Commit();
  EXPECT_EQ(d.size(), 100u);
}

TEST(DeltaToCumulativeTest, ConcurrentSessionsDoNotLoseDeltas) {
  DeltaToCumulative d;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        DeltaToCumulative::Session s(d);
        s.Add("shared", 1000 + t * 1000 + i, 1);
        s.Commit();
      }
    });
  }
  for (auto& th : threads) th.join();
  DeltaToCumulative::Session s(d);
  EXPECT_EQ(s.Add("shared", 1'000'000, 0), 400);
}

}  // namespace
}  // namespace vigil
