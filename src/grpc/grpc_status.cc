#include "grpc/grpc_status.h"

#include <string>

namespace vigil {
namespace {

// Both enums carry the canonical code numbers from google.rpc.Code; these guard the cast.
static_assert(static_cast<int>(absl::StatusCode::kOk) == grpc::StatusCode::OK);
static_assert(static_cast<int>(absl::StatusCode::kInvalidArgument) ==
              grpc::StatusCode::INVALID_ARGUMENT);
static_assert(static_cast<int>(absl::StatusCode::kResourceExhausted) ==
              grpc::StatusCode::RESOURCE_EXHAUSTED);
static_assert(static_cast<int>(absl::StatusCode::kUnavailable) == grpc::StatusCode::UNAVAILABLE);
static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
              grpc::StatusCode::UNAUTHENTICATED);

constexpr int kMaxCanonicalCode = 16;  // UNAUTHENTICATED

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  int raw = static_cast<int>(status.code());
  grpc::StatusCode code = raw > 0 && raw <= kMaxCanonicalCode ? static_cast<grpc::StatusCode>(raw)
                                                              : grpc::StatusCode::UNKNOWN;
  return grpc::Status(code, std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  int raw = static_cast<int>(status.error_code());
  absl::StatusCode code = raw > 0 && raw <= kMaxCanonicalCode ? static_cast<absl::StatusCode>(raw)
                                                              : absl::StatusCode::kUnknown;
  return absl::Status(code, status.error_message());
}

}  // namespace vigil
