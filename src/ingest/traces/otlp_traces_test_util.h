// Builders of OTLP traces protobuf messages for the decoder tests and the decode benchmark:
// each returns the encoded message bytes, written with proto::WireWriter.
//
// Thread-safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/proto_wire.h"

namespace vigil::testing_traces {

inline std::string Msg(const std::function<void(proto::WireWriter&)>& fill) {
  std::string out;
  proto::WireWriter w(&out);
  fill(w);
  return out;
}

inline void Fixed32Field(std::string* out, uint32_t field, uint32_t v) {
  proto::WireWriter(out).Tag(field, proto::kFixed32);
  char buf[4];
  std::memcpy(buf, &v, 4);
  out->append(buf, 4);
}

// AnyValue members.
inline std::string Str(std::string_view s) {
  return Msg([&](auto& w) { w.BytesField(1, s); });
}
inline std::string Bool(bool b) {
  return Msg([&](auto& w) { w.VarintField(2, b ? 1 : 0); });
}
inline std::string Int(int64_t v) {
  return Msg([&](auto& w) { w.VarintField(3, static_cast<uint64_t>(v)); });
}
inline std::string Dbl(double v) {
  return Msg([&](auto& w) { w.Fixed64Field(4, std::bit_cast<uint64_t>(v)); });
}
inline std::string Bytes(std::string_view b) {
  return Msg([&](auto& w) { w.BytesField(7, b); });
}
inline std::string Array(const std::vector<std::string>& values) {
  std::string arr = Msg([&](auto& w) {
    for (const auto& v : values) w.BytesField(1, v);
  });
  return Msg([&](auto& w) { w.BytesField(5, arr); });
}
inline std::string KvList(const std::vector<std::string>& kvs) {
  std::string list = Msg([&](auto& w) {
    for (const auto& kv : kvs) w.BytesField(1, kv);
  });
  return Msg([&](auto& w) { w.BytesField(6, list); });
}
// KeyValue{key, value (an encoded AnyValue)}.
inline std::string KV(std::string_view key, const std::string& value) {
  return Msg([&](auto& w) {
    w.BytesField(1, key);
    w.BytesField(2, value);
  });
}

struct EventSpec {
  uint64_t time = 0;
  std::string name;
  std::vector<std::string> attrs;  // encoded KeyValues
  uint32_t dropped = 0;
};

inline std::string EncodeEvent(const EventSpec& e) {
  return Msg([&](auto& w) {
    if (e.time) w.Fixed64Field(1, e.time);
    if (!e.name.empty()) w.BytesField(2, e.name);
    for (const auto& a : e.attrs) w.BytesField(3, a);
    if (e.dropped) w.VarintField(4, e.dropped);
  });
}

struct LinkSpec {
  std::string trace_id, span_id, trace_state;
  std::vector<std::string> attrs;
  uint32_t dropped = 0;
  uint32_t flags = 0;
};

inline std::string EncodeLink(const LinkSpec& l) {
  std::string out;
  proto::WireWriter w(&out);
  if (!l.trace_id.empty()) w.BytesField(1, l.trace_id);
  if (!l.span_id.empty()) w.BytesField(2, l.span_id);
  if (!l.trace_state.empty()) w.BytesField(3, l.trace_state);
  for (const auto& a : l.attrs) w.BytesField(4, a);
  if (l.dropped) w.VarintField(5, l.dropped);
  if (l.flags) Fixed32Field(&out, 6, l.flags);
  return out;
}

struct SpanSpec {
  std::string trace_id, span_id, trace_state, parent_span_id, name;
  uint64_t kind = 0;
  uint64_t start = 0, end = 0;
  std::vector<std::string> attrs;  // encoded KeyValues
  uint32_t dropped_attributes = 0;
  std::vector<std::string> events;  // encoded Events
  uint32_t dropped_events = 0;
  std::vector<std::string> links;  // encoded Links
  uint32_t dropped_links = 0;
  std::string status_message;
  uint64_t status_code = 0;
  uint32_t flags = 0;
};

inline std::string EncodeSpan(const SpanSpec& s) {
  std::string out;
  proto::WireWriter w(&out);
  if (!s.trace_id.empty()) w.BytesField(1, s.trace_id);
  if (!s.span_id.empty()) w.BytesField(2, s.span_id);
  if (!s.trace_state.empty()) w.BytesField(3, s.trace_state);
  if (!s.parent_span_id.empty()) w.BytesField(4, s.parent_span_id);
  if (!s.name.empty()) w.BytesField(5, s.name);
  if (s.kind) w.VarintField(6, s.kind);
  if (s.start) w.Fixed64Field(7, s.start);
  if (s.end) w.Fixed64Field(8, s.end);
  for (const auto& a : s.attrs) w.BytesField(9, a);
  if (s.dropped_attributes) w.VarintField(10, s.dropped_attributes);
  for (const auto& e : s.events) w.BytesField(11, e);
  if (s.dropped_events) w.VarintField(12, s.dropped_events);
  for (const auto& l : s.links) w.BytesField(13, l);
  if (s.dropped_links) w.VarintField(14, s.dropped_links);
  if (!s.status_message.empty() || s.status_code) {
    w.BytesField(15, Msg([&](auto& sw) {
                   if (!s.status_message.empty()) sw.BytesField(2, s.status_message);
                   if (s.status_code) sw.VarintField(3, s.status_code);
                 }));
  }
  if (s.flags) Fixed32Field(&out, 16, s.flags);
  return out;
}

// ScopeSpans{scope{name, version}, spans}.
inline std::string Scope(std::string_view name, std::string_view version,
                         const std::vector<std::string>& spans) {
  std::string scope = Msg([&](auto& w) {
    w.BytesField(1, name);
    if (!version.empty()) w.BytesField(2, version);
  });
  return Msg([&](auto& w) {
    if (!name.empty() || !version.empty()) w.BytesField(1, scope);
    for (const auto& s : spans) w.BytesField(2, s);
    w.BytesField(3, "https://opentelemetry.io/schemas/1.24.0");
  });
}

// ResourceSpans{resource{attributes}, scope_spans}.
inline std::string Resource(const std::vector<std::string>& attrs,
                            const std::vector<std::string>& scopes) {
  std::string resource = Msg([&](auto& w) {
    for (const auto& a : attrs) w.BytesField(1, a);
  });
  return Msg([&](auto& w) {
    w.BytesField(1, resource);
    for (const auto& s : scopes) w.BytesField(2, s);
  });
}

// ExportTraceServiceRequest{resource_spans}.
inline std::string Request(const std::vector<std::string>& resources) {
  return Msg([&](auto& w) {
    for (const auto& r : resources) w.BytesField(1, r);
  });
}

}  // namespace vigil::testing_traces
