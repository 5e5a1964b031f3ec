// Fuzzes the remote_write body decoder: snappy framing and the protobuf underneath.
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/remote_write/write_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::WriteRequestView req;
  // As raw protobuf …
  (void)vigil::DecodeWriteRequest(in, &req);
  // … and as a snappy body, bounded like the ingester bounds it.
  size_t len = 0;
  if (snappy::GetUncompressedLength(in.data(), in.size(), &len) && len <= (1u << 24)) {
    std::string raw;
    if (snappy::Uncompress(in.data(), in.size(), &raw)) (void)vigil::DecodeWriteRequest(raw, &req);
  }
  return 0;
}
