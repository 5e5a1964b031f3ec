#include "storage/logs_store.h"

namespace vigil {

std::string_view LogRejectReasonName(LogRejectReason r) {
  switch (r) {
    case LogRejectReason::kTooOld: return "too_old";
    case LogRejectReason::kTooFarInFuture: return "too_far_in_future";
    case LogRejectReason::kLineTooLong: return "line_too_long";
    case LogRejectReason::kStreamLimit: return "stream_limit";
    case LogRejectReason::kInvalid: return "invalid";
    case LogRejectReason::kCount: break;
  }
  return "unknown";
}

uint64_t LogAppendStats::TotalRejected() const {
  uint64_t n = 0;
  for (uint64_t r : rejected) n += r;
  return n;
}

void LogAppendStats::Reject(LogRejectReason r, uint32_t entry, std::string detail) {
  rejected[static_cast<size_t>(r)]++;
  rejected_entries.push_back(entry);
  if (errors.size() < kMaxErrors) errors.push_back(std::move(detail));
}

void LogAppendStats::Merge(const LogAppendStats& o) {
  accepted += o.accepted;
  accepted_bytes += o.accepted_bytes;
  for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += o.rejected[i];
  for (const std::string& e : o.errors) {
    if (errors.size() >= kMaxErrors) break;
    errors.push_back(e);
  }
}

}  // namespace vigil
