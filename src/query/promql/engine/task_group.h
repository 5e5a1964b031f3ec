// Runs closures on a shared worker pool and waits for them: the fan-out a query uses to
// spread per-series work over the machine's cores. Without a pool, Run executes inline.
//
// Thread-safety: Run and Wait are called by one (the query's) thread; the closures run on
// pool threads and must not touch state other closures touch.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

#include "boost/asio/post.hpp"
#include "boost/asio/thread_pool.hpp"

namespace vigil::promql {

class TaskGroup {
 public:
  explicit TaskGroup(boost::asio::thread_pool* pool) : pool_(pool) {}
  ~TaskGroup() { Wait(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  void Run(std::function<void()> fn) {
    if (!pool_) {
      fn();
      return;
    }
    {
      std::lock_guard lock(mu_);
      ++pending_;
    }
    boost::asio::post(*pool_, [this, fn = std::move(fn)] {
      fn();
      std::lock_guard lock(mu_);
      if (--pending_ == 0 || pending_ < waiting_below_) cv_.notify_all();
    });
  }

  // Blocks until fewer than `n` closures are still pending (bounds the memory in flight).
  void WaitBelow(size_t n) {
    std::unique_lock lock(mu_);
    waiting_below_ = n;
    cv_.wait(lock, [&] { return pending_ < n; });
    waiting_below_ = 0;
  }
  void Wait() { WaitBelow(1); }

 private:
  boost::asio::thread_pool* pool_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t pending_ = 0;
  size_t waiting_below_ = 0;
};

}  // namespace vigil::promql
