// Opens arbitrary bytes as a log segment and scans it: must fail cleanly, never crash.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "storage/logs/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/vigil_log_segment_fuzz_" + std::to_string(::getpid());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto seg = vigil::logs::Segment::Open(path);
  if (seg.ok()) {
    vigil::LogSelectRequest req;
    req.start_ns = INT64_MIN;
    req.end_ns = INT64_MAX;
    req.hints.body_contains = {" a "};
    (void)(*seg)->Select(req, [](const vigil::Labels&, std::span<const vigil::LogRecordView>) {
      return true;
    });
  }
  ::unlink(path.c_str());
  return 0;
}
