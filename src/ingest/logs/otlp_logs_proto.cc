#include "ingest/logs/otlp_logs_proto.h"

#include <limits>

#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/common/utf8.h"
#include "simdjson.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

// LogRecord's fields by number (4 is reserved).
constexpr OtlpField kLogRecordFields[] = {{},
                                          {"time_unix_nano", proto::kFixed64},
                                          {"severity_number", proto::kVarint},
                                          {"severity_text", proto::kLengthDelimited},
                                          {},
                                          {"body", proto::kLengthDelimited},
                                          {"attributes", proto::kLengthDelimited},
                                          {"dropped_attributes_count", proto::kVarint},
                                          {"flags", proto::kFixed32},
                                          {"trace_id", proto::kLengthDelimited},
                                          {"span_id", proto::kLengthDelimited},
                                          {"observed_time_unix_nano", proto::kFixed64},
                                          {"event_name", proto::kLengthDelimited}};

}  // namespace

struct OtlpLogsProtoDecoder::Context {
  int64_t receive_time_ns = 0;
  uint32_t stream = 0;  // of the current resource
  std::string_view scope_name;
};

OtlpLogsProtoDecoder::OtlpLogsProtoDecoder(StreamLabelConfig config)
    : config_(std::move(config)), streams_(&config_), envelope_(kOtlpLogsEnvelope, &values_) {}

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
    OtlpFieldCheck check = CheckOtlpField(f, t, kLogRecordFields, error);
    if (check == OtlpFieldCheck::kBad) return false;
    if (check == OtlpFieldCheck::kSkip) {
      r.Skip(t);
      continue;
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
  if (!IsUtf8(entry_.severity_text)) {
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
    if (!IsUtf8(event_name)) {
      *error = "invalid UTF-8 in event_name";
      return false;
    }
    entry_.fields.push_back({"event_name", event_name});
  }
  return true;
}

// The envelope's callbacks: resources become streams, records become entries.
struct OtlpLogsProtoDecoder::Visitor {
  static constexpr bool kItemsAreEntries = true;
  OtlpLogsProtoDecoder& d;
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
  void OnResourceEnd() {}
  void OnScope(std::string_view name, std::string_view /*version*/, std::string* error) {
    ctx.scope_name = name;
    if (error->empty() && !IsUtf8(name)) *error = "invalid UTF-8 in scope name";
  }
  bool OnEntry(std::string_view record, std::string* error) {
    return d.DecodeLogRecord(record, ctx, error) &&
           CommitEntry(d.config_, ctx.stream, &d.entry_, d.batch_, error);
  }
};

LogDecodeResult OtlpLogsProtoDecoder::Decode(std::string_view body, int64_t receive_time_ns,
                                             LogBatch* batch) {
  LogDecodeResult result;
  batch_ = batch;
  values_.Reset(batch->arena());
  streams_.Reset(batch);
  names_.Reset(batch);
  Context ctx;
  ctx.receive_time_ns = receive_time_ns;
  Visitor visitor{*this, ctx};
  std::string fatal;
  if (!envelope_.Walk(body, &result, visitor, &fatal)) {
    result = LogDecodeResult();
    result.status = absl::InvalidArgumentError(StrCat("malformed OTLP logs request: ", fatal));
    *batch = LogBatch();
  }
  return result;
}

}  // namespace vigil
