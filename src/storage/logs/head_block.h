// A block of the log head: records appended in arrival order, their strings packed into one
// buffer. A block is written by one thread (under the head's lock) until it is sealed; a sealed
// block is immutable and shared with readers through shared_ptr<const HeadBlock>.
//
// Thread-safety: none while writable; const methods of a sealed block may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/log_record.h"

namespace vigil::logs {

// Spare block buffers: a head is cut every few tens of MiB, and handing its buffers to the
// next head spares the kernel from zeroing fresh pages for every line ingested.
class HeadBufferPool {
 public:
  explicit HeadBufferPool(size_t max_buffers) : max_(max_buffers) {}
  // A cleared buffer with at least `capacity` reserved.
  std::string Take(size_t capacity);
  void Give(std::string buf);

 private:
  const size_t max_;
  std::mutex mu_;
  std::vector<std::string> free_;
};

class HeadBlock {
 public:
  struct Row {
    int64_t timestamp_ns;
    uint32_t stream;     // id in the head's stream table
    uint32_t offset;     // of the row's strings in data_
    uint32_t body_size;  // so a cut can size segment blocks without decoding rows
  };

  explicit HeadBlock(std::shared_ptr<HeadBufferPool> pool = nullptr);
  ~HeadBlock();
  HeadBlock(const HeadBlock&) = delete;
  HeadBlock& operator=(const HeadBlock&) = delete;
  void Add(uint32_t stream, const LogRecordView& r);
  // Called once no more rows will be added: gives back the unused part of a small block (a
  // query seals the active block, however little it holds).
  void Seal();
  // Decodes row `i` into `out` except its fields, which are appended to `pool` (the caller
  // points out->fields at them once the pool stops growing); returns how many were appended.
  size_t Read(size_t i, LogRecordView* out, std::vector<LogFieldView>* pool) const;
  // Asks the CPU to start loading row i's bytes (the cut reads rows in stream order, which
  // jumps around the block).
  void Prefetch(size_t i) const { __builtin_prefetch(data_.data() + rows_[i].offset); }

  const std::vector<Row>& rows() const { return rows_; }
  size_t data_bytes() const { return data_.size(); }
  // Sealed once full, so one block's buffer never grows past a few MiB.
  bool full() const { return data_.size() >= kMaxBytes || rows_.size() >= kMaxRows; }
  int64_t min_time() const { return min_ts_; }
  int64_t max_time() const { return max_ts_; }

 private:
  static constexpr size_t kMaxBytes = 4u << 20;
  // Reserved up front: growing a multi-MiB buffer by doubling would copy it several times.
  static constexpr size_t kReserveBytes = kMaxBytes + (64u << 10);
  static constexpr size_t kMaxRows = 32768;
  std::shared_ptr<HeadBufferPool> pool_;
  std::vector<Row> rows_;
  std::string data_;
  int64_t min_ts_ = INT64_MAX;
  int64_t max_ts_ = INT64_MIN;
};

}  // namespace vigil::logs
