#include "storage/traces/span_codec.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/coding.h"
#include "common/strings.h"

namespace vigil::traces {
namespace {

constexpr uint8_t kRecordVersion = 1;

void PutTraceId(std::string* out, const TraceId& id) {
  PutFixed64(out, id.hi);
  PutFixed64(out, id.lo);
}

void PutAttributes(std::string* out, std::span<const SpanAttributeView> attrs) {
  PutUvarint(out, attrs.size());
  for (const SpanAttributeView& a : attrs) {
    PutString(out, a.key);
    out->push_back(static_cast<char>(a.type));
    PutString(out, a.value);
  }
}

class RecordReader {
 public:
  RecordReader(std::string_view in, SpanBatch* out) : r_(in), out_(out) {}

  absl::Status Read() {
    uint8_t version;
    if (!r_.Byte(&version)) return Bad("empty record");
    if (version != kRecordVersion) return Bad(StrCat("unknown record version ", version));
    uint64_t resources;
    if (!r_.Uvarint(&resources) || resources > r_.remaining()) return Bad("resource count");
    for (uint64_t i = 0; i < resources; ++i) {
      std::string_view service;
      if (!r_.String(&service)) return Bad("resource service");
      attrs_.clear();
      if (!Attributes(&attrs_)) return Bad("resource attributes");
      out_->AddResource(service, attrs_);
    }
    uint64_t spans;
    if (!r_.Uvarint(&spans) || spans > r_.remaining()) return Bad("span count");
    for (uint64_t i = 0; i < spans; ++i) {
      if (!Span(resources)) return Bad(StrCat("span ", i));
    }
    if (r_.remaining() != 0) return Bad("trailing bytes");
    return absl::OkStatus();
  }

 private:
  absl::Status Bad(std::string_view what) {
    out_->Clear();
    return absl::DataLossError(StrCat("malformed span record: ", what));
  }

  bool TraceIdOf(TraceId* id) { return r_.Fixed64(&id->hi) && r_.Fixed64(&id->lo); }

  bool Attribute(SpanAttributeView* a) {
    uint8_t type;
    if (!r_.String(&a->key) || !r_.Byte(&type) || !r_.String(&a->value)) return false;
    if (type > static_cast<uint8_t>(AttributeType::kKvList)) return false;
    a->type = static_cast<AttributeType>(type);
    return true;
  }

  bool Attributes(std::vector<SpanAttributeView>* out) {
    uint64_t n;
    if (!r_.Uvarint(&n) || n > r_.remaining()) return false;
    for (uint64_t i = 0; i < n; ++i) {
      SpanAttributeView a;
      if (!Attribute(&a)) return false;
      out->push_back(a);
    }
    return true;
  }

  template <typename AddFn>
  bool AttributesInto(AddFn add) {
    uint64_t n;
    if (!r_.Uvarint(&n) || n > r_.remaining()) return false;
    for (uint64_t i = 0; i < n; ++i) {
      SpanAttributeView a;
      if (!Attribute(&a)) return false;
      add(a);
    }
    return true;
  }

  bool Count32(uint32_t* v) {
    uint64_t u;
    if (!r_.Uvarint(&u) || u > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(u);
    return true;
  }

  bool Span(uint64_t resources) {
    uint64_t resource, start, end, flags;
    if (!r_.Uvarint(&resource) || resource >= resources) return false;
    SpanBatch::Entry& e = out_->AddSpan(static_cast<uint32_t>(resource));
    uint8_t kind, status;
    if (!TraceIdOf(&e.trace_id) || !r_.Fixed64(&e.span_id) || !r_.Fixed64(&e.parent_span_id) ||
        !r_.Fixed64(&start) || !r_.Fixed64(&end) || !r_.Byte(&kind) || !r_.Byte(&status) ||
        !r_.Uvarint(&flags) || !r_.String(&e.name) || !r_.String(&e.trace_state) ||
        !r_.String(&e.status_message) || !r_.String(&e.scope_name) ||
        !r_.String(&e.scope_version)) {
      return false;
    }
    if (kind > static_cast<uint8_t>(SpanKind::kConsumer) ||
        status > static_cast<uint8_t>(SpanStatus::kError) || flags > UINT32_MAX) {
      return false;
    }
    e.start_ns = static_cast<int64_t>(start);
    e.end_ns = static_cast<int64_t>(end);
    e.kind = static_cast<SpanKind>(kind);
    e.status = static_cast<SpanStatus>(status);
    e.flags = static_cast<uint32_t>(flags);
    // Attributes, events and links grow other vectors than the spans': `e` stays valid.
    uint32_t dropped_attributes, dropped_events, dropped_links;
    if (!AttributesInto([&](const SpanAttributeView& a) { out_->AddSpanAttribute(a); }) ||
        !Count32(&dropped_attributes)) {
      return false;
    }
    uint64_t events;
    if (!r_.Uvarint(&events) || events > r_.remaining()) return false;
    for (uint64_t i = 0; i < events; ++i) {
      uint64_t time;
      std::string_view name;
      uint32_t dropped;
      if (!r_.Fixed64(&time) || !r_.String(&name)) return false;
      SpanBatch::Event& ev = out_->AddEvent();
      ev.time_ns = static_cast<int64_t>(time);
      ev.name = name;
      if (!AttributesInto([&](const SpanAttributeView& a) { out_->AddEventAttribute(a); }) ||
          !Count32(&dropped)) {
        return false;
      }
      ev.dropped_attributes_count = dropped;
    }
    if (!Count32(&dropped_events)) return false;
    uint64_t links;
    if (!r_.Uvarint(&links) || links > r_.remaining()) return false;
    for (uint64_t i = 0; i < links; ++i) {
      TraceId trace;
      SpanId span;
      std::string_view state;
      uint32_t dropped;
      if (!TraceIdOf(&trace) || !r_.Fixed64(&span) || !r_.String(&state)) return false;
      SpanBatch::Link& l = out_->AddLink();
      l.trace_id = trace;
      l.span_id = span;
      l.trace_state = state;
      if (!AttributesInto([&](const SpanAttributeView& a) { out_->AddLinkAttribute(a); }) ||
          !Count32(&dropped)) {
        return false;
      }
      l.dropped_attributes_count = dropped;
    }
    if (!Count32(&dropped_links)) return false;
    e.dropped_attributes_count = dropped_attributes;
    e.dropped_events_count = dropped_events;
    e.dropped_links_count = dropped_links;
    return true;
  }

  ByteReader r_;
  SpanBatch* out_;
  std::vector<SpanAttributeView> attrs_;
};

}  // namespace

void EncodeSpanRecord(const SpanBatch& batch, std::span<const uint32_t> spans, std::string* out) {
  out->push_back(static_cast<char>(kRecordVersion));
  // Only the resources the chosen spans use, renumbered in first-use order.
  std::vector<uint32_t> resource_ids(batch.resources().size(), UINT32_MAX);
  std::vector<uint32_t> used;
  for (uint32_t i : spans) {
    uint32_t r = batch.spans()[i].resource;
    if (resource_ids[r] == UINT32_MAX) {
      resource_ids[r] = static_cast<uint32_t>(used.size());
      used.push_back(r);
    }
  }
  PutUvarint(out, used.size());
  for (uint32_t r : used) {
    const SpanBatch::Resource& res = batch.resources()[r];
    PutString(out, res.service_name);
    PutAttributes(out, batch.AttributesOf(res));
  }
  PutUvarint(out, spans.size());
  for (uint32_t i : spans) {
    const SpanBatch::Entry& e = batch.spans()[i];
    PutUvarint(out, resource_ids[e.resource]);
    PutTraceId(out, e.trace_id);
    PutFixed64(out, e.span_id);
    PutFixed64(out, e.parent_span_id);
    PutFixed64(out, static_cast<uint64_t>(e.start_ns));
    PutFixed64(out, static_cast<uint64_t>(e.end_ns));
    out->push_back(static_cast<char>(e.kind));
    out->push_back(static_cast<char>(e.status));
    PutUvarint(out, e.flags);
    PutString(out, e.name);
    PutString(out, e.trace_state);
    PutString(out, e.status_message);
    PutString(out, e.scope_name);
    PutString(out, e.scope_version);
    PutAttributes(out, batch.AttributesOf(e));
    PutUvarint(out, e.dropped_attributes_count);
    PutUvarint(out, e.num_events);
    for (const SpanBatch::Event& ev : batch.EventsOf(e)) {
      PutFixed64(out, static_cast<uint64_t>(ev.time_ns));
      PutString(out, ev.name);
      PutAttributes(out, batch.AttributesOf(ev));
      PutUvarint(out, ev.dropped_attributes_count);
    }
    PutUvarint(out, e.dropped_events_count);
    PutUvarint(out, e.num_links);
    for (const SpanBatch::Link& l : batch.LinksOf(e)) {
      PutTraceId(out, l.trace_id);
      PutFixed64(out, l.span_id);
      PutString(out, l.trace_state);
      PutAttributes(out, batch.AttributesOf(l));
      PutUvarint(out, l.dropped_attributes_count);
    }
    PutUvarint(out, e.dropped_links_count);
  }
}

absl::Status DecodeSpanRecord(std::string_view record, SpanBatch* out) {
  out->Clear();
  return RecordReader(record, out).Read();
}

}  // namespace vigil::traces
