// What a log ingestion decoder reports besides the batch it fills (see
// ingest/common/decode_result.h); its summary counts "log entries".
#pragma once

#include <string>

#include "ingest/common/decode_result.h"

namespace vigil {

struct LogDecodeResult : DecodeResult {
  std::string Summary(size_t max_messages = 5) const {
    return DecodeResult::Summary("log entries", max_messages);
  }
};

}  // namespace vigil
