#include "api/jaeger_json.h"

#include <algorithm>
#include <string>

#include "common/strings.h"

namespace vigil {
namespace {

int64_t Micros(int64_t ns) { return ns / 1000; }

// A tag with its Jaeger type; numbers and booleans are written as JSON values.
void WriteTag(JsonWriter& w, std::string_view key, std::string_view value, AttributeType type) {
  w.BeginObject();
  w.KV("key", key);
  double d;
  int64_t i;
  switch (type) {
    case AttributeType::kBool:
      w.KV("type", "bool");
      w.Key("value").Bool(value == "true");
      break;
    case AttributeType::kInt:
      if (ParseInt64(value, &i)) {
        w.KV("type", "int64");
        w.Key("value").Int(i);
      } else {
        w.KV("type", "string");
        w.KV("value", value);
      }
      break;
    case AttributeType::kDouble:
      if (ParseDouble(value, &d)) {
        w.KV("type", "float64");
        w.Key("value").Double(d);
      } else {
        w.KV("type", "string");
        w.KV("value", value);
      }
      break;
    case AttributeType::kBytes:
      w.KV("type", "binary");
      w.KV("value", value);
      break;
    default:  // strings; arrays and maps as their JSON text
      w.KV("type", "string");
      w.KV("value", value);
  }
  w.EndObject();
}

void WriteTags(JsonWriter& w, const std::vector<SpanAttribute>& attrs) {
  for (const SpanAttribute& a : attrs) WriteTag(w, a.key, a.value, a.type);
}

// Processes are keyed by the resource they stand for.
std::string ProcessKey(const Span& s) {
  std::string key = s.service_name;
  for (const SpanAttribute& a : s.resource_attributes) StrAppend(&key, "\x1f", a.key, "=", a.value);
  return key;
}

}  // namespace

void WriteJaegerTrace(JsonWriter& w, std::span<const Span> spans) {
  std::vector<const Span*> order;
  order.reserve(spans.size());
  for (const Span& s : spans) order.push_back(&s);
  std::sort(order.begin(), order.end(), [](const Span* a, const Span* b) {
    return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->span_id < b->span_id;
  });
  std::vector<std::string> process_keys;
  std::vector<const Span*> process_of;  // a span standing for each process
  auto process_id = [&](const Span& s) {
    std::string key = ProcessKey(s);
    auto it = std::find(process_keys.begin(), process_keys.end(), key);
    if (it != process_keys.end()) return static_cast<size_t>(it - process_keys.begin()) + 1;
    process_keys.push_back(std::move(key));
    process_of.push_back(&s);
    return process_keys.size();
  };

  w.BeginObject();
  w.KV("traceID", spans.empty() ? std::string() : spans[0].trace_id.Hex());
  w.Key("spans").BeginArray();
  for (const Span* sp : order) {
    const Span& s = *sp;
    w.BeginObject();
    w.KV("traceID", s.trace_id.Hex());
    w.KV("spanID", SpanIdHex(s.span_id));
    w.KV("operationName", s.name);
    w.Key("references").BeginArray();
    if (s.parent_span_id != 0) {
      w.BeginObject();
      w.KV("refType", "CHILD_OF");
      w.KV("traceID", s.trace_id.Hex());
      w.KV("spanID", SpanIdHex(s.parent_span_id));
      w.EndObject();
    }
    for (const SpanLink& l : s.links) {
      w.BeginObject();
      w.KV("refType", "FOLLOWS_FROM");
      w.KV("traceID", l.trace_id.Hex());
      w.KV("spanID", SpanIdHex(l.span_id));
      w.EndObject();
    }
    w.EndArray();
    w.Key("startTime").Int(Micros(s.start_ns));
    w.Key("duration").Int(Micros(s.end_ns) - Micros(s.start_ns));
    w.Key("flags").Uint(s.flags & 0xFF);
    w.Key("tags").BeginArray();
    WriteTags(w, s.attributes);
    if (s.kind != SpanKind::kUnspecified && s.kind != SpanKind::kInternal) {
      WriteTag(w, "span.kind", SpanKindName(s.kind), AttributeType::kString);
    }
    if (s.status != SpanStatus::kUnset) {
      WriteTag(w, "otel.status_code", s.status == SpanStatus::kError ? "ERROR" : "OK",
               AttributeType::kString);
    }
    if (s.status == SpanStatus::kError) {
      WriteTag(w, "error", "true", AttributeType::kBool);
      if (!s.status_message.empty()) {
        WriteTag(w, "otel.status_description", s.status_message, AttributeType::kString);
      }
    }
    if (!s.scope_name.empty()) WriteTag(w, "otel.scope.name", s.scope_name, AttributeType::kString);
    if (!s.scope_version.empty()) {
      WriteTag(w, "otel.scope.version", s.scope_version, AttributeType::kString);
    }
    if (!s.trace_state.empty()) WriteTag(w, "w3c.tracestate", s.trace_state, AttributeType::kString);
    w.EndArray();
    w.Key("logs").BeginArray();
    for (const SpanEvent& e : s.events) {
      w.BeginObject();
      w.Key("timestamp").Int(Micros(e.time_ns));
      w.Key("fields").BeginArray();
      WriteTag(w, "event", e.name, AttributeType::kString);
      WriteTags(w, e.attributes);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.KV("processID", StrCat("p", process_id(s)));
    w.Key("warnings").Null();
    w.EndObject();
  }
  w.EndArray();
  w.Key("processes").BeginObject();
  for (size_t p = 0; p < process_of.size(); ++p) {
    w.Key(StrCat("p", p + 1)).BeginObject();
    w.KV("serviceName", process_of[p]->service_name);
    w.Key("tags").BeginArray();
    for (const SpanAttribute& a : process_of[p]->resource_attributes) {
      if (a.key != "service.name") WriteTag(w, a.key, a.value, a.type);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.Key("warnings").Null();
  w.EndObject();
}

}  // namespace vigil
