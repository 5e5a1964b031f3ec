#include "storage/traces_store.h"

namespace vigil {

std::string_view SpanRejectReasonName(SpanRejectReason r) {
  switch (r) {
    case SpanRejectReason::kTooOld: return "too_old";
    case SpanRejectReason::kTooFarInFuture: return "too_far_in_future";
    case SpanRejectReason::kInvalid: return "invalid";
    case SpanRejectReason::kCount: break;
  }
  return "unknown";
}

uint64_t SpanAppendStats::TotalRejected() const {
  uint64_t n = 0;
  for (uint64_t r : rejected) n += r;
  return n;
}

void SpanAppendStats::Reject(SpanRejectReason r, uint32_t span, std::string detail) {
  rejected[static_cast<size_t>(r)]++;
  rejected_spans.push_back(span);
  if (errors.size() < kMaxErrors) errors.push_back(std::move(detail));
}

void SpanAppendStats::Merge(const SpanAppendStats& o) {
  accepted += o.accepted;
  for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += o.rejected[i];
  for (const std::string& e : o.errors) {
    if (errors.size() >= kMaxErrors) break;
    errors.push_back(e);
  }
}

}  // namespace vigil
