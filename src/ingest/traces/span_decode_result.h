// What a span ingestion decoder (OTLP protobuf, OTLP/JSON, Zipkin) reports besides the batch it
// fills (see ingest/common/decode_result.h); its summary counts "spans". Beyond refusals it
// counts the two repairs the decoders make instead of refusing (span_validation.h): spans whose
// end was before their start (clamped) and attribute values cut to the size limit (truncated).
//
// Thread-safety: value type.
#pragma once

#include <cstddef>
#include <string>

#include "ingest/common/decode_result.h"

namespace vigil {

struct SpanDecodeResult : DecodeResult {
  size_t clamped = 0;    // accepted spans whose end time was raised to their start time
  size_t truncated = 0;  // attribute values (of accepted spans and their resources) cut short

  std::string Summary(size_t max_messages = 5) const {
    return DecodeResult::Summary("spans", max_messages);
  }
};

}  // namespace vigil
