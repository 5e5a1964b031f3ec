// A pool of stateful decoders (each owns a JSON parser and scratch buffers that grow to the
// largest request seen), so concurrent requests each get one without a per-request build.
//
// Thread-safety: Acquire may be called from any thread; a lease is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace vigil {

template <typename T>
class DecoderPool {
 public:
  explicit DecoderPool(std::function<std::unique_ptr<T>()> make) : make_(std::move(make)) {}

  class Lease {
   public:
    Lease(DecoderPool* pool, std::unique_ptr<T> d) : pool_(pool), d_(std::move(d)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (d_) pool_->Release(std::move(d_));
    }
    T& operator*() { return *d_; }
    T* operator->() { return d_.get(); }

   private:
    DecoderPool* pool_;
    std::unique_ptr<T> d_;
  };

  Lease Acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        std::unique_ptr<T> d = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(d));
      }
    }
    return Lease(this, make_());
  }

 private:
  void Release(std::unique_ptr<T> d) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(d));
  }

  std::function<std::unique_ptr<T>()> make_;
  std::mutex mu_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace vigil
