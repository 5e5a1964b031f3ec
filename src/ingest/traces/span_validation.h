// The rules every span decoder (OTLP protobuf, OTLP/JSON, Zipkin) applies, and the staging
// area a decoder collects one span in before it is checked and written to the batch.
//
// Refusals: a span that breaks one of these rules is refused alone; the decoder prefixes the
// message with the span's position (`resource_spans[0].scope_spans[1].spans[3]: invalid
// trace_id: 15 bytes, expected 16`). Field names are the encoding's own (`trace_id` in
// protobuf, `traceId` in JSON).
// - trace id: 16 bytes, or 32 hex digits of either case (Zipkin: also 16, zero-extended on the
//   left), not all zero. `missing trace_id`, `invalid trace_id: 15 bytes, expected 16`,
//   `invalid trace_id: all zero`, `invalid traceId "xyz": not a hex string`,
//   `invalid traceId "abc": 3 hex digits, expected 32`.
// - span id: 8 bytes (16 hex digits), not all zero; the same messages.
// - parent span id: absent, empty, or 8 bytes (16 hex digits); all zero means no parent.
// - a link's trace id and span id: as the span's own (required, non-zero).
// - the name and every other string: valid UTF-8 (`invalid UTF-8 in name`).
// - start time: not 0 (`missing start time`) and at most INT64_MAX ns (`start time 1844…
//   ns is out of range`); the end time at most INT64_MAX too.
//
// Repairs instead of refusals, so that one oversized or skewed part does not lose the span:
// - end before start (a skewed clock, an end time of 0): the span is kept with end = start
//   (duration 0) and counted in SpanDecodeResult::clamped.
// - an attribute value longer than SpanLimits::max_attribute_value_bytes is cut to at most
//   that many bytes at a UTF-8 character boundary (so it stays valid UTF-8) and counted in
//   SpanDecodeResult::truncated. The cut value is a prefix of the same bytes (the body or the
//   batch arena, both outliving the batch), so nothing is copied. A cut value that was not a
//   string (an array or kvlist as JSON text, base64 bytes) no longer parses as its type and
//   becomes a string. This applies to span, event, link and resource attributes.
// - attributes of a span, event or link beyond max_attributes, events beyond max_events and
//   links beyond max_links are dropped (the first ones are kept) and added to the item's
//   dropped_attributes_count / the span's dropped_events_count / dropped_links_count, which
//   start at the counts the sender reported. Resource attributes beyond max_attributes are
//   dropped (a resource has no count). Counts saturate at UINT32_MAX.
//
// Thread-safety: the functions are pure; a SpanAssembler is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/common/utf8.h"
#include "ingest/otlp/otlp_values.h"
#include "ingest/traces/span_decode_result.h"
#include "storage/span_record.h"

namespace vigil {

struct SpanLimits {
  size_t max_attribute_value_bytes = 64 * 1024;
  size_t max_attributes = 1024;  // per span, event, link and resource
  size_t max_events = 1024;      // per span
  size_t max_links = 1024;       // per span
};

enum class IdPresence {
  kRequired,  // empty or all zero is refused
  kOptional,  // empty or all zero means none (0)
};

// Ids from raw bytes (protobuf). `field` names the id in messages ("trace_id",
// "links[2].span_id"). Trace ids are always required.
bool DecodeTraceIdBytes(std::string_view bytes, std::string_view field, TraceId* out,
                        std::string* error);
bool DecodeSpanIdBytes(std::string_view bytes, std::string_view field, IdPresence presence,
                       SpanId* out, std::string* error);
// Ids from hex (OTLP/JSON, Zipkin), either case. `allow_64bit`: 16 digits are accepted for a
// trace id and zero-extended (Zipkin's 64-bit trace ids).
bool DecodeTraceIdHex(std::string_view hex, std::string_view field, bool allow_64bit, TraceId* out,
                      std::string* error);
bool DecodeSpanIdHex(std::string_view hex, std::string_view field, IdPresence presence, SpanId* out,
                     std::string* error);

// *count += n, saturating at UINT32_MAX.
inline void AddSaturated(uint32_t* count, uint64_t n) {
  const uint64_t sum = uint64_t{*count} + n;
  *count = sum > UINT32_MAX || sum < n ? UINT32_MAX : static_cast<uint32_t>(sum);
}

// Collects one span at a time in any field order (protobuf fields and JSON keys may come in
// any order, but the batch wants attributes, then events, then links), applies the limits as
// items are added, checks the times, and writes the span to the batch in one go. The scratch
// vectors live as long as the assembler, so a decoder that keeps one allocates nothing per
// span once they have grown.
//
// Per span: Begin; set fields through span() (ids, name, kind, status, flags, trace_state,
// scope; the sender's dropped_* counts added with AddSaturated), SetTimes, Add* in any order;
// then Check and, when it passes, Write.
class SpanAssembler {
 public:
  explicit SpanAssembler(const SpanLimits& limits = {}) : limits_(limits) {}

  const SpanLimits& limits() const { return limits_; }

  // Starts a request.
  void Reset(SpanBatch* batch, SpanDecodeResult* result);

  // Stages the resource of the spans that follow Write() (limits applied; the service name
  // is the value of `service.name`). It is added to the batch with the first of its spans
  // written, so a resource whose spans are all refused leaves nothing behind.
  void SetResource(std::span<const OtlpAttribute> attributes);
  // Adds a resource to the batch now (limits applied) and returns its index.
  uint32_t AddResource(std::span<const OtlpAttribute> attributes);

  void Begin();
  SpanBatch::Entry& span() { return entry_; }
  // As sent: unsigned nanoseconds since the epoch, checked by Check.
  void SetTimes(uint64_t start_ns, uint64_t end_ns) {
    start_ns_ = start_ns;
    end_ns_ = end_ns;
  }
  void AddAttribute(std::string_view key, std::string_view value, AttributeType type);
  // An event to fill (time_ns, name, the sender's dropped_attributes_count) followed by its
  // attributes, or nullptr past max_events: the event is dropped (and counted), and its
  // attributes must not be added.
  SpanBatch::Event* AddEvent();
  void AddEventAttribute(std::string_view key, std::string_view value, AttributeType type);
  // Likewise for links (trace_id, span_id, trace_state, dropped_attributes_count).
  SpanBatch::Link* AddLink();
  void AddLinkAttribute(std::string_view key, std::string_view value, AttributeType type);

  // The time rules (the file comment); false with *error when the span must be refused.
  // Clamps the end time otherwise.
  bool Check(std::string* error);
  // Writes the checked span under the staged resource (SetResource), or under `resource`.
  void Write();
  void Write(uint32_t resource);

 private:
  // `value` cut to the limit (counted); `*type` becomes kString when it was cut.
  std::string_view Limit(std::string_view value, AttributeType* type, size_t* truncated) const;
  void AppendLimited(std::span<const OtlpAttribute> attributes, std::string_view* service_name,
                     size_t* truncated);

  const SpanLimits limits_;
  SpanBatch* batch_ = nullptr;
  SpanDecodeResult* result_ = nullptr;

  // The staged resource.
  std::vector<SpanAttributeView> resource_attrs_;
  std::string_view resource_service_;
  size_t resource_truncated_ = 0;
  bool resource_written_ = false;
  uint32_t resource_index_ = 0;

  // The span being collected.
  SpanBatch::Entry entry_;
  uint64_t start_ns_ = 0, end_ns_ = 0;
  bool clamped_ = false;
  size_t truncated_ = 0;
  std::vector<SpanAttributeView> attributes_;
  std::vector<SpanBatch::Event> events_;  // first_attribute: into event_attrs_
  std::vector<SpanAttributeView> event_attrs_;
  std::vector<SpanBatch::Link> links_;  // first_attribute: into link_attrs_
  std::vector<SpanAttributeView> link_attrs_;
};

}  // namespace vigil
