// The data-point half of the OTLP/JSON metrics decoder: points, exemplars, quantiles.
#include <limits>

#include "common/strings.h"
#include "ingest/otlp/otlp_ids.h"
#include "ingest/otlp_metrics/otlp_metrics_json.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

// OTLP/JSON keys are lowerCamelCase; the proto field names are accepted as well.
bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

}  // namespace

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::ReadFailure(JsonRead r, std::string_view what,
                                                                 std::string_view expected,
                                                                 std::string* error) {
  if (r == JsonRead::kMalformed) {
    *error = reader_.MalformedMessage();
    return Step::kMalformed;
  }
  *error = JsonReadMessage(r, what, expected, reader_.last_type());
  return Step::kRefused;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::GetObject(ondemand::value& v,
                                                               std::string_view what,
                                                               ondemand::object* o, bool* null,
                                                               std::string* error) {
  JsonType t;
  *null = false;
  if (JsonRead r = reader_.Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  if (t == JsonType::null) {
    *null = true;
    return Step::kOk;
  }
  if (t != JsonType::object) {
    *error = StrCat(what, " must be an object, got ", JsonTypeName(t));
    return Step::kRefused;
  }
  if (auto e = v.get_object().get(*o); e != simdjson::SUCCESS) {
    return ReadFailure(reader_.Fail(e), "", "", error);
  }
  return Step::kOk;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodeExemplar(ondemand::value& v,
                                                                    std::string* error) {
  ondemand::object o;
  bool null;
  if (Step s = GetObject(v, "exemplar", &o, &null, error); s != Step::kOk || null) return s;
  OtlpExemplarPoint e;
  e.attrs_begin = static_cast<uint32_t>(point_.exemplar_attrs.size());
  std::string_view trace_hex, span_hex;
  Step fs = ForEachField(
      o, error, [&](std::string_view key, ondemand::value& val, [[maybe_unused]] JsonType t) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected = "a number";
        if (Is(key, "filteredAttributes", "filtered_attributes")) {
          if (Step s = values_.Attributes(val, &exemplar_attrs_, error); s != Step::kOk) return s;
          point_.exemplar_attrs.insert(point_.exemplar_attrs.end(), exemplar_attrs_.begin(),
                                       exemplar_attrs_.end());
        } else if (Is(key, "timeUnixNano", "time_unix_nano")) {
          r = reader_.Uint64(val, &e.time_ns);
          expected = "an unsigned integer";
        } else if (Is(key, "asDouble", "as_double")) {
          r = reader_.Double(val, &e.value);
        } else if (Is(key, "asInt", "as_int")) {
          int64_t i = 0;
          r = reader_.Int64(val, &i);
          e.value = static_cast<double>(i);
          expected = "an integer";
        } else if (Is(key, "traceId", "trace_id")) {
          r = reader_.String(val, &trace_hex);
          expected = "a string";
        } else if (Is(key, "spanId", "span_id")) {
          r = reader_.String(val, &span_hex);
          expected = "a string";
        }
        if (r != JsonRead::kOk) return ReadFailure(r, key, expected, error);
        return Step::kOk;
      });
  if (fs != Step::kOk) return fs;
  if (!NormalizeHexId(IdKind::kTrace, trace_hex, batch_->arena(), &e.trace_id, error) ||
      !NormalizeHexId(IdKind::kSpan, span_hex, batch_->arena(), &e.span_id, error)) {
    return Step::kRefused;
  }
  e.attrs_end = static_cast<uint32_t>(point_.exemplar_attrs.size());
  point_.exemplars.push_back(e);
  return Step::kOk;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodeQuantile(ondemand::value& v,
                                                                    std::string* error) {
  ondemand::object o;
  bool null;
  if (Step s = GetObject(v, "quantileValues element", &o, &null, error); s != Step::kOk || null) {
    return s;
  }
  double q = 0, value = 0;
  Step fs = ForEachField(
      o, error, [&](std::string_view key, ondemand::value& val, [[maybe_unused]] JsonType t) {
        JsonRead r = JsonRead::kOk;
        if (key == "quantile") {
          r = reader_.Double(val, &q);
        } else if (key == "value") {
          r = reader_.Double(val, &value);
        }
        if (r != JsonRead::kOk)
          return ReadFailure(r, StrCat("quantileValues ", key), "a number", error);
        return Step::kOk;
      });
  if (fs != Step::kOk) return fs;
  point_.quantiles.emplace_back(q, value);
  return Step::kOk;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodePoint(ondemand::value& v,
                                                                 std::string* error) {
  point_.Clear();
  ondemand::object o;
  bool null;
  if (Step s = GetObject(v, "data point", &o, &null, error); s != Step::kOk || null) return s;
  Step fs = ForEachField(
      o, error, [&](std::string_view key, ondemand::value& val, [[maybe_unused]] JsonType t) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected = "an unsigned integer";
        if (key == "attributes") {
          if (Step s = values_.Attributes(val, &point_.attrs, error); s != Step::kOk) return s;
        } else if (Is(key, "startTimeUnixNano", "start_time_unix_nano")) {
          r = reader_.Uint64(val, &point_.start_ns);
        } else if (Is(key, "timeUnixNano", "time_unix_nano")) {
          r = reader_.Uint64(val, &point_.time_ns);
        } else if (Is(key, "asDouble", "as_double")) {
          r = reader_.Double(val, &point_.value);
          point_.has_value = true;
          expected = "a number";
        } else if (Is(key, "asInt", "as_int")) {
          int64_t i = 0;
          r = reader_.Int64(val, &i);
          point_.value = static_cast<double>(i);
          point_.has_value = true;
          expected = "an integer";
        } else if (key == "flags") {
          r = reader_.Uint64(val, &point_.flags);
        } else if (key == "count") {
          r = reader_.Uint64(val, &point_.count);
        } else if (key == "sum") {
          r = reader_.Double(val, &point_.sum);
          point_.has_sum = true;
          expected = "a number";
        } else if (Is(key, "bucketCounts", "bucket_counts")) {
          Step s = ForEachElement(val, key, error, [&](ondemand::value& item) {
            uint64_t c = 0;
            JsonRead ir = reader_.Uint64(item, &c);
            if (ir != JsonRead::kOk)
              return ReadFailure(ir, "bucketCounts element", expected, error);
            point_.bucket_counts.push_back(c);
            return Step::kOk;
          });
          if (s != Step::kOk) return s;
        } else if (Is(key, "explicitBounds", "explicit_bounds")) {
          Step s = ForEachElement(val, key, error, [&](ondemand::value& item) {
            double b = 0;
            JsonRead ir = reader_.Double(item, &b);
            if (ir != JsonRead::kOk)
              return ReadFailure(ir, "explicitBounds element", "a number", error);
            point_.explicit_bounds.push_back(b);
            return Step::kOk;
          });
          if (s != Step::kOk) return s;
        } else if (Is(key, "quantileValues", "quantile_values")) {
          Step s = ForEachElement(
              val, key, error, [&](ondemand::value& item) { return DecodeQuantile(item, error); });
          if (s != Step::kOk) return s;
        } else if (key == "exemplars") {
          size_t i = 0;
          Step s = ForEachElement(val, key, error, [&](ondemand::value& item) {
            Step es = DecodeExemplar(item, error);
            if (es == Step::kRefused) *error = StrCat("exemplars[", i, "]: ", *error);
            ++i;
            return es;
          });
          if (s != Step::kOk) return s;
        }
        if (r != JsonRead::kOk) return ReadFailure(r, key, expected, error);
        return Step::kOk;
      });
  if (fs != Step::kOk) return fs;
  return Step::kOk;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodeMetricData(ondemand::value& v,
                                                                      OtlpMetricInfo* info,
                                                                      std::string* error) {
  ondemand::object o;
  bool null;
  if (Step s = GetObject(v, "metric data", &o, &null, error); s != Step::kOk || null) return s;
  Step fs = ForEachField(
      o, error, [&](std::string_view key, ondemand::value& val, [[maybe_unused]] JsonType t) {
        JsonRead r = JsonRead::kOk;
        if (Is(key, "aggregationTemporality", "aggregation_temporality")) {
          std::string_view name;
          if (t == JsonType::string && (r = reader_.String(val, &name)) == JsonRead::kOk) {
            if (name == "AGGREGATION_TEMPORALITY_UNSPECIFIED") {
              info->temporality = kTemporalityUnspecified;
            } else if (name == "AGGREGATION_TEMPORALITY_DELTA") {
              info->temporality = kTemporalityDelta;
            } else if (name == "AGGREGATION_TEMPORALITY_CUMULATIVE") {
              info->temporality = kTemporalityCumulative;
            } else if (!ParseUint64(name, &info->temporality)) {
              *error = StrCat(key, " ", QuoteString(Truncated(name, 64)),
                              " is not an AggregationTemporality");
              return Step::kRefused;
            }
          } else if (t != JsonType::string) {
            r = reader_.Uint64(val, &info->temporality);
          }
          if (r != JsonRead::kOk) return ReadFailure(r, key, "an AggregationTemporality", error);
        } else if (Is(key, "isMonotonic", "is_monotonic")) {
          r = reader_.Bool(val, &info->monotonic);
          if (r != JsonRead::kOk) return ReadFailure(r, key, "a boolean", error);
        }
        return Step::kOk;
      });
  if (fs != Step::kOk) return fs;
  return Step::kOk;
}

}  // namespace vigil
