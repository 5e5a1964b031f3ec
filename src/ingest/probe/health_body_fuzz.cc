// Feeds arbitrary bytes to HealthBodyParser: it must never crash and must respect its bounds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/probe/health_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::HealthBodyParser parser;
  auto report = parser.Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!report) return 0;
  if (report->checks.size() > vigil::kMaxHealthChecks) std::abort();
  for (const auto& [name, up] : report->checks) {
    if (name.empty() || name.size() > vigil::kMaxCheckNameBytes) std::abort();
  }
  if (report->status && *report->status != 0 && *report->status != 0.5 && *report->status != 1) {
    std::abort();
  }
  return 0;
}
