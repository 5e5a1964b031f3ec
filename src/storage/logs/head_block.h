// A block of the log head: rows appended in arrival order. A row's strings stay where the WAL
// record that carried it put them: the head takes ownership of each appended record, so an
// ingested line is encoded once (for the WAL) and copied into the head by moving a string.
// A block is written by one thread (under the head's lock) until it is sealed; a sealed block
// is immutable and shared with readers through shared_ptr<const HeadBlock>.
//
// Thread-safety: none while writable; const methods of a sealed block may run concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "storage/log_record.h"

namespace vigil::logs {

class HeadBlock {
 public:
  struct Row {
    int64_t timestamp_ns;
    uint32_t stream;     // id in the head's stream table
    uint32_t chunk;      // the record holding the row
    uint32_t offset;     // of the row's entry in that record (log_wal_record.h)
    uint32_t body_size;  // so a cut can size segment blocks without decoding rows
  };
  // A row to add: where its entry starts in the record, and what the head keeps beside it.
  struct NewRow {
    uint32_t offset;
    int64_t timestamp_ns;
    uint32_t stream;
    uint32_t body_size;
  };

  // Takes `record` (an encoded WAL record) and indexes its entries.
  void AddRecord(std::string record, std::span<const NewRow> rows);
  // Called once no more rows will be added.
  void Seal() { rows_.shrink_to_fit(); }

  // Decodes row `i` into `out` except its fields, which are appended to `pool` (the caller
  // points out->fields at them once the pool stops growing); returns how many were appended.
  size_t Read(size_t i, LogRecordView* out, std::vector<LogFieldView>* pool) const;
  // Asks the CPU to start loading row i's bytes (the cut reads rows in stream order, which
  // jumps around the block).
  void Prefetch(size_t i) const {
    __builtin_prefetch(chunks_[rows_[i].chunk].data() + rows_[i].offset);
  }

  const std::vector<Row>& rows() const { return rows_; }
  size_t data_bytes() const { return bytes_; }
  // Sealed once full, so one block holds a bounded share of the head.
  bool full() const { return bytes_ >= kMaxBytes || rows_.size() >= kMaxRows; }
  int64_t min_time() const { return min_ts_; }
  int64_t max_time() const { return max_ts_; }

 private:
  static constexpr size_t kMaxBytes = 4u << 20;
  static constexpr size_t kMaxRows = 32768;
  std::vector<Row> rows_;
  std::vector<std::string> chunks_;
  size_t bytes_ = 0;
  int64_t min_ts_ = INT64_MAX;
  int64_t max_ts_ = INT64_MIN;
};

}  // namespace vigil::logs
