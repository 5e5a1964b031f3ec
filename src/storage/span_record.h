// The span data model shared by ingestion, storage and query: OpenTelemetry's span (trace id,
// span id, parent, name, kind, start/end in ns, status, attributes, events, links) and its
// resource (service.name and the other resource attributes) and instrumentation scope.
//
// Ids follow W3C trace context: a trace id is 16 bytes, a span id 8, both non-zero. In memory
// they are integers (TraceId's halves are the big-endian reading of the bytes, so comparing
// TraceIds orders them as their hex strings do); on the wire and in APIs, lowercase hex.
//
// SpanBatch is what a decoder produces and TracesStore::Append takes: spans with views into the
// request body or the batch's own arena. Span is the owned form a query returns.
//
// Thread-safety: value types; a SpanBatch is used by one thread at a time.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/attribute_type.h"
#include "common/string_arena.h"

namespace vigil {

struct TraceId {
  uint64_t hi = 0;
  uint64_t lo = 0;

  bool empty() const { return hi == 0 && lo == 0; }
  friend auto operator<=>(const TraceId&, const TraceId&) = default;
  friend bool operator==(const TraceId&, const TraceId&) = default;

  // From 16 raw bytes (protobuf); false unless exactly 16.
  static bool FromBytes(std::string_view bytes, TraceId* out);
  // From 32 hex digits of either case, or 16 (Zipkin's 64-bit ids, zero-extended on the left).
  static bool FromHex(std::string_view hex, TraceId* out);
  std::string Hex() const;  // 32 lowercase hex digits
  void AppendHex(std::string* out) const;
  void AppendBytes(std::string* out) const;  // 16 raw bytes
  template <typename H>
  friend H AbslHashValue(H h, const TraceId& t) {
    return H::combine(std::move(h), t.hi, t.lo);
  }
};

// A span id; 0 means none (a root span's parent).
using SpanId = uint64_t;
bool SpanIdFromBytes(std::string_view bytes, SpanId* out);  // exactly 8 bytes
bool SpanIdFromHex(std::string_view hex, SpanId* out);      // exactly 16 hex digits
std::string SpanIdHex(SpanId id);                           // 16 lowercase hex digits
void AppendSpanIdHex(SpanId id, std::string* out);

// OTLP's SpanKind numbering.
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};
// "unspecified", "internal", "server", "client", "producer", "consumer".
std::string_view SpanKindName(SpanKind k);
// OTLP's enum names: "SPAN_KIND_SERVER".
std::string_view SpanKindOtlpName(SpanKind k);
// Either spelling, case-insensitive; false for anything else.
bool ParseSpanKind(std::string_view text, SpanKind* out);

// OTLP's Status.code numbering.
enum class SpanStatus : uint8_t { kUnset = 0, kOk = 1, kError = 2 };
// "unset", "ok", "error".
std::string_view SpanStatusName(SpanStatus s);
// "STATUS_CODE_ERROR".
std::string_view SpanStatusOtlpName(SpanStatus s);
bool ParseSpanStatus(std::string_view text, SpanStatus* out);

struct SpanAttributeView {
  std::string_view key;
  std::string_view value;  // as text (ingest/otlp/otlp_values.h)
  AttributeType type = AttributeType::kString;
};

struct SpanAttribute {
  std::string key;
  std::string value;
  AttributeType type = AttributeType::kString;
  friend bool operator==(const SpanAttribute&, const SpanAttribute&) = default;
};

struct SpanEvent {
  int64_t time_ns = 0;
  std::string name;
  std::vector<SpanAttribute> attributes;
  uint32_t dropped_attributes_count = 0;
  friend bool operator==(const SpanEvent&, const SpanEvent&) = default;
};

struct SpanLink {
  TraceId trace_id;
  SpanId span_id = 0;
  std::string trace_state;
  std::vector<SpanAttribute> attributes;
  uint32_t dropped_attributes_count = 0;
  friend bool operator==(const SpanLink&, const SpanLink&) = default;
};

// The owned form of a span, as queries return it.
struct Span {
  TraceId trace_id;
  SpanId span_id = 0;
  SpanId parent_span_id = 0;
  std::string trace_state;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  SpanStatus status = SpanStatus::kUnset;
  std::string status_message;
  uint32_t flags = 0;
  std::string service_name;  // the resource's service.name ("unknown_service" without one)
  std::vector<SpanAttribute> resource_attributes;  // service.name included
  std::string scope_name;
  std::string scope_version;
  std::vector<SpanAttribute> attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  uint32_t dropped_attributes_count = 0;
  uint32_t dropped_events_count = 0;
  uint32_t dropped_links_count = 0;

  int64_t duration_ns() const { return end_ns - start_ns; }
  friend bool operator==(const Span&, const Span&) = default;
};

// The service name of a resource without service.name, as the OpenTelemetry SDKs default it.
inline constexpr std::string_view kUnknownServiceName = "unknown_service";

// A decoded ingest request. Strings are views into the request body (which must outlive the
// batch) or into the batch's arena (Copy). Build it resource by resource: AddResource, then
// for each span AddSpan followed by its attributes, events (each followed by its attributes)
// and links (likewise), in that order.
class SpanBatch {
 public:
  struct Resource {
    std::string_view service_name;
    uint32_t first_attribute = 0;  // into attributes()
    uint32_t num_attributes = 0;
  };
  struct Event {
    int64_t time_ns = 0;
    std::string_view name;
    uint32_t first_attribute = 0;
    uint32_t num_attributes = 0;
    uint32_t dropped_attributes_count = 0;
  };
  struct Link {
    TraceId trace_id;
    SpanId span_id = 0;
    std::string_view trace_state;
    uint32_t first_attribute = 0;
    uint32_t num_attributes = 0;
    uint32_t dropped_attributes_count = 0;
  };
  struct Entry {
    uint32_t resource = 0;  // into resources()
    TraceId trace_id;
    SpanId span_id = 0;
    SpanId parent_span_id = 0;
    std::string_view trace_state;
    std::string_view name;
    SpanKind kind = SpanKind::kUnspecified;
    SpanStatus status = SpanStatus::kUnset;
    uint32_t flags = 0;
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    std::string_view status_message;
    std::string_view scope_name;
    std::string_view scope_version;
    uint32_t first_attribute = 0;
    uint32_t num_attributes = 0;
    uint32_t first_event = 0;  // into events()
    uint32_t num_events = 0;
    uint32_t first_link = 0;  // into links()
    uint32_t num_links = 0;
    uint32_t dropped_attributes_count = 0;
    uint32_t dropped_events_count = 0;
    uint32_t dropped_links_count = 0;
  };

  // A resource and its attributes (service.name among them, when sent).
  uint32_t AddResource(std::string_view service_name,
                       std::span<const SpanAttributeView> attributes);
  Entry& AddSpan(uint32_t resource);
  void AddSpanAttribute(const SpanAttributeView& a);
  Event& AddEvent();
  void AddEventAttribute(const SpanAttributeView& a);
  Link& AddLink();
  void AddLinkAttribute(const SpanAttributeView& a);
  // Empties the batch, keeping its capacity for reuse.
  void Clear();
  // Drops the last span with its attributes, events and links (a decoder that finds it invalid
  // after all).
  void DropLastSpan();

  std::string_view Copy(std::string_view s) { return s.empty() ? s : arena_.Copy(s); }
  StringArena* arena() { return &arena_; }

  const std::vector<Resource>& resources() const { return resources_; }
  const std::vector<Entry>& spans() const { return spans_; }
  std::vector<Entry>& mutable_spans() { return spans_; }
  const std::vector<SpanAttributeView>& attributes() const { return attributes_; }
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Link>& links() const { return links_; }

  std::span<const SpanAttributeView> AttributesOf(const Resource& r) const {
    return {attributes_.data() + r.first_attribute, r.num_attributes};
  }
  std::span<const SpanAttributeView> AttributesOf(const Entry& e) const {
    return {attributes_.data() + e.first_attribute, e.num_attributes};
  }
  std::span<const SpanAttributeView> AttributesOf(const Event& e) const {
    return {attributes_.data() + e.first_attribute, e.num_attributes};
  }
  std::span<const SpanAttributeView> AttributesOf(const Link& l) const {
    return {attributes_.data() + l.first_attribute, l.num_attributes};
  }
  std::span<const Event> EventsOf(const Entry& e) const {
    return {events_.data() + e.first_event, e.num_events};
  }
  std::span<const Link> LinksOf(const Entry& e) const {
    return {links_.data() + e.first_link, e.num_links};
  }
  // The owned form of span `i` (tests, small paths; not the ingest hot path).
  Span ToSpan(size_t i) const;

  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }

 private:
  std::vector<Resource> resources_;
  std::vector<Entry> spans_;
  std::vector<SpanAttributeView> attributes_;
  std::vector<Event> events_;
  std::vector<Link> links_;
  StringArena arena_;
};

}  // namespace vigil
