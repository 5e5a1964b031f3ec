// Fuzzes the Loki push JSON decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/logs/fuzz_checks.h"
#include "ingest/logs/loki_push_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::LokiPushJsonDecoder decoder;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::LogBatch batch;
  vigil::LogDecodeResult r = decoder.Decode(in, &batch);
  vigil::fuzz_logs::CheckBatch(batch, r);
  return 0;
}
