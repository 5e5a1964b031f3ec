// Computes items 0..n-1 on a worker pool and on the calling thread, and consumes them on the
// calling thread strictly in index order, each as soon as it and every item before it are
// computed. A query's per-series work (decode, windows) runs in parallel this way while its
// merge (grouping, aggregation) stays sequential, so results are the same as a sequential
// run, and the merge overlaps the computing instead of waiting for all of it.
//
// The calling thread computes items too whenever the next one to consume is not ready, so a
// busy pool never leaves it idle. At most `window` items are computed ahead of the consumer
// (bounding the memory in flight).
//
// consume(i) returns false to stop early: nothing more is claimed, and RunOrdered returns
// once the items already being computed are finished.
//
// Thread-safety: compute(i) runs on any thread and must touch only item i's state; consume
// runs on the calling thread only.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "boost/asio/post.hpp"
#include "boost/asio/thread_pool.hpp"

namespace vigil::promql {

inline bool RunOrdered(boost::asio::thread_pool* pool, size_t helpers, size_t n, size_t window,
                       const std::function<void(size_t)>& compute,
                       const std::function<bool(size_t)>& consume) {
  // Shared with the helpers: one posted to a busy pool may start after this call returned;
  // it then finds nothing to claim and leaves without touching `compute`.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    const std::function<void(size_t)>* compute = nullptr;
    std::vector<char> done;
    size_t next = 0;       // next item to claim
    size_t consumed = 0;   // items consumed
    size_t running = 0;    // items being computed
    size_t window = 1;
    bool stop = false;
    bool Exhausted() const { return stop || next >= done.size(); }  // nothing left to claim
    bool Claimable() const { return !Exhausted() && next < consumed + window; }
  };
  auto st = std::make_shared<State>();
  st->compute = &compute;
  st->done.assign(n, 0);
  st->window = std::max<size_t>(window, 1);
  // Claims and computes one item; called with the lock held, returns with it held.
  auto compute_one = [](State& s, std::unique_lock<std::mutex>& lock) {
    const size_t k = s.next++;
    ++s.running;
    lock.unlock();
    (*s.compute)(k);
    lock.lock();
    s.done[k] = 1;
    --s.running;
    s.cv.notify_all();
  };
  if (pool != nullptr) {
    helpers = std::min(helpers, n);
    for (size_t h = 0; h < helpers; ++h) {
      boost::asio::post(*pool, [st, compute_one] {
        std::unique_lock lock(st->mu);
        for (;;) {
          st->cv.wait(lock, [&] { return st->Claimable() || st->Exhausted(); });
          if (!st->Claimable()) return;
          compute_one(*st, lock);
        }
      });
    }
  }
  std::unique_lock lock(st->mu);
  bool ok = true;
  while (st->consumed < n) {
    if (st->done[st->consumed]) {
      const size_t k = st->consumed;
      lock.unlock();
      ok = consume(k);
      lock.lock();
      ++st->consumed;
      if (!ok) break;
      st->cv.notify_all();  // the window moved
    } else if (st->Claimable()) {
      compute_one(*st, lock);
    } else {
      st->cv.wait(lock);
    }
  }
  st->stop = true;
  st->cv.notify_all();
  st->cv.wait(lock, [&] { return st->running == 0; });
  return ok;
}

}  // namespace vigil::promql
