// For tests: batches of realistic spans (trees per trace, several services, attributes,
// events, links, some errors) built deterministically from a seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/strings.h"
#include "storage/span_record.h"

namespace vigil::traces {

inline TraceId TestTraceId(uint64_t n) { return TraceId{0x1000 + n, n * 0x9E3779B97F4A7C15ull + 1}; }

// `traces` traces of `spans_per_trace` spans each, the first starting at base_ns. Span k of a
// trace is a child of span (k-1)/2; services cycle over "svc0".."svc3"; every 7th span errs.
inline SpanBatch MakeTestBatch(uint64_t first_trace, int traces, int spans_per_trace,
                               int64_t base_ns) {
  SpanBatch b;
  std::vector<uint32_t> resources;
  for (int s = 0; s < 4; ++s) {
    std::string_view name = b.Copy(StrCat("svc", s));
    SpanAttributeView attrs[] = {{"service.name", name, AttributeType::kString},
                                 {"host.name", b.Copy(StrCat("host-", s)), AttributeType::kString}};
    resources.push_back(b.AddResource(name, attrs));
  }
  for (int t = 0; t < traces; ++t) {
    const TraceId trace = TestTraceId(first_trace + t);
    const int64_t t0 = base_ns + int64_t{t} * 1'000'000;
    for (int k = 0; k < spans_per_trace; ++k) {
      SpanBatch::Entry& e = b.AddSpan(resources[k % 4]);
      e.trace_id = trace;
      e.span_id = (first_trace + t) * 1000 + k + 1;
      e.parent_span_id = k == 0 ? 0 : (first_trace + t) * 1000 + (k - 1) / 2 + 1;
      e.name = b.Copy(StrCat("op", k % 5));
      e.kind = k == 0 ? SpanKind::kServer : SpanKind::kClient;
      e.start_ns = t0 + k * 1000;
      e.end_ns = e.start_ns + 100'000 + (k * 7919 % 50'000);
      e.status = k % 7 == 6 ? SpanStatus::kError : SpanStatus::kUnset;
      if (e.status == SpanStatus::kError) e.status_message = "boom";
      e.scope_name = "test-scope";
      e.scope_version = "1.0";
      b.AddSpanAttribute({"http.status_code", k % 7 == 6 ? "500" : "200", AttributeType::kInt});
      b.AddSpanAttribute({"http.route", b.Copy(StrCat("/api/", k % 3)), AttributeType::kString});
      b.AddSpanAttribute({"user.id", b.Copy(StrCat("u", (t * 31 + k) % 97)), AttributeType::kString});
      if (k % 4 == 1) {
        SpanBatch::Event& ev = b.AddEvent();
        ev.time_ns = e.start_ns + 10;
        ev.name = "cache miss";
        b.AddEventAttribute({"key", b.Copy(StrCat("k", k)), AttributeType::kString});
      }
      if (k == 2) {
        SpanBatch::Link& l = b.AddLink();
        l.trace_id = TestTraceId(first_trace + t + 100000);
        l.span_id = 77;
        l.trace_state = "vendor=1";
      }
    }
  }
  return b;
}

}  // namespace vigil::traces
