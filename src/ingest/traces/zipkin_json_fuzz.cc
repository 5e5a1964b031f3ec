// Fuzzes the Zipkin v2 JSON decoder, with the default limits and with tight ones, and checks the
// invariants of fuzz_checks.h on every batch.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/traces/fuzz_checks.h"
#include "ingest/traces/zipkin_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vigil::SpanLimits kDefault;
  static const vigil::SpanLimits kTight = vigil::fuzz_traces::TightLimits();
  static vigil::ZipkinJsonDecoder decoder(kDefault);
  static vigil::ZipkinJsonDecoder tight(kTight);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  {
    vigil::SpanBatch batch;
    vigil::SpanDecodeResult r = decoder.Decode(in, &batch);
    vigil::fuzz_traces::CheckBatch(batch, r, kDefault);
  }
  {
    vigil::SpanBatch batch;
    vigil::SpanDecodeResult r = tight.Decode(in, &batch);
    vigil::fuzz_traces::CheckBatch(batch, r, kTight);
  }
  return 0;
}
