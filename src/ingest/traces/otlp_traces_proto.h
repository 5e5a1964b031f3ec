// OTLP traces, binary protobuf (OTLP/HTTP `POST /v1/traces` with application/x-protobuf, and
// the gRPC TraceService/Export payload):
//
//   ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
//   ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; ... }
//   Resource      { repeated KeyValue attributes = 1; ... }
//   ScopeSpans    { InstrumentationScope scope = 1; repeated Span spans = 2; ... }
//   InstrumentationScope { string name = 1; string version = 2; ... }
//   Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3;
//          bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
//          fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
//          repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
//          repeated Event events = 11; uint32 dropped_events_count = 12;
//          repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
//          fixed32 flags = 16; }
//   Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3;
//                uint32 dropped_attributes_count = 4; }
//   Span.Link  { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3;
//                repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5;
//                fixed32 flags = 6; }
//   Status { string message = 2; StatusCode code = 3; }   (0 unset, 1 ok, 2 error)
//   KeyValue / AnyValue: see ingest/otlp/otlp_proto_values.h.
//
// Mapping: one SpanBatch resource per ResourceSpans that keeps a span (service name from
// `service.name`, else unknown_service); scope name and version on every span; attribute
// values as text with their AnyValue type (ingest/otlp/otlp_values.h; unset values and empty
// keys skipped). A kind or status code outside the enum (a newer sender) reads as
// unspecified / unset. Unknown fields are skipped. Strings are views of the body, which must
// outlive the batch; only rendered values (numbers, arrays, bytes) go to the batch's arena.
//
// Validation, limits and repairs: span_validation.h. Errors: broken framing of the request, a
// ResourceSpans or a ScopeSpans (or a wrong wire type there) fails the whole request (status
// not OK, batch empty). Anything wrong inside a Span (its framing, a wrong wire type, invalid
// UTF-8, an id of the wrong length, a missing start time, a bad event or link) refuses that span
// alone: `resource_spans[0].scope_spans[1].spans[3]: invalid trace_id: 15 bytes, expected 16`.
// A resource with undecodable attributes (or a scope with a bad name) refuses its spans with
// one error.
//
// Thread-safety: a decoder is used by one thread at a time; keep one per thread so its scratch
// vectors are reused from request to request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/otlp/otlp_proto_envelope.h"
#include "ingest/otlp/otlp_proto_values.h"
#include "ingest/traces/span_decode_result.h"
#include "ingest/traces/span_validation.h"
#include "storage/span_record.h"

namespace vigil {

class OtlpTracesProtoDecoder {
 public:
  explicit OtlpTracesProtoDecoder(const SpanLimits& limits = {});
  OtlpTracesProtoDecoder(const OtlpTracesProtoDecoder&) = delete;
  OtlpTracesProtoDecoder& operator=(const OtlpTracesProtoDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  SpanDecodeResult Decode(std::string_view body, SpanBatch* batch);

 private:
  struct Context;
  struct Visitor;
  // False with *error when the span is refused.
  bool DecodeSpan(std::string_view pb, Context& ctx, std::string* error);
  bool DecodeEvent(std::string_view pb, std::string* error);
  bool DecodeLink(std::string_view pb, std::string* error);
  bool DecodeStatus(std::string_view pb, std::string* error);
  // A KeyValue as text; *set is false for an unset value or an empty key (skipped).
  bool DecodeAttribute(std::string_view kv, OtlpAttribute* out, bool* set, std::string* error);
  bool FastAttribute(std::string_view kv, OtlpAttribute* out);

  SpanBatch* batch_ = nullptr;
  SpanAssembler spans_;
  OtlpProtoValues values_;
  OtlpProtoEnvelope envelope_;
};

}  // namespace vigil
