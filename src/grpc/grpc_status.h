// Conversions between absl::Status (vigil's error type at every module boundary) and
// grpc::Status (what goes on the wire). The canonical codes are the same 17 values in both
// worlds, so the mapping is 1:1 and the message is kept verbatim; an out-of-range code (only
// possible through a cast) becomes UNKNOWN.
//
// Thread-safety: pure functions.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace vigil {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace vigil
