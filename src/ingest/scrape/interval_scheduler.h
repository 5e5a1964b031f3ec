// IntervalScheduler runs periodic tasks (scrapes, health probes) on a bounded pool of worker
// threads. A task never runs concurrently with itself; different tasks run in parallel up to
// the pool size. A task that overruns its interval skips the ticks it missed rather than
// running back to back, as Prometheus' scrape ticker does.
//
// Time is the wall clock in milliseconds (NowMs), so runs line up with AlignedStart's phase.
// Worker threads are created on demand, up to min(max_workers, number of tasks), and never
// more than that.
//
// Lifecycle: Add tasks, Start(), Add/Remove at any time, Stop() (also run by the destructor).
// Stop lets running tasks finish and joins the workers; the scheduler cannot be restarted.
//
// Thread-safety: all methods are thread-safe, except that Remove and Stop must not be called
// from inside a task (they wait for running tasks).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace vigil {

class IntervalScheduler {
 public:
  using Task = std::function<void()>;

  explicit IntervalScheduler(int max_workers);
  ~IntervalScheduler();
  IntervalScheduler(const IntervalScheduler&) = delete;
  IntervalScheduler& operator=(const IntervalScheduler&) = delete;

  // Registers `task` to run first at `first_ms` and then every `interval_ms` (> 0). Returns
  // an id for Remove.
  uint64_t Add(int64_t interval_ms, int64_t first_ms, Task task);
  // Unregisters a task; if it is running, waits for that run to end. Afterwards the task
  // never runs again. Unknown ids are ignored.
  void Remove(uint64_t id);

  void Start();
  void Stop();

  size_t size() const;

  // The first instant at or after `now_ms` whose phase within the interval is
  // `hash % interval_ms`: spreads targets over the interval deterministically, so a target
  // is scraped at the same offset after every restart (as Prometheus does).
  static int64_t AlignedStart(int64_t now_ms, int64_t interval_ms, uint64_t hash);

 private:
  struct Entry {
    std::shared_ptr<Task> task;
    int64_t interval_ms = 0;
    bool running = false;
  };
  struct Due {
    int64_t at_ms;
    uint64_t id;
    bool operator>(const Due& o) const { return at_ms > o.at_ms; }
  };

  void WorkerLoop();
  void GrowWorkersLocked();

  const int max_workers_;
  mutable std::mutex mu_;
  std::condition_variable wake_;      // the queue changed or Stop was called
  std::condition_variable finished_;  // a run ended (Remove waits on it)
  absl::flat_hash_map<uint64_t, Entry> tasks_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue_;  // may hold removed ids
  uint64_t next_id_ = 1;
  bool started_ = false;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace vigil
