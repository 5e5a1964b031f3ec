// OTLP metrics in the OTLP/JSON encoding (OTLP/HTTP `POST /v1/metrics`, application/json):
// the protobuf JSON mapping of the messages in otlp_metrics_proto.h, with OTLP's rules — keys
// in lowerCamelCase (`resourceMetrics`, `timeUnixNano`, `bucketCounts`), 64-bit integers as
// decimal strings or numbers, `traceId` / `spanId` as hex strings (any case), enums as
// integers. Receivers are lenient where senders vary: the proto field names (`data_points`)
// are accepted too, enums also by name (`AGGREGATION_TEMPORALITY_DELTA`), doubles as "NaN" /
// "Infinity" / "-Infinity", nulls mean absent, unknown fields are ignored.
//
// The mapping to series is the mapper's (otlp_metrics_mapper.h). Errors: malformed JSON, or a
// wrong type above the data points (resourceMetrics, scopeMetrics, metrics, dataPoints not
// arrays, their elements or a metric's data not objects) fails the request and leaves the
// batch empty; a point with a wrong type, invalid UTF-8, a bad id or bad histogram buckets is
// refused alone (`metric "x": data point 2: invalid traceId "xyz": not a hex string`); a
// resource with bad attributes, a scope with a bad name, or a metric that cannot be stored
// refuses its points with one error.
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "ingest/common/decode_result.h"
#include "ingest/json/json_reader.h"
#include "ingest/otlp/otlp_envelope.h"
#include "ingest/otlp/otlp_json_envelope.h"
#include "ingest/otlp/otlp_json_values.h"
#include "ingest/otlp_metrics/delta_to_cumulative.h"
#include "ingest/otlp_metrics/otlp_metric_points.h"
#include "ingest/otlp_metrics/otlp_metrics_batch.h"
#include "ingest/otlp_metrics/otlp_metrics_mapper.h"

namespace vigil {

class OtlpMetricsJsonDecoder {
 public:
  OtlpMetricsJsonDecoder() = default;
  OtlpMetricsJsonDecoder(const OtlpMetricsJsonDecoder&) = delete;
  OtlpMetricsJsonDecoder& operator=(const OtlpMetricsJsonDecoder&) = delete;

  // Decodes `body` into `batch` (cleared first; left empty when the request fails), counting
  // data points. `now_ms` stands in for a point without a time.
  DecodeResult Decode(std::string_view body, int64_t now_ms, DeltaToCumulative::Session* deltas,
                      OtlpMetricsBatch* batch);

 private:
  using Step = JsonStep;
  struct Context;

  Step DecodeResourceMetrics(ondemand::value& v, Context& ctx);
  Step DecodeScopeMetrics(ondemand::value& v, Context& ctx);
  Step DecodeMetric(ondemand::value& v, Context& ctx);
  // The dataPoints array of a metric named `label` in messages; with `metric_error` set, the
  // points are counted into *metric_refused instead of decoded.
  Step DecodePoints(ondemand::value& points, Context& ctx, std::string_view label,
                    std::string_view metric_error, size_t* metric_refused);
  // Reads a metric's data object for its temporality and monotonicity (into *info);
  // kRefused with *error when they have the wrong type.
  Step DecodeMetricData(ondemand::value& v, OtlpMetricInfo* info, std::string* error);
  Step DecodePoint(ondemand::value& v, std::string* error);
  Step DecodeExemplar(ondemand::value& v, std::string* error);
  Step DecodeQuantile(ondemand::value& v, std::string* error);

  // An object (kRefused with a message for another type; *null set for null).
  Step GetObject(ondemand::value& v, std::string_view what, ondemand::object* o, bool* null,
                 std::string* error);
  // Calls fn(element) for each element of an array (null: none); kRefused for another type.
  // Stops at the first step fn does not return kOk, and returns it.
  template <typename Fn>
  Step ForEachElement(ondemand::value& v, std::string_view what, std::string* error, Fn&& fn);
  // Calls fn(key, value, type) for each field of `o` whose value is not null; stops as above.
  template <typename Fn>
  Step ForEachField(ondemand::object& o, std::string* error, Fn&& fn);
  Step ReadFailure(JsonRead r, std::string_view what, std::string_view expected,
                   std::string* error);
  Step Malformed(Context& ctx, std::string_view where);

  ondemand::parser parser_;
  JsonBody json_;
  JsonReader reader_;
  OtlpJsonValues values_;
  OtlpMetricsMapper mapper_;
  OtlpRefusals refusals_;
  OtlpMetricsBatch* batch_ = nullptr;
  OtlpDataPoint point_;
  std::vector<OtlpAttribute> resource_attrs_, exemplar_attrs_;
  std::string error_;
};

template <typename Fn>
JsonStep OtlpMetricsJsonDecoder::ForEachElement(ondemand::value& v, std::string_view what,
                                                std::string* error, Fn&& fn) {
  ondemand::json_type t;
  if (JsonRead r = reader_.Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  if (t == ondemand::json_type::null) return Step::kOk;
  if (t != ondemand::json_type::array) {
    *error = StrCat(what, " must be an array, got ", JsonTypeName(t));
    return Step::kRefused;
  }
  ondemand::array arr;
  if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) {
    return ReadFailure(reader_.Fail(e), "", "", error);
  }
  for (auto child : arr) {
    ondemand::value item;
    if (auto e = std::move(child).get(item); e != simdjson::SUCCESS) {
      return ReadFailure(reader_.Fail(e), "", "", error);
    }
    if (Step s = fn(item); s != Step::kOk) return s;
  }
  return Step::kOk;
}

template <typename Fn>
JsonStep OtlpMetricsJsonDecoder::ForEachField(ondemand::object& o, std::string* error, Fn&& fn) {
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      return ReadFailure(reader_.Fail(e), "", "", error);
    }
    std::string_view key;
    if (JsonRead r = reader_.Key(f, &key); r != JsonRead::kOk) {
      return ReadFailure(r, "a field name", "", error);
    }
    ondemand::value& val = f.value();
    ondemand::json_type t;
    if (JsonRead r = reader_.Type(val, &t); r != JsonRead::kOk) {
      return ReadFailure(r, "", "", error);
    }
    if (t == ondemand::json_type::null) continue;
    if (Step s = fn(key, val, t); s != Step::kOk) return s;
  }
  return Step::kOk;
}

}  // namespace vigil
