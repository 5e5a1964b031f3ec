// Fuzzes the trace segment reader: any file either fails to open or serves GetTrace and Scan
// without crashing (damage surfaces as an error).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "storage/traces/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  static const std::string path = "/tmp/vigil_trace_segment_fuzz_" + std::to_string(::getpid());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto seg = traces::Segment::Open(path);
  if (!seg.ok()) return 0;
  for (const traces::BlockMeta& b : (*seg)->meta().blocks) {
    std::vector<Span> spans;
    (void)(*seg)->GetTrace(b.min_trace, &spans);
  }
  SpanScanRequest req;
  req.filter.attributes = {{"k", "v"}};
  (void)(*seg)->Scan(req, [](std::span<const SpanRow>) { return true; });
  (void)(*seg)->Scan({}, [](std::span<const SpanRow>) { return true; });
  return 0;
}
