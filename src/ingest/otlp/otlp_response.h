// The answer to an OTLP Export request, the same shape for every signal:
// Export{Logs,Trace,Metrics}ServiceResponse{partial_success = 1 {rejected_<items> = 1,
// error_message = 2}}. Full success (nothing rejected, no message) is the empty message, as the
// OTLP specification requires.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// Protobuf encoding.
std::string EncodeOtlpExportResponse(int64_t rejected, std::string_view error_message);
// OTLP/JSON: {} or {"partialSuccess":{"<rejected_key>":"3","errorMessage":".."}} with
// rejected_key rejectedLogRecords, rejectedSpans or rejectedDataPoints.
std::string OtlpExportResponseJson(std::string_view rejected_key, int64_t rejected,
                                   std::string_view error_message);

}  // namespace vigil
