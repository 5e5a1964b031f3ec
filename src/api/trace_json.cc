#include "api/trace_json.h"

#include "common/strings.h"

namespace vigil {
namespace {

void WriteSpanRef(JsonWriter& w, const Span& s) {
  w.KV("span_id", SpanIdHex(s.span_id));
  w.KV("name", s.name);
  w.KV("service", s.service_name);
}

}  // namespace

void WriteAttributesObject(JsonWriter& w, const std::vector<SpanAttribute>& attrs) {
  w.BeginObject();
  for (const SpanAttribute& a : attrs) w.KV(a.key, a.value);
  w.EndObject();
}

void WriteTraceJson(JsonWriter& w, std::span<const Span> spans, const TraceAnalysis& a) {
  w.BeginObject();
  w.KV("trace_id", a.trace_id.Hex());
  w.KV("start_time_unix_nano", StrCat(a.start_ns));
  w.Key("duration_ns").Int(a.duration_ns);
  w.Key("span_count").Uint(a.span_count);
  w.Key("error_count").Uint(a.error_count);
  w.KV("root_service", a.root_service);
  w.KV("root_span_name", a.root_span_name);
  w.Key("orphans").Uint(a.tree.orphan_count());
  // Where the trace's logs are: log records carrying its trace id, around its time.
  constexpr int64_t kMinuteNs = 60'000'000'000;
  w.KV("logs_search", StrCat("/api/v1/logs/search?filter=trace_id%3D", a.trace_id.Hex(),
                             "&start=", a.start_ns - kMinuteNs, "&end=", a.end_ns + kMinuteNs));
  w.Key("services").BeginArray();
  for (const ServiceSpanCount& s : a.services) {
    w.BeginObject();
    w.KV("service", s.service);
    w.Key("span_count").Uint(s.span_count);
    w.Key("error_count").Uint(s.error_count);
    w.EndObject();
  }
  w.EndArray();

  w.Key("spans").BeginArray();
  for (uint32_t i : a.tree.preorder()) {
    const Span& s = spans[i];
    const TraceTreeNode& node = a.tree.node(i);
    w.BeginObject();
    w.KV("span_id", SpanIdHex(s.span_id));
    w.KV("parent_span_id", s.parent_span_id == 0 ? "" : SpanIdHex(s.parent_span_id));
    w.KV("name", s.name);
    w.KV("service", s.service_name);
    w.KV("kind", SpanKindName(s.kind));
    w.KV("status", SpanStatusName(s.status));
    if (!s.status_message.empty()) w.KV("status_message", s.status_message);
    w.KV("start_time_unix_nano", StrCat(s.start_ns));
    w.KV("end_time_unix_nano", StrCat(s.end_ns));
    w.Key("duration_ns").Int(SpanDurationNs(s.start_ns, s.end_ns));
    w.Key("self_time_ns").Int(a.self_time_ns[i]);
    w.Key("critical_path_ns").Int(a.critical_path_ns[i]);
    w.Key("depth").Uint(node.depth);
    if (node.orphan) w.Key("orphan").Bool(true);
    if (node.in_cycle) w.Key("in_cycle").Bool(true);
    w.Key("attributes");
    WriteAttributesObject(w, s.attributes);
    w.Key("resource");
    WriteAttributesObject(w, s.resource_attributes);
    if (!s.scope_name.empty()) {
      w.Key("scope").BeginObject();
      w.KV("name", s.scope_name);
      w.KV("version", s.scope_version);
      w.EndObject();
    }
    w.Key("events").BeginArray();
    for (const SpanEvent& e : s.events) {
      w.BeginObject();
      w.KV("time_unix_nano", StrCat(e.time_ns));
      w.KV("name", e.name);
      w.Key("attributes");
      WriteAttributesObject(w, e.attributes);
      w.EndObject();
    }
    w.EndArray();
    w.Key("links").BeginArray();
    for (const SpanLink& l : s.links) {
      w.BeginObject();
      w.KV("trace_id", l.trace_id.Hex());
      w.KV("span_id", SpanIdHex(l.span_id));
      w.Key("attributes");
      WriteAttributesObject(w, l.attributes);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();

  w.Key("critical_path").BeginArray();
  for (const CriticalPathSegment& seg : a.critical_path) {
    w.BeginObject();
    WriteSpanRef(w, spans[seg.span]);
    w.KV("start_time_unix_nano", StrCat(seg.start_ns));
    w.Key("duration_ns").Int(seg.duration_ns());
    w.EndObject();
  }
  w.EndArray();
  auto ranked = [&](std::string_view key, const std::vector<RankedSpan>& list) {
    w.Key(key).BeginArray();
    for (const RankedSpan& r : list) {
      w.BeginObject();
      WriteSpanRef(w, spans[r.span]);
      w.Key("value_ns").Int(r.value_ns);
      w.Key("share").Double(r.share);
      w.EndObject();
    }
    w.EndArray();
  };
  ranked("slowest_spans", a.slowest_by_duration);
  ranked("slowest_self_time", a.slowest_by_self_time);
  w.Key("errors").BeginArray();
  for (const ErrorSpan& e : a.errors) {
    w.BeginObject();
    WriteSpanRef(w, spans[e.span]);
    w.KV("status_message", e.status_message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace vigil
