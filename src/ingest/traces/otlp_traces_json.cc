#include "ingest/traces/otlp_traces_json.h"

#include <limits>

#include "common/strings.h"
#include "ingest/traces/span_json.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

constexpr uint64_t kMaxTimeNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// OTLP/JSON keys are lowerCamelCase; the proto field names are accepted as well.
bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

}  // namespace

struct OtlpTracesJsonDecoder::Context {
  std::string_view scope_name, scope_version;  // of the current scope
};

OtlpTracesJsonDecoder::OtlpTracesJsonDecoder(const SpanLimits& limits)
    : envelope_(kOtlpTracesEnvelope, /*scope_version=*/true), spans_(limits) {}

namespace {

// An enum: an integer (a JSON number or a decimal string; one outside the enum reads as its
// zero value, as an unknown value of an open protobuf enum would) or a name `parse` knows
// (kInvalidValue for another name).
template <typename E>
JsonRead ReadEnum(JsonReader& reader, ondemand::value& v, JsonType t,
                  bool (*parse)(std::string_view, E*), E max, E* out) {
  uint64_t number = 0;
  if (t == JsonType::string) {
    std::string_view name;
    if (JsonRead r = reader.String(v, &name); r != JsonRead::kOk) return r;
    if (parse(name, out)) return JsonRead::kOk;
    if (!ParseUint64(name, &number)) return JsonRead::kInvalidValue;
  } else if (JsonRead r = reader.Uint64(v, &number); r != JsonRead::kOk) {
    return r;
  }
  *out = number <= static_cast<uint64_t>(max) ? static_cast<E>(number) : E{};
  return JsonRead::kOk;
}

}  // namespace

OtlpTracesJsonDecoder::Step OtlpTracesJsonDecoder::DecodeStatus(ondemand::value& v,
                                                                std::string* error) {
  ondemand::object o;
  if (Step s = OpenJsonObject(reader_, v, "status", &o, error); s != Step::kOk) return s;
  SpanBatch::Entry& span = spans_.span();
  return ForEachMember(
      reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType t) {
        if (key == "message") {
          JsonRead r = reader_.String(val, &span.status_message);
          if (r != JsonRead::kOk)
            return JsonFailure(reader_, r, "status.message", "a string", error);
        } else if (key == "code") {
          JsonRead r =
              ReadEnum(reader_, val, t, &ParseSpanStatus, SpanStatus::kError, &span.status);
          if (r != JsonRead::kOk)
            return JsonFailure(reader_, r, "status.code", "a StatusCode", error);
        }
        return Step::kOk;
      });
}

OtlpTracesJsonDecoder::Step OtlpTracesJsonDecoder::DecodeEvent(ondemand::value& v,
                                                               std::string* error) {
  SpanBatch::Event* ev = spans_.AddEvent();
  if (ev == nullptr) return Step::kOk;  // past the limit: dropped (and counted) unread
  ondemand::object o;
  if (Step s = OpenJsonObject(reader_, v, "an event", &o, error); s != Step::kOk) return s;
  uint64_t time = 0;
  Step s =
      ForEachMember(reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType) {
        JsonRead r = JsonRead::kOk;
        uint64_t n = 0;
        if (Is(key, "timeUnixNano", "time_unix_nano")) {
          r = reader_.Uint64(val, &time);
        } else if (key == "name") {
          if (r = reader_.String(val, &ev->name); r != JsonRead::kOk) {
            return JsonFailure(reader_, r, key, "a string", error);
          }
        } else if (key == "attributes") {
          if (Step st = values_.Attributes(val, &attrs_, error); st != Step::kOk) return st;
          for (const OtlpAttribute& a : attrs_) spans_.AddEventAttribute(a.key, a.value, a.type);
        } else if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
          r = reader_.Uint64(val, &n);
          AddSaturated(&ev->dropped_attributes_count, n);
        }
        return r == JsonRead::kOk ? Step::kOk
                                  : JsonFailure(reader_, r, key, "an unsigned integer", error);
      });
  if (s != Step::kOk) return s;
  if (time > kMaxTimeNs) {
    *error = StrCat("timeUnixNano ", time, " is out of range");
    return Step::kRefused;
  }
  ev->time_ns = static_cast<int64_t>(time);
  return Step::kOk;
}

OtlpTracesJsonDecoder::Step OtlpTracesJsonDecoder::DecodeLink(ondemand::value& v,
                                                              std::string* error) {
  SpanBatch::Link* link = spans_.AddLink();
  if (link == nullptr) return Step::kOk;
  ondemand::object o;
  if (Step s = OpenJsonObject(reader_, v, "a link", &o, error); s != Step::kOk) return s;
  std::string_view trace_hex, span_hex;
  Step s =
      ForEachMember(reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected = "a string";
        uint64_t n = 0;
        if (Is(key, "traceId", "trace_id")) {
          r = reader_.String(val, &trace_hex);
        } else if (Is(key, "spanId", "span_id")) {
          r = reader_.String(val, &span_hex);
        } else if (Is(key, "traceState", "trace_state")) {
          r = reader_.String(val, &link->trace_state);
        } else if (key == "attributes") {
          if (Step st = values_.Attributes(val, &attrs_, error); st != Step::kOk) return st;
          for (const OtlpAttribute& a : attrs_) spans_.AddLinkAttribute(a.key, a.value, a.type);
        } else if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
          r = reader_.Uint64(val, &n);
          AddSaturated(&link->dropped_attributes_count, n);
          expected = "an unsigned integer";
        }
        return r == JsonRead::kOk ? Step::kOk : JsonFailure(reader_, r, key, expected, error);
      });
  if (s != Step::kOk) return s;
  if (!DecodeTraceIdHex(trace_hex, "traceId", false, &link->trace_id, error) ||
      !DecodeSpanIdHex(span_hex, "spanId", IdPresence::kRequired, &link->span_id, error)) {
    return Step::kRefused;
  }
  return Step::kOk;
}

// The events or links array of a span.
OtlpTracesJsonDecoder::Step OtlpTracesJsonDecoder::DecodeItems(ondemand::value& v, JsonType t,
                                                               std::string_view key,
                                                               std::string* error) {
  if (t != JsonType::array) {
    *error = StrCat(key, " must be an array, got ", JsonTypeName(t));
    return Step::kRefused;
  }
  ondemand::array arr;
  if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) {
    return JsonFailure(reader_, reader_.Fail(e), "", "", error);
  }
  const bool events = key == "events";
  size_t i = 0;
  for (auto child : arr) {
    ondemand::value item;
    if (auto e = std::move(child).get(item); e != simdjson::SUCCESS) {
      return JsonFailure(reader_, reader_.Fail(e), "", "", error);
    }
    Step st = events ? DecodeEvent(item, error) : DecodeLink(item, error);
    if (st != Step::kOk) {
      if (st == Step::kRefused) *error = StrCat(key, "[", i, "]: ", *error);
      return st;
    }
    ++i;
  }
  return Step::kOk;
}

OtlpTracesJsonDecoder::Step OtlpTracesJsonDecoder::DecodeSpan(ondemand::value& v, Context& ctx,
                                                              std::string* error) {
  spans_.Begin();
  SpanBatch::Entry& s = spans_.span();
  s.scope_name = ctx.scope_name;
  s.scope_version = ctx.scope_version;
  ondemand::object o;
  if (Step st = OpenJsonObject(reader_, v, "", &o, error); st != Step::kOk) return st;
  uint64_t start = 0, end = 0;
  std::string_view trace_hex, span_hex, parent_hex;
  Step st =
      ForEachMember(reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType t) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected = "a string";
        uint64_t n = 0;
        if (Is(key, "traceId", "trace_id")) {
          r = reader_.String(val, &trace_hex);
        } else if (Is(key, "spanId", "span_id")) {
          r = reader_.String(val, &span_hex);
        } else if (Is(key, "parentSpanId", "parent_span_id")) {
          r = reader_.String(val, &parent_hex);
        } else if (key == "name") {
          r = reader_.String(val, &s.name);
        } else if (Is(key, "traceState", "trace_state")) {
          r = reader_.String(val, &s.trace_state);
        } else if (key == "kind") {
          expected = "a SpanKind";
          r = ReadEnum(reader_, val, t, &ParseSpanKind, SpanKind::kConsumer, &s.kind);
        } else if (key == "attributes") {
          if (Step st2 = values_.Attributes(val, &attrs_, error); st2 != Step::kOk) return st2;
          for (const OtlpAttribute& a : attrs_) spans_.AddAttribute(a.key, a.value, a.type);
        } else if (key == "status") {
          return DecodeStatus(val, error);
        } else if (key == "events" || key == "links") {
          return DecodeItems(val, t, key, error);
        } else {
          // The unsigned integers.
          expected = "an unsigned integer";
          uint64_t* into = &n;
          uint32_t* count = nullptr;
          if (Is(key, "startTimeUnixNano", "start_time_unix_nano")) {
            into = &start;
          } else if (Is(key, "endTimeUnixNano", "end_time_unix_nano")) {
            into = &end;
          } else if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
            count = &s.dropped_attributes_count;
          } else if (Is(key, "droppedEventsCount", "dropped_events_count")) {
            count = &s.dropped_events_count;
          } else if (Is(key, "droppedLinksCount", "dropped_links_count")) {
            count = &s.dropped_links_count;
          } else if (key != "flags") {
            return Step::kOk;  // unknown: ignored
          }
          r = reader_.Uint64(val, into);
          if (r == JsonRead::kOk && count != nullptr) AddSaturated(count, n);
          if (r == JsonRead::kOk && key == "flags") {
            if (n > UINT32_MAX) {
              *error = StrCat("flags ", n, " is out of range");
              return Step::kRefused;
            }
            s.flags = static_cast<uint32_t>(n);
          }
        }
        return r == JsonRead::kOk ? Step::kOk : JsonFailure(reader_, r, key, expected, error);
      });
  if (st != Step::kOk) return st;
  if (!DecodeTraceIdHex(trace_hex, "traceId", false, &s.trace_id, error) ||
      !DecodeSpanIdHex(span_hex, "spanId", IdPresence::kRequired, &s.span_id, error) ||
      !DecodeSpanIdHex(parent_hex, "parentSpanId", IdPresence::kOptional, &s.parent_span_id,
                       error)) {
    return Step::kRefused;
  }
  spans_.SetTimes(start, end);
  return spans_.Check(error) ? Step::kOk : Step::kRefused;
}

// The envelope's callbacks: resources and scopes are set on the spans that follow.
struct OtlpTracesJsonDecoder::Visitor {
  OtlpTracesJsonDecoder& d;
  Context& ctx;

  void OnResource(std::span<const OtlpAttribute> attrs, std::string* error) {
    if (error->empty()) d.spans_.SetResource(attrs);
  }
  void OnScope(std::string_view name, std::string_view version, std::string* /*error*/) {
    ctx.scope_name = name;
    ctx.scope_version = version;
  }
  Step OnEntry(ondemand::value& span, std::string* error) {
    const Step s = d.DecodeSpan(span, ctx, error);
    if (s == Step::kOk) d.spans_.Write();
    return s;
  }
};

SpanDecodeResult OtlpTracesJsonDecoder::Decode(std::string_view body, SpanBatch* batch) {
  SpanDecodeResult result;
  auto fail = [&](std::string_view message) {
    result = SpanDecodeResult();
    result.status =
        absl::InvalidArgumentError(StrCat("malformed OTLP/JSON traces request: ", message));
    *batch = SpanBatch();
    return result;
  };
  if (absl::Status s = json_.Reset(body); !s.ok()) return fail(ToStd(s.message()));
  reader_.Reset(&json_, batch->arena());
  values_.Reset(&reader_, batch->arena());
  envelope_.Reset(&reader_, &values_);
  spans_.Reset(batch, &result);
  Context ctx;
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
