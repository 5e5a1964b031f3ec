#include "bench/traces/span_clickhouse.h"

#include "common/json_writer.h"
#include "common/strings.h"

namespace vigil::bench {
namespace {

template <typename Get>
void AppendArray(std::string* out, size_t n, Get get) {
  out->push_back('[');
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, get(i));
  }
  out->push_back(']');
}

void AppendKeys(std::string* out, const std::vector<GenAttribute>& attrs) {
  AppendArray(out, attrs.size(), [&](size_t i) { return attrs[i].key; });
}

void AppendValues(std::string* out, const std::vector<GenAttribute>& attrs) {
  std::string text;
  AppendArray(out, attrs.size(), [&](size_t i) {
    text = attrs[i].value.Text();
    return std::string_view(text);
  });
}

}  // namespace

std::string_view SpanKindName(GenSpanKind kind) {
  switch (kind) {
    case GenSpanKind::kInternal:
      return "SPAN_KIND_INTERNAL";
    case GenSpanKind::kServer:
      return "SPAN_KIND_SERVER";
    case GenSpanKind::kClient:
      return "SPAN_KIND_CLIENT";
  }
  return "SPAN_KIND_UNSPECIFIED";
}

void AppendClickHouseSpanRow(const GenSpan& span, const GenResource& resource, std::string* out) {
  StrAppend(out, "{\"start_ns\":", span.start_ns, ",\"trace_id\":\"", GenTraceIdHex(span.trace_id),
            "\",\"span_id\":\"", GenSpanIdHex(span.span_id), "\",\"parent_span_id\":\"",
            span.parent_span_id == 0 ? std::string() : GenSpanIdHex(span.parent_span_id),
            "\",\"trace_state\":\"\",\"name\":");
  AppendJsonString(out, span.name);
  StrAppend(out, ",\"kind\":\"", SpanKindName(span.kind), "\",\"service\":");
  AppendJsonString(out, resource.service);
  out->append(",\"resource_keys\":");
  AppendKeys(out, resource.attributes);
  out->append(",\"resource_values\":");
  AppendValues(out, resource.attributes);
  out->append(",\"scope_name\":");
  AppendJsonString(out, resource.scope_name);
  out->append(",\"scope_version\":");
  AppendJsonString(out, resource.scope_version);
  out->append(",\"attr_keys\":");
  AppendKeys(out, span.attributes);
  out->append(",\"attr_values\":");
  AppendValues(out, span.attributes);
  StrAppend(out, ",\"duration_ns\":", span.end_ns - span.start_ns, ",\"status_code\":\"",
            span.error ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET", "\",\"status_message\":");
  AppendJsonString(out, span.status_message);
  const std::vector<GenEvent>& ev = span.events;
  out->append(",\"event_times\":[");
  for (size_t i = 0; i < ev.size(); ++i) StrAppend(out, i > 0 ? "," : "", ev[i].time_ns);
  out->append("],\"event_names\":");
  AppendArray(out, ev.size(), [&](size_t i) { return ev[i].name; });
  out->append(",\"event_attr_keys\":[");
  for (size_t i = 0; i < ev.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendKeys(out, ev[i].attributes);
  }
  out->append("],\"event_attr_values\":[");
  for (size_t i = 0; i < ev.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendValues(out, ev[i].attributes);
  }
  out->append("]}\n");
}

void AppendClickHouseTraceRow(const std::array<uint8_t, 16>& trace_id, int64_t start_ns,
                              int64_t end_ns, std::string* out) {
  StrAppend(out, "{\"trace_id\":\"", GenTraceIdHex(trace_id), "\",\"start_ns\":", start_ns,
            ",\"end_ns\":", end_ns, "}\n");
}

}  // namespace vigil::bench
