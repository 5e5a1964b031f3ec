// A growable byte buffer whose storage starts on a kDirectIoAlign boundary: what a write to a
// file opened with O_DIRECT needs of its memory (besides an aligned offset and length).
//
// Thread-safety: none; owned by one writer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace vigil::wal {

// Covers the logical block sizes of the devices in use (512 and 4096 bytes).
inline constexpr size_t kDirectIoAlign = 4096;

inline size_t AlignUp(size_t n) { return (n + kDirectIoAlign - 1) & ~(kDirectIoAlign - 1); }
inline size_t AlignDown(size_t n) { return n & ~(kDirectIoAlign - 1); }

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  // Sets the size to n, keeping the first min(n, size()) bytes; bytes past the old size are
  // uninitialised. Grows the storage geometrically.
  void Resize(size_t n) {
    if (n > capacity_) Reallocate(std::max(n, 2 * capacity_));
    size_ = n;
  }

  // Gives the storage back down to what the current size needs.
  void ShrinkToFit() {
    if (AlignUp(size_) < capacity_) Reallocate(size_);
  }

 private:
  void Reallocate(size_t n) {
    const size_t cap = AlignUp(std::max<size_t>(n, 1));
    char* p = static_cast<char*>(std::aligned_alloc(kDirectIoAlign, cap));
    if (p == nullptr) throw std::bad_alloc();
    if (size_ > 0) std::memcpy(p, data_, std::min(size_, cap));
    std::free(data_);
    data_ = p;
    capacity_ = cap;
  }

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace vigil::wal
