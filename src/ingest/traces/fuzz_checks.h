// Invariants every span decoder keeps, checked by the fuzz targets after each input: a failed
// request leaves the batch empty; every span is counted; every kept span has non-zero ids, a
// start time and end >= start; every index range is in bounds; limits hold; every string is
// UTF-8. Converting every span to its owned form touches every view, so the sanitizers catch
// one that dangles.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/labels.h"
#include "ingest/traces/span_decode_result.h"
#include "ingest/traces/span_validation.h"
#include "storage/span_record.h"

namespace vigil::fuzz_traces {

inline void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "span decoder invariant broken: %s\n", what);
  std::abort();
}

inline void CheckAttributes(const SpanBatch& batch, uint32_t first, uint32_t n,
                            const SpanLimits& limits) {
  Require(uint64_t{first} + n <= batch.attributes().size(), "attribute range out of bounds");
  Require(n <= limits.max_attributes, "more attributes than the limit");
  for (uint32_t i = first; i < first + n; ++i) {
    const SpanAttributeView& a = batch.attributes()[i];
    Require(!a.key.empty() && IsValidUtf8(a.key), "bad attribute key");
    Require(IsValidUtf8(a.value), "attribute value not UTF-8");
    Require(a.value.size() <= limits.max_attribute_value_bytes, "attribute value over the limit");
    Require(static_cast<int>(a.type) <= static_cast<int>(AttributeType::kKvList), "bad type");
  }
}

inline void CheckBatch(const SpanBatch& batch, const SpanDecodeResult& result,
                       const SpanLimits& limits) {
  if (!result.status.ok()) {
    Require(batch.empty() && batch.resources().empty() && batch.attributes().empty() &&
                batch.events().empty() && batch.links().empty(),
            "a failed request left spans");
    Require(result.total == 0 && result.rejected == 0, "a failed request counted spans");
    return;
  }
  Require(result.rejected <= result.total, "more refused than seen");
  Require(batch.size() == result.total - result.rejected, "spans != total - rejected");
  Require(result.clamped <= batch.size(), "more clamped than kept");
  for (const SpanBatch::Resource& r : batch.resources()) {
    Require(!r.service_name.empty() && IsValidUtf8(r.service_name), "bad service name");
    Require(r.service_name.size() <= limits.max_attribute_value_bytes ||
                r.service_name == kUnknownServiceName,
            "service name over the limit");
    CheckAttributes(batch, r.first_attribute, r.num_attributes, limits);
  }
  uint64_t events = 0, links = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const SpanBatch::Entry& e = batch.spans()[i];
    Require(e.resource < batch.resources().size(), "span of no resource");
    Require(!e.trace_id.empty(), "zero trace id");
    Require(e.span_id != 0, "zero span id");
    Require(e.start_ns > 0, "no start time");
    Require(e.end_ns >= e.start_ns, "end before start");
    Require(static_cast<int>(e.kind) <= 5 && static_cast<int>(e.status) <= 2, "bad enum");
    Require(IsValidUtf8(e.name) && IsValidUtf8(e.trace_state) && IsValidUtf8(e.status_message) &&
                IsValidUtf8(e.scope_name) && IsValidUtf8(e.scope_version),
            "span string not UTF-8");
    CheckAttributes(batch, e.first_attribute, e.num_attributes, limits);
    Require(e.first_event == events && e.first_link == links, "events or links out of order");
    Require(e.num_events <= limits.max_events && e.num_links <= limits.max_links,
            "more events or links than the limit");
    events += e.num_events;
    links += e.num_links;
    Require(events <= batch.events().size() && links <= batch.links().size(),
            "event or link range out of bounds");
    for (const SpanBatch::Event& ev : batch.EventsOf(e)) {
      Require(IsValidUtf8(ev.name), "event name not UTF-8");
      CheckAttributes(batch, ev.first_attribute, ev.num_attributes, limits);
    }
    for (const SpanBatch::Link& l : batch.LinksOf(e)) {
      Require(!l.trace_id.empty() && l.span_id != 0, "link with a zero id");
      Require(IsValidUtf8(l.trace_state), "link trace_state not UTF-8");
      CheckAttributes(batch, l.first_attribute, l.num_attributes, limits);
    }
    Span owned = batch.ToSpan(i);
    Require(owned.span_id == e.span_id && owned.name.size() == e.name.size(), "owned copy differs");
  }
  Require(events == batch.events().size() && links == batch.links().size(),
          "events or links of no span");
}

// Tight limits, so the fuzzers reach the truncating and dropping paths with small inputs.
inline SpanLimits TightLimits() {
  SpanLimits l;
  l.max_attribute_value_bytes = 7;
  l.max_attributes = 3;
  l.max_events = 2;
  l.max_links = 2;
  return l;
}

}  // namespace vigil::fuzz_traces
