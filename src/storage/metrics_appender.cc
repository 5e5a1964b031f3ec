#include "storage/metrics_appender.h"

namespace vigil {

std::string_view RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kOutOfOrder: return "out_of_order";
    case RejectReason::kOutOfBounds: return "out_of_bounds";
    case RejectReason::kTooFarInFuture: return "too_far_in_future";
    case RejectReason::kDuplicate: return "duplicate_timestamp";
    case RejectReason::kInvalidLabels: return "invalid_labels";
    case RejectReason::kSeriesLimit: return "series_limit";
    case RejectReason::kDeniedLabel: return "denied_label";
    case RejectReason::kCount: break;
  }
  return "unknown";
}

std::string_view RejectReasonMessage(RejectReason r) {
  switch (r) {
    case RejectReason::kOutOfOrder: return "out of order sample";
    case RejectReason::kOutOfBounds: return "out of bounds";
    case RejectReason::kTooFarInFuture: return "timestamp too far in the future";
    case RejectReason::kDuplicate: return "duplicate sample for timestamp";
    case RejectReason::kInvalidLabels: return "invalid labels";
    case RejectReason::kSeriesLimit: return "series limit exceeded";
    case RejectReason::kDeniedLabel: return "label name is on the denylist";
    case RejectReason::kCount: break;
  }
  return "rejected";
}

uint64_t AppendStats::TotalRejected() const {
  uint64_t n = 0;
  for (uint64_t r : rejected) n += r;
  return n;
}

void AppendStats::Reject(RejectReason r, uint64_t n, std::string_view detail) {
  rejected[static_cast<size_t>(r)] += n;
  if (first_error.empty()) first_error = std::string(detail);
}

RejectReason AppendStats::ReasonOf(const absl::Status& refused) {
  switch (refused.code()) {
    case absl::StatusCode::kInvalidArgument: return RejectReason::kInvalidLabels;
    case absl::StatusCode::kPermissionDenied: return RejectReason::kDeniedLabel;
    default: return RejectReason::kSeriesLimit;
  }
}

void AppendStats::Merge(const AppendStats& o) {
  accepted += o.accepted;
  for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += o.rejected[i];
  if (first_error.empty()) first_error = o.first_error;
}

}  // namespace vigil
