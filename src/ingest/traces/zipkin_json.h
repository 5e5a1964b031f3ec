// Zipkin v2 JSON spans (`POST /api/v2/spans`, application/json): a JSON array of
//
//   {"traceId": "<16 or 32 hex>", "id": "<16 hex>", "parentId": "<16 hex>", "name": "get /",
//    "kind": "CLIENT" | "SERVER" | "PRODUCER" | "CONSUMER", "timestamp": <µs>,
//    "duration": <µs>, "localEndpoint": {"serviceName", "ipv4", "ipv6", "port"},
//    "remoteEndpoint": {...}, "annotations": [{"timestamp": <µs>, "value": "..."}],
//    "tags": {"http.method": "GET", ...}, "debug": true, "shared": true}
//
// Mapping to the OTLP span model:
// - ids as hex (either case); a 16-digit traceId is zero-extended to 128 bits. A parentId of
//   all zeros means no parent.
// - kind: absent -> unspecified; the Zipkin names (or any ParseSpanKind spelling) otherwise.
// - start = timestamp, end = timestamp + duration (microseconds -> nanoseconds); no duration
//   (an incomplete span) -> end = start.
// - localEndpoint.serviceName -> the resource's service.name (absent -> unknown_service);
//   spans of the same service share one resource within the batch. localEndpoint.ipv4 (else
//   ipv6) and port -> span attributes net.host.ip and net.host.port; remoteEndpoint's
//   serviceName, ipv4 (else ipv6) and port -> peer.service, net.peer.ip, net.peer.port. A port
//   of 0 is absent, as in Zipkin.
// - annotations -> events named by their value, at their timestamp.
// - tags -> string attributes. The tag `error` makes the status an error whose message is the
//   tag's value; without it, `otel.status_code` (OK / ERROR, as OpenTelemetry's Zipkin exporter
//   writes it) sets the status. `otel.scope.name` / `otel.scope.version` (or the older
//   `otel.library.*`) set the scope. All tags are kept as attributes too. Tag values that are
//   numbers or booleans (sloppy senders) are taken as their text.
// - debug and shared are ignored.
//
// Validation, limits and repairs: span_validation.h (ids: 16 or 32 hex digits for traceId, 16
// for id and parentId). Errors: malformed JSON or a body that is not an array fails the
// request (status not OK, batch empty); anything wrong in one span refuses that span alone:
// `spans[3]: invalid traceId "abc": 3 hex digits, expected 16 or 32`.
//
// Thread-safety: a decoder is used by one thread at a time; keep one per thread so its parser
// and scratch vectors are reused from request to request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "common/string_view_hash.h"
#include "ingest/json/json_reader.h"
#include "ingest/otlp/otlp_json_values.h"  // JsonStep
#include "ingest/traces/span_decode_result.h"
#include "ingest/traces/span_validation.h"
#include "storage/span_record.h"

namespace vigil {

class ZipkinJsonDecoder {
 public:
  explicit ZipkinJsonDecoder(const SpanLimits& limits = {});
  ZipkinJsonDecoder(const ZipkinJsonDecoder&) = delete;
  ZipkinJsonDecoder& operator=(const ZipkinJsonDecoder&) = delete;

  // Decodes `body` (which must outlive `batch`) into `batch` (expected empty; left empty when
  // the request fails).
  SpanDecodeResult Decode(std::string_view body, SpanBatch* batch);

 private:
  using Step = JsonStep;
  struct SpanFields;

  Step DecodeSpan(ondemand::value& v, SpanFields* fields, std::string* error);
  Step DecodeEndpoint(ondemand::value& v, bool local, SpanFields* fields, std::string* error);
  Step DecodeAnnotation(ondemand::value& v, std::string* error);
  Step DecodeTags(ondemand::value& v, SpanFields* fields, std::string* error);
  Step DecodeAnnotations(ondemand::value& v, ondemand::json_type t, std::string* error);
  // The resource of `service` in this batch, added on first use.
  uint32_t ResourceOf(std::string_view service);

  ondemand::parser parser_;
  JsonBody json_;
  JsonReader reader_;
  SpanAssembler spans_;
  StringViewMap<uint32_t> services_;
  std::string error_;
};

}  // namespace vigil
