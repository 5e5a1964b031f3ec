#include "storage/logs/head_block.h"

#include <algorithm>

#include "common/coding.h"

namespace vigil::logs {

void HeadBlock::AddRecord(std::string record, std::span<const NewRow> rows) {
  const uint32_t chunk = static_cast<uint32_t>(chunks_.size());
  bytes_ += record.size();
  chunks_.push_back(std::move(record));
  for (const NewRow& r : rows) {
    rows_.push_back({r.timestamp_ns, r.stream, chunk, r.offset, r.body_size});
    min_ts_ = std::min(min_ts_, r.timestamp_ns);
    max_ts_ = std::max(max_ts_, r.timestamp_ns);
  }
}

size_t HeadBlock::Read(size_t i, LogRecordView* out, std::vector<LogFieldView>* pool) const {
  const Row& row = rows_[i];
  // The entry was written by EncodeWalRecord and checked on the way in, so reads cannot fail.
  const std::string_view chunk = chunks_[row.chunk];
  ByteReader r(chunk.substr(row.offset));
  uint64_t stream = 0, n = 0;
  int64_t delta = 0;
  uint8_t severity = 0;
  r.Uvarint(&stream);
  r.Varint(&delta);
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
