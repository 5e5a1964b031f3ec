// Fuzzes the Loki push protobuf decoder, on raw protobuf and, as the handler receives it, on
// a snappy body (bounded as the handler bounds it).
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/logs/fuzz_checks.h"
#include "ingest/logs/loki_push_proto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::LokiPushProtoDecoder decoder;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  {
    vigil::LogBatch batch;
    vigil::LogDecodeResult r = decoder.Decode(in, &batch);
    vigil::fuzz_logs::CheckBatch(batch, r);
  }
  size_t len = 0;
  if (snappy::GetUncompressedLength(in.data(), in.size(), &len) && len <= (1u << 24)) {
    std::string raw;
    if (snappy::Uncompress(in.data(), in.size(), &raw)) {
      vigil::LogBatch batch;
      vigil::LogDecodeResult r = decoder.Decode(raw, &batch);
      vigil::fuzz_logs::CheckBatch(batch, r);
    }
  }
  return 0;
}
