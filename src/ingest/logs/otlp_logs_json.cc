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
  LogDecodeResult* result = nullptr;
  int64_t receive_time_ns = 0;
  size_t resource = 0;
  size_t scope = 0;
  uint32_t stream = 0;
  std::string resource_error;  // set: every record of the resource is refused
  size_t resource_refused = 0, resource_first = 0;
  std::string_view scope_name;
  std::string fatal;  // why the request failed, on kMalformed
};

OtlpLogsJsonDecoder::OtlpLogsJsonDecoder(StreamLabelConfig config)
    : config_(std::move(config)), streams_(&config_) {}

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

OtlpLogsJsonDecoder::Step OtlpLogsJsonDecoder::Malformed(Context& ctx, std::string_view where) {
  ctx.fatal = StrCat(where, ": ", reader_.MalformedMessage());
  return Step::kMalformed;
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

OtlpLogsJsonDecoder::Step OtlpLogsJsonDecoder::DecodeScopeLogs(ondemand::value& v, Context& ctx) {
  const std::string where = StrCat("resourceLogs[", ctx.resource, "].scopeLogs[", ctx.scope, "]");
  JsonType t;
  if (reader_.Type(v, &t) != JsonRead::kOk) return Malformed(ctx, where);
  if (t != JsonType::object) {
    ctx.fatal = StrCat(where, ": expected an object, got ", JsonTypeName(t));
    return Step::kMalformed;
  }
  ondemand::object o;
  if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    return Malformed(ctx, where);
  }
  // The scope first, wherever it is in the object.
  std::string scope_error;
  ctx.scope_name = {};
  ondemand::value scope;
  simdjson::error_code e = o.find_field_unordered("scope").get(scope);
  if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) {
    reader_.Fail(e);
    return Malformed(ctx, where);
  }
  if (e == simdjson::SUCCESS) {
    if (reader_.Type(scope, &t) != JsonRead::kOk) return Malformed(ctx, where);
    if (t == JsonType::object) {
      ondemand::object so;
      ondemand::value name;
      if (auto e2 = scope.get_object().get(so); e2 != simdjson::SUCCESS) {
        reader_.Fail(e2);
        return Malformed(ctx, where);
      }
      e = so.find_field_unordered("name").get(name);
      if (e == simdjson::SUCCESS && reader_.Type(name, &t) == JsonRead::kOk &&
          t != JsonType::null) {
        JsonRead r = reader_.String(name, &ctx.scope_name);
        if (r == JsonRead::kMalformed) return Malformed(ctx, where);
        if (r != JsonRead::kOk) scope_error = JsonReadMessage(r, "scope name", "a string", t);
      } else if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) {
        reader_.Fail(e);
        return Malformed(ctx, where);
      }
    } else if (t != JsonType::null) {
      scope_error = StrCat("scope must be an object, got ", JsonTypeName(t));
    }
  }
  if (auto e2 = o.reset().error(); e2 != simdjson::SUCCESS) {
    reader_.Fail(e2);
    return Malformed(ctx, where);
  }
  size_t scope_refused = 0, scope_first = ctx.result->total;
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e2 = std::move(field_result).get(f); e2 != simdjson::SUCCESS) {
      reader_.Fail(e2);
      return Malformed(ctx, where);
    }
    if (f.key() != "logRecords" && f.key() != "log_records") continue;
    ondemand::value& records = f.value();
    if (reader_.Type(records, &t) != JsonRead::kOk) return Malformed(ctx, where);
    if (t == JsonType::null) continue;
    if (t != JsonType::array) {
      ctx.fatal = StrCat(where, ".logRecords: expected an array, got ", JsonTypeName(t));
      return Step::kMalformed;
    }
    ondemand::array arr;
    if (auto e2 = records.get_array().get(arr); e2 != simdjson::SUCCESS) {
      reader_.Fail(e2);
      return Malformed(ctx, where);
    }
    size_t index = 0;
    for (auto child : arr) {
      ondemand::value record;
      if (auto e2 = std::move(child).get(record); e2 != simdjson::SUCCESS) {
        reader_.Fail(e2);
        return Malformed(ctx, where);
      }
      const size_t ordinal = ctx.result->total++;
      const size_t i = index++;
      if (!ctx.resource_error.empty()) {
        if (ctx.resource_refused++ == 0) ctx.resource_first = ordinal;
        continue;
      }
      if (!scope_error.empty()) {
        ++scope_refused;
        continue;
      }
      Step s = DecodeLogRecord(record, ctx, &error_);
      if (s == Step::kMalformed) {
        ctx.fatal = StrCat(where, ".logRecords[", i, "]: ", error_);
        return s;
      }
      if (s == Step::kOk && !CommitEntry(config_, ctx.stream, &entry_, batch_, &error_)) {
        s = Step::kRefused;
      }
      if (s == Step::kRefused) {
        ctx.result->Refuse(ordinal, 1, where, ".logRecords[", i, "]: ", error_);
      }
    }
  }
  if (scope_refused > 0) {
    ctx.result->Refuse(scope_first, scope_refused, where, ": ", scope_error, " (", scope_refused,
                       scope_refused == 1 ? " log record" : " log records", " refused)");
  }
  return Step::kOk;
}

OtlpLogsJsonDecoder::Step OtlpLogsJsonDecoder::DecodeResourceLogs(ondemand::value& v,
                                                                  Context& ctx) {
  const std::string where = StrCat("resourceLogs[", ctx.resource, "]");
  JsonType t;
  if (reader_.Type(v, &t) != JsonRead::kOk) return Malformed(ctx, where);
  if (t != JsonType::object) {
    ctx.fatal = StrCat(where, ": expected an object, got ", JsonTypeName(t));
    return Step::kMalformed;
  }
  ondemand::object o;
  if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    return Malformed(ctx, where);
  }
  ctx.resource_error.clear();
  ctx.resource_refused = 0;
  resource_attrs_.clear();
  ondemand::value resource;
  simdjson::error_code e = o.find_field_unordered("resource").get(resource);
  if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) {
    reader_.Fail(e);
    return Malformed(ctx, where);
  }
  if (e == simdjson::SUCCESS) {
    if (reader_.Type(resource, &t) != JsonRead::kOk) return Malformed(ctx, where);
    if (t == JsonType::object) {
      ondemand::object ro;
      ondemand::value attrs;
      if (auto e2 = resource.get_object().get(ro); e2 != simdjson::SUCCESS) {
        reader_.Fail(e2);
        return Malformed(ctx, where);
      }
      e = ro.find_field_unordered("attributes").get(attrs);
      if (e == simdjson::SUCCESS) {
        Step s = values_.Attributes(attrs, &resource_attrs_, &error_);
        if (s == Step::kMalformed) {
          ctx.fatal = StrCat(where, ".resource: ", error_);
          return s;
        }
        if (s == Step::kRefused) ctx.resource_error = StrCat("resource: ", error_);
      } else if (e != simdjson::NO_SUCH_FIELD) {
        reader_.Fail(e);
        return Malformed(ctx, where);
      }
    } else if (t != JsonType::null) {
      ctx.resource_error = StrCat("resource must be an object, got ", JsonTypeName(t));
    }
  }
  if (ctx.resource_error.empty()) {
    MapOtlpResource(config_, names_, resource_attrs_, &labels_, &resource_fields_);
    absl::StatusOr<uint32_t> stream = streams_.Intern(&labels_);
    if (stream.ok()) {
      ctx.stream = *stream;
    } else {
      ctx.resource_error = StrCat("resource: ", stream.status().message());
    }
  }
  if (auto e2 = o.reset().error(); e2 != simdjson::SUCCESS) {
    reader_.Fail(e2);
    return Malformed(ctx, where);
  }
  ctx.scope = 0;
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e2 = std::move(field_result).get(f); e2 != simdjson::SUCCESS) {
      reader_.Fail(e2);
      return Malformed(ctx, where);
    }
    if (f.key() != "scopeLogs" && f.key() != "scope_logs") continue;
    ondemand::value& scopes = f.value();
    if (reader_.Type(scopes, &t) != JsonRead::kOk) return Malformed(ctx, where);
    if (t == JsonType::null) continue;
    if (t != JsonType::array) {
      ctx.fatal = StrCat(where, ".scopeLogs: expected an array, got ", JsonTypeName(t));
      return Step::kMalformed;
    }
    ondemand::array arr;
    if (auto e2 = scopes.get_array().get(arr); e2 != simdjson::SUCCESS) {
      reader_.Fail(e2);
      return Malformed(ctx, where);
    }
    for (auto child : arr) {
      ondemand::value scope;
      if (auto e2 = std::move(child).get(scope); e2 != simdjson::SUCCESS) {
        reader_.Fail(e2);
        return Malformed(ctx, where);
      }
      if (DecodeScopeLogs(scope, ctx) == Step::kMalformed) return Step::kMalformed;
      ++ctx.scope;
    }
  }
  if (ctx.resource_refused > 0) {
    ctx.result->Refuse(ctx.resource_first, ctx.resource_refused, where, ": ", ctx.resource_error,
                       " (", ctx.resource_refused,
                       ctx.resource_refused == 1 ? " log record" : " log records", " refused)");
  }
  return Step::kOk;
}

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
  streams_.Reset(batch);
  names_.Reset(batch);
  batch_ = batch;
  Context ctx;
  ctx.result = &result;
  ctx.receive_time_ns = receive_time_ns;
  ondemand::document doc;
  ondemand::json_type t;
  ondemand::object root;
  if (!json_.Iterate(parser_, 0, body.size(), &doc, &error_)) return fail(error_);
  if (auto e = doc.type().get(t); e != simdjson::SUCCESS) return fail(simdjson::error_message(e));
  if (t != JsonType::object) return fail(StrCat("expected a JSON object, got ", JsonTypeName(t)));
  if (auto e = doc.get_object().get(root); e != simdjson::SUCCESS) {
    return fail(simdjson::error_message(e));
  }
  for (auto field_result : root) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      return fail(simdjson::error_message(e));
    }
    if (f.key() != "resourceLogs" && f.key() != "resource_logs") continue;
    ondemand::value& resources = f.value();
    if (reader_.Type(resources, &t) != JsonRead::kOk) return fail(reader_.MalformedMessage());
    if (t == JsonType::null) continue;
    if (t != JsonType::array) {
      return fail(StrCat("resourceLogs must be an array, got ", JsonTypeName(t)));
    }
    ondemand::array arr;
    if (auto e = resources.get_array().get(arr); e != simdjson::SUCCESS) {
      return fail(simdjson::error_message(e));
    }
    for (auto child : arr) {
      ondemand::value v;
      if (auto e = std::move(child).get(v); e != simdjson::SUCCESS) {
        return fail(simdjson::error_message(e));
      }
      if (DecodeResourceLogs(v, ctx) == Step::kMalformed) return fail(ctx.fatal);
      ++ctx.resource;
    }
  }
  const char* rest;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return fail("unexpected content after the JSON object");
  }
  return result;
}

}  // namespace vigil
