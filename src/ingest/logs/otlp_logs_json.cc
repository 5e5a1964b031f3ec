#include "ingest/logs/otlp_logs_json.h"

#include <limits>

#include "common/strings.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

// OTLP/JSON keys are lowerCamelCase; the proto field names are accepted as well.
bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

}  // namespace

struct OtlpLogsJsonDecoder::Context {
  int64_t receive_time_ns = 0;
  uint32_t stream = 0;  // of the current resource
  std::string_view scope_name;
};

OtlpLogsJsonDecoder::OtlpLogsJsonDecoder(StreamLabelConfig config)
    : config_(std::move(config)),
      envelope_(kOtlpLogsEnvelope, /*scope_version=*/false),
      streams_(&config_) {}

OtlpLogsJsonDecoder::Step OtlpLogsJsonDecoder::ReadFailure(JsonRead r, std::string_view what,
                                                           std::string_view expected,
                                                           std::string* error) {
  if (r == JsonRead::kMalformed) {
    *error = reader_.MalformedMessage();
    return Step::kMalformed;
  }
  *error = JsonReadMessage(r, what, expected, reader_.last_type());
  return Step::kRefused;
}

OtlpLogsJsonDecoder::Step OtlpLogsJsonDecoder::DecodeLogRecord(ondemand::value& v, Context& ctx,
                                                               std::string* error) {
  entry_.Clear();
  record_attrs_.clear();
  JsonType t;
  if (JsonRead r = reader_.Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  if (t != JsonType::object) {
    *error = StrCat("expected an object, got ", JsonTypeName(t));
    return Step::kRefused;
  }
  ondemand::object o;
  if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) {
    return ReadFailure(reader_.Fail(e), "", "", error);
  }
  uint64_t time = 0, observed = 0, severity = 0;
  std::string_view trace_hex, span_hex, event_name;
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
    if (JsonRead r = reader_.Type(val, &t); r != JsonRead::kOk) {
      return ReadFailure(r, "", "", error);
    }
    if (t == JsonType::null) continue;
    JsonRead r = JsonRead::kOk;
    std::string_view expected = "a string";
    if (Is(key, "timeUnixNano", "time_unix_nano")) {
      r = reader_.Uint64(val, &time);
      expected = "an unsigned integer";
    } else if (Is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
      r = reader_.Uint64(val, &observed);
      expected = "an unsigned integer";
    } else if (Is(key, "severityNumber", "severity_number")) {
      expected = "a SeverityNumber";
      std::string_view name;
      if (t == JsonType::string && (r = reader_.String(val, &name)) == JsonRead::kOk) {
        int n = OtlpSeverityFromName(name);
        if (n >= 0) {
          severity = static_cast<uint64_t>(n);
        } else if (!ParseUint64(name, &severity)) {
          *error = StrCat(key, " ", QuoteString(Truncated(name, 64)), " is not a SeverityNumber");
          return Step::kRefused;
        }
      } else if (t != JsonType::string) {
        r = reader_.Uint64(val, &severity);
      }
    } else if (Is(key, "severityText", "severity_text")) {
      r = reader_.String(val, &entry_.severity_text);
    } else if (key == "body") {
      bool set;
      if (Step s = values_.AnyValueText(val, &entry_.body, &set, error); s != Step::kOk) {
        if (s == Step::kRefused) *error = StrCat("body: ", *error);
        return s;
      }
    } else if (key == "attributes") {
      if (Step s = values_.Attributes(val, &record_attrs_, error); s != Step::kOk) return s;
    } else if (Is(key, "traceId", "trace_id")) {
      r = reader_.String(val, &trace_hex);
    } else if (Is(key, "spanId", "span_id")) {
      r = reader_.String(val, &span_hex);
    } else if (Is(key, "eventName", "event_name")) {
      r = reader_.String(val, &event_name);
    }
    if (r != JsonRead::kOk) return ReadFailure(r, key, expected, error);
  }
  uint64_t ts = time != 0 ? time : observed;
  if (ts > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *error = StrCat(time != 0 ? "timeUnixNano " : "observedTimeUnixNano ", ts, " is out of range");
    return Step::kRefused;
  }
  entry_.timestamp_ns = ts != 0 ? static_cast<int64_t>(ts) : ctx.receive_time_ns;
  entry_.severity = OtlpSeverity(severity, entry_.severity_text);
  if (!NormalizeHexId(IdKind::kTrace, trace_hex, batch_->arena(), &entry_.trace_id, error) ||
      !NormalizeHexId(IdKind::kSpan, span_hex, batch_->arena(), &entry_.span_id, error)) {
    return Step::kRefused;
  }
  entry_.fields.assign(resource_fields_.begin(), resource_fields_.end());
  if (!ctx.scope_name.empty()) entry_.fields.push_back({"scope_name", ctx.scope_name});
  for (const OtlpAttribute& a : record_attrs_) {
    entry_.fields.push_back({names_.Sanitized(a.key), a.value});
  }
  if (!event_name.empty()) entry_.fields.push_back({"event_name", event_name});
  return Step::kOk;
}

// The envelope's callbacks: resources become streams, records become entries.
struct OtlpLogsJsonDecoder::Visitor {
  OtlpLogsJsonDecoder& d;
  Context& ctx;

  void OnResource(std::span<const OtlpAttribute> attrs, std::string* error) {
    if (!error->empty()) return;
    MapOtlpResource(d.config_, d.names_, attrs, &d.labels_, &d.resource_fields_);
    absl::StatusOr<uint32_t> stream = d.streams_.Intern(&d.labels_);
    if (stream.ok()) {
      ctx.stream = *stream;
    } else {
      *error = StrCat("resource: ", stream.status().message());
    }
  }
  void OnScope(std::string_view name, std::string_view /*version*/, std::string* /*error*/) {
    ctx.scope_name = name;
  }
  Step OnEntry(ondemand::value& record, std::string* error) {
    Step s = d.DecodeLogRecord(record, ctx, error);
    if (s == Step::kOk && !CommitEntry(d.config_, ctx.stream, &d.entry_, d.batch_, error)) {
      s = Step::kRefused;
    }
    return s;
  }
};

LogDecodeResult OtlpLogsJsonDecoder::Decode(std::string_view body, int64_t receive_time_ns,
                                            LogBatch* batch) {
  LogDecodeResult result;
  auto fail = [&](std::string_view message) {
    result = LogDecodeResult();
    result.status =
        absl::InvalidArgumentError(StrCat("malformed OTLP/JSON logs request: ", message));
    *batch = LogBatch();
    return result;
  };
  if (absl::Status s = json_.Reset(body); !s.ok()) return fail(ToStd(s.message()));
  reader_.Reset(&json_, batch->arena());
  values_.Reset(&reader_, batch->arena());
  envelope_.Reset(&reader_, &values_);
  streams_.Reset(batch);
  names_.Reset(batch);
  batch_ = batch;
  Context ctx;
  ctx.receive_time_ns = receive_time_ns;
  Visitor visitor{*this, ctx};
  ondemand::document doc;
  ondemand::object root;
  if (!OpenOtlpJsonRoot(json_, parser_, &doc, &root, &error_) ||
      !envelope_.Walk(root, &result, visitor, &error_) || !CheckOtlpJsonEnd(doc, &error_)) {
    return fail(error_);
  }
  return result;
}

}  // namespace vigil
