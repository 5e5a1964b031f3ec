#include "ingest/logs/otlp_logs_proto.h"

#include <limits>

#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"
#include "simdjson.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

bool Utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::string WrongWireType(std::string_view field, WireType got, WireType want) {
  return StrCat(field, " has wire type ", proto::WireTypeName(got), ", expected ", proto::WireTypeName(want));
}

}  // namespace

struct OtlpLogsProtoDecoder::Context {
  LogDecodeResult* result = nullptr;
  int64_t receive_time_ns = 0;
  size_t resource = 0;  // index of the current ResourceLogs
  size_t scope = 0;     // index of the current ScopeLogs within it
  uint32_t stream = 0;
  std::string resource_error;  // set: every record of the resource is refused
  size_t resource_refused = 0, resource_first = 0;
  std::string_view scope_name;
};

OtlpLogsProtoDecoder::OtlpLogsProtoDecoder(StreamLabelConfig config)
    : config_(std::move(config)), streams_(&config_) {}
bool OtlpLogsProtoDecoder::DecodeLogRecord(std::string_view pb, Context& ctx, std::string* error) {
  entry_.Clear();
  WireReader r(pb);
  uint32_t f;
  WireType t;
  uint64_t time = 0, observed = 0, severity = 0;
  std::string_view body_pb, trace_id, span_id, event_name, kv;
  bool has_body = false;
  std::vector<std::string_view>& attrs = attr_bytes_;
  attrs.clear();
  while (r.NextField(&f, &t)) {
    WireType want;
    switch (f) {
      case 1:
      case 11:
        want = proto::kFixed64;
        break;
      case 2:
      case 7:
        want = proto::kVarint;
        break;
      case 8:
        want = proto::kFixed32;
        break;
      case 3:
      case 5:
      case 6:
      case 9:
      case 10:
      case 12:
        want = proto::kLengthDelimited;
        break;
      default:
        r.Skip(t);
        continue;
    }
    if (t != want) {
      static constexpr std::string_view kNames[] = {
          "",          "time_unix_nano", "severity_number", "severity_text",
          "",          "body",           "attributes",      "dropped_attributes_count",
          "flags",     "trace_id",       "span_id",         "observed_time_unix_nano",
          "event_name"};
      *error = WrongWireType(kNames[f], t, want);
      return false;
    }
    switch (f) {
      case 1:
        r.ReadFixed64(&time);
        break;
      case 11:
        r.ReadFixed64(&observed);
        break;
      case 2:
        r.ReadVarint(&severity);
        break;
      case 3:
        r.ReadBytes(&entry_.severity_text);
        break;
      case 5:
        has_body = r.ReadBytes(&body_pb);
        break;
      case 6:
        if (r.ReadBytes(&kv)) attrs.push_back(kv);
        break;
      case 9:
        r.ReadBytes(&trace_id);
        break;
      case 10:
        r.ReadBytes(&span_id);
        break;
      case 12:
        r.ReadBytes(&event_name);
        break;
      default:
        r.Skip(t);
        break;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed log record: ", r.error());
    return false;
  }
  uint64_t ts = time != 0 ? time : observed;
  if (ts > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *error =
        StrCat(time != 0 ? "time_unix_nano " : "observed_time_unix_nano ", ts, " is out of range");
    return false;
  }
  entry_.timestamp_ns = ts != 0 ? static_cast<int64_t>(ts) : ctx.receive_time_ns;
  if (!Utf8(entry_.severity_text)) {
    *error = "invalid UTF-8 in severity_text";
    return false;
  }
  entry_.severity = OtlpSeverity(severity, entry_.severity_text);
  if (has_body) {
    bool set;
    if (!values_.AnyValueText(body_pb, &entry_.body, &set, error)) {
      *error = StrCat("body: ", *error);
      return false;
    }
  }
  if (!EncodeRawId(IdKind::kTrace, trace_id, batch_->arena(), &entry_.trace_id, error) ||
      !EncodeRawId(IdKind::kSpan, span_id, batch_->arena(), &entry_.span_id, error)) {
    return false;
  }
  // Resource fields first: a record attribute of the same name wins (last value wins).
  entry_.fields.assign(resource_fields_.begin(), resource_fields_.end());
  if (!ctx.scope_name.empty()) entry_.fields.push_back({"scope_name", ctx.scope_name});
  for (std::string_view a : attrs) {
    std::string_view key, value, text;
    if (!OtlpProtoValues::DecodeKeyValue(a, &key, &value, error)) return false;
    bool set;
    if (!values_.AnyValueText(value, &text, &set, error)) {
      *error = StrCat("attribute ", QuoteString(Truncated(key, 64)), ": ", *error);
      return false;
    }
    if (set && !key.empty()) entry_.fields.push_back({names_.Sanitized(key), text});
  }
  if (!event_name.empty()) {
    if (!Utf8(event_name)) {
      *error = "invalid UTF-8 in event_name";
      return false;
    }
    entry_.fields.push_back({"event_name", event_name});
  }
  return true;
}

bool OtlpLogsProtoDecoder::DecodeScopeLogs(std::string_view pb, Context& ctx, std::string* fatal) {
  const std::string where = StrCat("resource_logs[", ctx.resource, "].scope_logs[", ctx.scope, "]");
  WireReader r(pb);
  uint32_t f;
  WireType t;
  std::string_view scope;
  while (r.NextField(&f, &t)) {
    if (f == 1 || f == 2) {
      if (t != proto::kLengthDelimited) {
        *fatal =
            StrCat(where, ": ",
                   WrongWireType(f == 1 ? "scope" : "log_records", t, proto::kLengthDelimited));
        return false;
      }
      std::string_view bytes;
      if (r.ReadBytes(&bytes) && f == 1) scope = bytes;
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) {
    *fatal = StrCat(where, ": ", r.error());
    return false;
  }
  // InstrumentationScope.name = 1.
  std::string scope_error;
  ctx.scope_name = {};
  WireReader s(scope);
  while (s.NextField(&f, &t)) {
    if (f == 1 && t == proto::kLengthDelimited) {
      s.ReadBytes(&ctx.scope_name);
    } else {
      s.Skip(t);
    }
  }
  if (s.failed()) {
    scope_error = StrCat("malformed scope: ", s.error());
  } else if (!Utf8(ctx.scope_name)) {
    scope_error = "invalid UTF-8 in scope name";
  }

  WireReader r2(pb);
  size_t index = 0, scope_refused = 0, scope_first = ctx.result->total;
  while (r2.NextField(&f, &t)) {
    std::string_view record;
    if (f != 2) {
      r2.Skip(t);
      continue;
    }
    if (!r2.ReadBytes(&record)) break;
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
    bool ok = DecodeLogRecord(record, ctx, &error_) &&
              CommitEntry(config_, ctx.stream, &entry_, batch_, &error_);
    if (!ok) ctx.result->Refuse(ordinal, 1, where, ".log_records[", i, "]: ", error_);
  }
  if (scope_refused > 0) {
    ctx.result->Refuse(scope_first, scope_refused, where, ": ", scope_error, " (", scope_refused,
                       scope_refused == 1 ? " log record" : " log records", " refused)");
  }
  return true;
}

bool OtlpLogsProtoDecoder::DecodeResourceLogs(std::string_view pb, Context& ctx,
                                              std::string* fatal) {
  const std::string where = StrCat("resource_logs[", ctx.resource, "]");
  WireReader r(pb);
  uint32_t f;
  WireType t;
  std::string_view resource;
  while (r.NextField(&f, &t)) {
    if (f == 1 || f == 2) {
      if (t != proto::kLengthDelimited) {
        *fatal =
            StrCat(where, ": ",
                   WrongWireType(f == 1 ? "resource" : "scope_logs", t, proto::kLengthDelimited));
        return false;
      }
      std::string_view bytes;
      if (r.ReadBytes(&bytes) && f == 1) resource = bytes;
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) {
    *fatal = StrCat(where, ": ", r.error());
    return false;
  }
  ctx.resource_error.clear();
  ctx.resource_refused = 0;
  if (!values_.Attributes(resource, 1, &resource_attrs_, &ctx.resource_error)) {
    ctx.resource_error = StrCat("resource: ", ctx.resource_error);
  } else {
    MapOtlpResource(config_, names_, resource_attrs_, &labels_, &resource_fields_);
    absl::StatusOr<uint32_t> stream = streams_.Intern(&labels_);
    if (stream.ok()) {
      ctx.stream = *stream;
    } else {
      ctx.resource_error = StrCat("resource: ", stream.status().message());
    }
  }
  WireReader r2(pb);
  ctx.scope = 0;
  while (r2.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 2) {
      r2.Skip(t);
      continue;
    }
    if (!r2.ReadBytes(&bytes)) break;
    if (!DecodeScopeLogs(bytes, ctx, fatal)) return false;
    ++ctx.scope;
  }
  if (ctx.resource_refused > 0) {
    ctx.result->Refuse(ctx.resource_first, ctx.resource_refused, where, ": ", ctx.resource_error,
                       " (", ctx.resource_refused,
                       ctx.resource_refused == 1 ? " log record" : " log records", " refused)");
  }
  return true;
}

LogDecodeResult OtlpLogsProtoDecoder::Decode(std::string_view body, int64_t receive_time_ns,
                                             LogBatch* batch) {
  LogDecodeResult result;
  batch_ = batch;
  values_.Reset(batch->arena());
  streams_.Reset(batch);
  names_.Reset(batch);
  Context ctx;
  ctx.result = &result;
  ctx.receive_time_ns = receive_time_ns;
  WireReader r(body);
  uint32_t f;
  WireType t;
  std::string fatal;
  while (r.NextField(&f, &t)) {
    if (f != 1) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      fatal = WrongWireType("resource_logs", t, proto::kLengthDelimited);
      break;
    }
    std::string_view bytes;
    if (!r.ReadBytes(&bytes)) break;
    if (!DecodeResourceLogs(bytes, ctx, &fatal)) break;
    ++ctx.resource;
  }
  if (r.failed() && fatal.empty()) fatal = r.error();
  if (!fatal.empty()) {
    result = LogDecodeResult();
    result.status = absl::InvalidArgumentError(StrCat("malformed OTLP logs request: ", fatal));
    *batch = LogBatch();
  }
  return result;
}

}  // namespace vigil
