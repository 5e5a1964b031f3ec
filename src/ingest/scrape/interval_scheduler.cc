#include "ingest/scrape/interval_scheduler.h"

#include <algorithm>
#include <chrono>

#include "common/time_util.h"

namespace vigil {

IntervalScheduler::IntervalScheduler(int max_workers) : max_workers_(std::max(1, max_workers)) {}

IntervalScheduler::~IntervalScheduler() { Stop(); }

int64_t IntervalScheduler::AlignedStart(int64_t now_ms, int64_t interval_ms, uint64_t hash) {
  if (interval_ms <= 0) return now_ms;
  const int64_t phase = static_cast<int64_t>(hash % static_cast<uint64_t>(interval_ms));
  int64_t into = ((now_ms - phase) % interval_ms + interval_ms) % interval_ms;
  return into == 0 ? now_ms : now_ms + (interval_ms - into);
}

uint64_t IntervalScheduler::Add(int64_t interval_ms, int64_t first_ms, Task task) {
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t id = next_id_++;
  Entry& e = tasks_[id];
  e.task = std::make_shared<Task>(std::move(task));
  e.interval_ms = std::max<int64_t>(1, interval_ms);
  queue_.push({first_ms, id});
  if (started_ && !stopping_) GrowWorkersLocked();
  wake_.notify_one();
  return id;
}

void IntervalScheduler::Remove(uint64_t id) {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return;
    if (!it->second.running) {
      tasks_.erase(it);  // its queue entry is skipped when it comes up
      return;
    }
    finished_.wait(l);
  }
}

size_t IntervalScheduler::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return tasks_.size();
}

void IntervalScheduler::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (started_) return;
  started_ = true;
  GrowWorkersLocked();
}

void IntervalScheduler::GrowWorkersLocked() {
  const size_t want = std::min<size_t>(static_cast<size_t>(max_workers_), tasks_.size());
  while (workers_.size() < want) workers_.emplace_back([this] { WorkerLoop(); });
}

void IntervalScheduler::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (auto& t : workers) t.join();
}

void IntervalScheduler::WorkerLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(l);
      continue;
    }
    const Due due = queue_.top();
    auto it = tasks_.find(due.id);
    if (it == tasks_.end()) {
      queue_.pop();  // removed
      continue;
    }
    const int64_t now = NowMs();
    if (due.at_ms > now) {
      wake_.wait_for(l, std::chrono::milliseconds(due.at_ms - now));
      continue;
    }
    queue_.pop();
    it->second.running = true;
    std::shared_ptr<Task> task = it->second.task;
    const int64_t interval = it->second.interval_ms;
    l.unlock();
    (*task)();
    l.lock();
    it = tasks_.find(due.id);  // the map may have rehashed meanwhile
    if (it != tasks_.end()) {
      it->second.running = false;
      // Next tick on the same phase; ticks missed while the task overran are skipped.
      int64_t next = due.at_ms + interval;
      const int64_t after = NowMs();
      if (next <= after) next += ((after - next) / interval + 1) * interval;
      queue_.push({next, due.id});
      // Another worker may be sleeping on a later entry; this one may be earlier.
      wake_.notify_one();
    }
    finished_.notify_all();
  }
}

}  // namespace vigil
