#include "storage/logs/head_block.h"

#include <algorithm>

#include "common/coding.h"

namespace vigil::logs {

std::string HeadBufferPool::Take(size_t capacity) {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      std::string b = std::move(free_.back());
      free_.pop_back();
      b.clear();
      if (b.capacity() >= capacity) return b;
    }
  }
  std::string b;
  b.reserve(capacity);
  return b;
}

void HeadBufferPool::Give(std::string buf) {
  std::lock_guard lock(mu_);
  if (free_.size() < max_) free_.push_back(std::move(buf));
}

HeadBlock::HeadBlock(std::shared_ptr<HeadBufferPool> pool) : pool_(std::move(pool)) {
  if (pool_) {
    data_ = pool_->Take(kReserveBytes);
  } else {
    data_.reserve(kReserveBytes);
  }
}

HeadBlock::~HeadBlock() {
  if (pool_ && data_.capacity() >= kReserveBytes) pool_->Give(std::move(data_));
}

void HeadBlock::Seal() {
  if (data_.capacity() - data_.size() > (256u << 10)) data_.shrink_to_fit();
  rows_.shrink_to_fit();
}

void HeadBlock::Add(uint32_t stream, const LogRecordView& r) {
  rows_.push_back({r.timestamp_ns, stream, static_cast<uint32_t>(data_.size()),
                   static_cast<uint32_t>(r.body.size())});
  min_ts_ = std::min(min_ts_, r.timestamp_ns);
  max_ts_ = std::max(max_ts_, r.timestamp_ns);
  data_.push_back(static_cast<char>(r.severity));
  PutString(&data_, r.severity_text);
  PutString(&data_, r.body);
  PutString(&data_, r.trace_id);
  PutString(&data_, r.span_id);
  PutUvarint(&data_, r.fields.size());
  for (const LogFieldView& f : r.fields) {
    PutString(&data_, f.name);
    PutString(&data_, f.value);
  }
}

size_t HeadBlock::Read(size_t i, LogRecordView* out, std::vector<LogFieldView>* pool) const {
  const Row& row = rows_[i];
  // The buffer was written by Add above, so the reads cannot fail.
  ByteReader r(std::string_view(data_).substr(row.offset));
  uint8_t severity = 0;
  uint64_t n = 0;
  r.Byte(&severity);
  out->timestamp_ns = row.timestamp_ns;
  out->severity = severity;
  r.String(&out->severity_text);
  r.String(&out->body);
  r.String(&out->trace_id);
  r.String(&out->span_id);
  r.Uvarint(&n);
  for (uint64_t f = 0; f < n; ++f) {
    LogFieldView v;
    r.String(&v.name);
    r.String(&v.value);
    pool->push_back(v);
  }
  out->fields = {};
  return n;
}

}  // namespace vigil::logs
