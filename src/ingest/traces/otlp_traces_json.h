// OTLP traces in the OTLP/JSON encoding (OTLP/HTTP `POST /v1/traces`, application/json): the
// protobuf JSON mapping of the messages in otlp_traces_proto.h, with OTLP's rules — keys in
// lowerCamelCase (`resourceSpans`, `startTimeUnixNano`), 64-bit integers as decimal strings or
// numbers, `traceId` / `spanId` / `parentSpanId` as hex strings (any case; not base64), enums
// as integers. Receivers are lenient where senders vary: the snake_case field names
// (`resource_spans`, `start_time_unix_nano`) are accepted too, `kind` and `status.code` may be
// given by name (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`, or `server`, `error`), nulls mean
// absent, unknown fields are ignored. An enum number outside the enum reads as unspecified /
// unset; an unknown enum name refuses the span.
//
// The mapping, validation, limits and repairs are the protobuf decoder's (otlp_traces_proto.h,
// span_validation.h). Errors: malformed JSON, or a wrong type above the spans (resourceSpans,
// scopeSpans, spans not arrays, their elements not objects) fails the request; a span with a
// wrong type, a bad id, invalid UTF-8 or a missing start time is refused alone
// (`resourceSpans[0].scopeSpans[0].spans[2]: invalid traceId "xyz": not a hex string`); a
// resource with bad attributes (or a scope with a bad name) refuses its spans.
//
// Thread-safety: a decoder is used by one thread at a time; keep one per thread so its parser
// and scratch vectors are reused from request to request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_reader.h"
#include "ingest/otlp/otlp_json_envelope.h"
#include "ingest/otlp/otlp_json_values.h"
#include "ingest/traces/span_decode_result.h"
#include "ingest/traces/span_validation.h"
#include "storage/span_record.h"

namespace vigil {

class OtlpTracesJsonDecoder {
 public:
  explicit OtlpTracesJsonDecoder(const SpanLimits& limits = {});
  OtlpTracesJsonDecoder(const OtlpTracesJsonDecoder&) = delete;
  OtlpTracesJsonDecoder& operator=(const OtlpTracesJsonDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  SpanDecodeResult Decode(std::string_view body, SpanBatch* batch);

 private:
  using Step = JsonStep;
  struct Context;
  struct Visitor;

  Step DecodeSpan(ondemand::value& v, Context& ctx, std::string* error);
  Step DecodeEvent(ondemand::value& v, std::string* error);
  Step DecodeLink(ondemand::value& v, std::string* error);
  Step DecodeStatus(ondemand::value& v, std::string* error);
  // The events or links array (`key`) of a span.
  Step DecodeItems(ondemand::value& v, ondemand::json_type t, std::string_view key,
                   std::string* error);

  ondemand::parser parser_;
  JsonBody json_;
  JsonReader reader_;
  OtlpJsonValues values_;
  OtlpJsonEnvelope envelope_;
  SpanAssembler spans_;
  std::vector<OtlpAttribute> attrs_;
  std::string error_;
};

}  // namespace vigil
