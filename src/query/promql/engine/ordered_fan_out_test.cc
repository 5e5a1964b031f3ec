#include "query/promql/engine/ordered_fan_out.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vigil::promql {
namespace {

// Items are consumed in index order, each after it was computed, and never more than
// `window` items ahead of the consumer are computed.
void CheckOrderedRun(boost::asio::thread_pool* pool, size_t helpers, size_t n, size_t window) {
  std::vector<size_t> values(n, 0);
  std::atomic<size_t> consumed{0};
  std::atomic<bool> over_window{false};
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<size_t> on_caller{0};
  bool ok = RunOrdered(
      pool, helpers, n, window,
      [&](size_t i) {
        if (i >= consumed.load() + window) over_window = true;
        if (std::this_thread::get_id() == caller) ++on_caller;
        values[i] = i * i + 1;
      },
      [&](size_t i) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        EXPECT_EQ(values[i], i * i + 1) << i;
        order.push_back(i);
        consumed = i + 1;
        return true;
      });
  EXPECT_TRUE(ok);
  ASSERT_EQ(order.size(), n);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(order[i], i);
  EXPECT_FALSE(over_window);
  if (pool == nullptr) {
    EXPECT_EQ(on_caller.load(), n);
  }
}

TEST(RunOrderedTest, ConsumesInOrderWithinTheWindow) {
  boost::asio::thread_pool pool(3);
  CheckOrderedRun(&pool, 3, 2000, 4);
  CheckOrderedRun(&pool, 3, 2000, 1);
  CheckOrderedRun(&pool, 8, 5, 100);
  CheckOrderedRun(&pool, 2, 0, 4);
  pool.join();
}

TEST(RunOrderedTest, WithoutAPoolEverythingRunsOnTheCaller) {
  CheckOrderedRun(nullptr, 4, 100, 3);
}

TEST(RunOrderedTest, StopsClaimingWhenTheConsumerStops) {
  boost::asio::thread_pool pool(2);
  std::atomic<size_t> computed{0}, max_index{0};
  const size_t window = 4;
  bool ok = RunOrdered(
      &pool, 2, 1000, window,
      [&](size_t i) {
        ++computed;
        size_t m = max_index.load();
        while (i > m && !max_index.compare_exchange_weak(m, i)) {
        }
      },
      [&](size_t i) { return i < 10; });
  EXPECT_FALSE(ok);
  // Item 10 was the last consumed; nothing beyond the window after it was claimed, and
  // every claimed item finished before RunOrdered returned.
  EXPECT_LE(max_index.load(), 10 + window);
  EXPECT_EQ(computed.load(), max_index.load() + 1);
  pool.join();
}

}  // namespace
}  // namespace vigil::promql
