// A background thread that runs a task every `interval` until stopped: the maintenance loop of
// the stores (cutting heads, retention). Wake runs the task now rather than at the next tick
// (a head that just passed its size limit). Stop wakes it at once and joins it; the task is
// not run again after Stop returns.
//
// Thread-safety: Start and Stop from one owner thread, Wake from any; the task runs on the
// periodic thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil {

class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  void Start(int64_t interval_ns, std::function<void()> task) {
    thread_ = std::thread([this, interval_ns, task = std::move(task)] {
      std::unique_lock lock(mu_);
      while (!stopping_) {
        cv_.wait_for(lock, std::chrono::nanoseconds(interval_ns), [this] { return woken_ || stopping_; });
        woken_ = false;
        if (stopping_) break;
        lock.unlock();
        task();
        lock.lock();
      }
    });
  }

  // Runs the task as soon as the thread is free (from any thread).
  void Wake() {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace vigil
