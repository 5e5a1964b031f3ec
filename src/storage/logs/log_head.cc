#include "storage/logs/log_head.h"

#include <algorithm>

#include "common/strings.h"
#include "common/time_util.h"

namespace vigil::logs {

absl::StatusOr<uint32_t> LogHead::ResolveStream(const Labels& labels) {
  std::lock_guard lock(mu_);
  auto it = stream_ids_.find(ToAbsl(labels.packed()));
  if (it != stream_ids_.end()) return it->second;
  if (max_streams_ != 0 && streams_.size() >= max_streams_) {
    return absl::ResourceExhaustedError(
        StrCat("stream limit of ", max_streams_, " active streams reached; new stream ",
               labels.ToString(), " refused"));
  }
  uint32_t id = static_cast<uint32_t>(streams_.size());
  streams_.push_back({std::make_shared<const Labels>(labels)});
  stream_ids_.emplace(std::string(labels.packed()), id);
  return id;
}

void LogHead::Append(const LogBatch& batch, std::span<const uint32_t> entries,
                     std::span<const uint32_t> stream_ids, std::string record,
                     std::span<const uint32_t> offsets) {
  if (entries.empty()) return;
  thread_local std::vector<HeadBlock::NewRow> rows;
  rows.clear();
  for (size_t k = 0; k < entries.size(); ++k) {
    const LogBatch::Entry& e = batch.entries()[entries[k]];
    rows.push_back({offsets[k], e.timestamp_ns, stream_ids[e.stream],
                    static_cast<uint32_t>(e.body.size())});
  }
  std::lock_guard lock(mu_);
  if (first_append_ns_ == 0) first_append_ns_ = MonotonicNs();
  if (!active_) active_ = std::make_unique<HeadBlock>();
  for (const HeadBlock::NewRow& r : rows) {
    HeadStream& s = streams_[r.stream];
    s.min_time = std::min(s.min_time, r.timestamp_ns);
    s.max_time = std::max(s.max_time, r.timestamp_ns);
  }
  active_->AddRecord(std::move(record), rows);
  rows_ += entries.size();
  if (active_->full()) SealActiveLocked();
}

void LogHead::SealActiveLocked() {
  if (!active_ || active_->rows().empty()) return;
  sealed_bytes_ += active_->data_bytes();
  active_->Seal();
  sealed_.push_back(std::move(active_));
}

HeadSnapshot LogHead::Snapshot() {
  std::lock_guard lock(mu_);
  SealActiveLocked();
  return HeadSnapshot{sealed_, streams_};
}

size_t LogHead::num_streams() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

uint64_t LogHead::rows() const {
  std::lock_guard lock(mu_);
  return rows_;
}

uint64_t LogHead::bytes() const {
  std::lock_guard lock(mu_);
  return sealed_bytes_ + (active_ ? active_->data_bytes() : 0);
}

int64_t LogHead::first_append_monotonic_ns() const {
  std::lock_guard lock(mu_);
  return first_append_ns_;
}

}  // namespace vigil::logs
