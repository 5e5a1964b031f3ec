// Fuzzes the span record decoder (WAL records): any input either decodes or fails cleanly,
// and what decodes encodes back to a record that decodes to the same spans.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>

#include "storage/traces/span_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  SpanBatch batch;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!traces::DecodeSpanRecord(in, &batch).ok()) return 0;
  std::vector<uint32_t> all(batch.size());
  std::iota(all.begin(), all.end(), 0);
  std::string again;
  traces::EncodeSpanRecord(batch, all, &again);
  SpanBatch back;
  if (!traces::DecodeSpanRecord(again, &back).ok() || back.size() != batch.size()) std::abort();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!(back.ToSpan(i) == batch.ToSpan(i))) std::abort();
  }
  return 0;
}
