// What OTLP export endpoints of every signal share, over HTTP and gRPC.
//
// An export ends in an OtlpOutcome: a request that could not be decoded (InvalidArgument) or
// stored (Unavailable), or success with the number of items refused and why (OTLP's
// partial_success). Over HTTP it is answered in the request's encoding, protobuf or JSON: the
// Export…ServiceResponse on success, a google.rpc.Status{code, message} otherwise (400 / 503).
// Over gRPC, the status, or the encoded response.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "http/request.h"
#include "http/response.h"

namespace vigil {

struct OtlpOutcome {
  absl::Status status;
  int64_t rejected = 0;
  std::string message;  // why items were refused (partial success)
};

// True for an OTLP/JSON request (Content-Type application/json), false for protobuf.
bool IsOtlpJson(const HttpRequest& req);

// `rejected_key`: the OTLP/JSON name of the rejected count ("rejectedSpans", …).
void WriteOtlpHttpAnswer(HttpResponse& resp, bool json, std::string_view rejected_key,
                         const OtlpOutcome& outcome);

}  // namespace vigil
