// Fuzzes the remote_write body decoder: snappy framing and the protobuf underneath.
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/remote_write/write_request.h"

namespace {
// Decodes the request and, as the ingester does on demand, every series' labels.
void DecodeAll(std::string_view pb, vigil::WriteRequestView* req) {
  (void)vigil::DecodeWriteRequest(pb, req);
  std::vector<vigil::LabelView> labels;
  for (const auto& ts : req->series) {
    labels.clear();
    (void)vigil::DecodeSeriesLabels(ts, &labels);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::WriteRequestView req;
  // As raw protobuf …
  DecodeAll(in, &req);
  // … and as a snappy body, bounded like the ingester bounds it.
  size_t len = 0;
  if (snappy::GetUncompressedLength(in.data(), in.size(), &len) && len <= (1u << 24)) {
    std::string raw;
    if (snappy::Uncompress(in.data(), in.size(), &raw)) DecodeAll(raw, &req);
  }
  return 0;
}
