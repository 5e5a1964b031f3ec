#include "bench/traces/span_otlp.h"

#include <fstream>
#include <sstream>

#include "common/proto_wire.h"

namespace vigil::bench {
namespace {

using proto::WireWriter;

// Nested messages are written into scratch buffers (one per nesting level) and appended with
// their exact length, so the encoding is as compact as an SDK's.
struct Scratch {
  std::string any, kv, event, status, span, scope_spans, scope, resource, resource_spans;
};

void AppendKeyValue(WireWriter& w, uint32_t field, const GenAttribute& a, Scratch& s) {
  s.any.clear();
  WireWriter any(&s.any);
  switch (a.value.type) {
    case GenValue::kString:
      any.BytesField(1, a.value.s);
      break;
    case GenValue::kBool:
      any.VarintField(2, a.value.i != 0 ? 1 : 0);
      break;
    case GenValue::kInt:
      any.VarintField(3, static_cast<uint64_t>(a.value.i));
      break;
    case GenValue::kDouble:
      any.DoubleField(4, a.value.d);
      break;
  }
  s.kv.clear();
  WireWriter kv(&s.kv);
  kv.BytesField(1, a.key);
  kv.BytesField(2, s.any);
  w.BytesField(field, s.kv);
}

void AppendSpan(WireWriter& w, const GenSpan& span, Scratch& s) {
  s.span.clear();
  WireWriter sp(&s.span);
  sp.BytesField(1, std::string_view(reinterpret_cast<const char*>(span.trace_id.data()), 16));
  char id[8];
  for (int i = 0; i < 8; ++i) id[i] = static_cast<char>(span.span_id >> (56 - 8 * i));
  sp.BytesField(2, std::string_view(id, 8));
  if (span.parent_span_id != 0) {
    for (int i = 0; i < 8; ++i) id[i] = static_cast<char>(span.parent_span_id >> (56 - 8 * i));
    sp.BytesField(4, std::string_view(id, 8));
  }
  sp.BytesField(5, span.name);
  sp.VarintField(6, static_cast<uint64_t>(span.kind));
  sp.Fixed64Field(7, static_cast<uint64_t>(span.start_ns));
  sp.Fixed64Field(8, static_cast<uint64_t>(span.end_ns));
  for (const GenAttribute& a : span.attributes) AppendKeyValue(sp, 9, a, s);
  for (const GenEvent& e : span.events) {
    std::string event;  // rare (~10% of spans): a local buffer keeps the scratch simple
    WireWriter ev(&event);
    ev.Fixed64Field(1, static_cast<uint64_t>(e.time_ns));
    ev.BytesField(2, e.name);
    for (const GenAttribute& a : e.attributes) AppendKeyValue(ev, 3, a, s);
    sp.BytesField(11, event);
  }
  if (span.error) {
    s.status.clear();
    WireWriter st(&s.status);
    if (!span.status_message.empty()) st.BytesField(2, span.status_message);
    st.VarintField(3, 2);  // STATUS_CODE_ERROR
    sp.BytesField(15, s.status);
  }
  w.BytesField(2, s.span);
}

}  // namespace

void AppendExportRequest(const GenResource& resource, const std::vector<GenSpan>& spans,
                         std::string* out) {
  Scratch s;
  s.scope.clear();
  WireWriter scope(&s.scope);
  scope.BytesField(1, resource.scope_name);
  scope.BytesField(2, resource.scope_version);
  WireWriter ss(&s.scope_spans);
  ss.BytesField(1, s.scope);
  for (const GenSpan& span : spans) AppendSpan(ss, span, s);

  WireWriter res(&s.resource);
  for (const GenAttribute& a : resource.attributes) AppendKeyValue(res, 1, a, s);
  WireWriter rs(&s.resource_spans);
  rs.BytesField(1, s.resource);
  rs.BytesField(2, s.scope_spans);
  WireWriter(out).BytesField(1, s.resource_spans);
}

void AppendFramed(std::string_view request, std::string* out) {
  const uint32_t n = static_cast<uint32_t>(request.size());
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(n >> (8 * i)));
  out->append(request);
}

bool SplitFramed(std::string_view data, std::vector<std::string_view>* requests,
                 std::string* error) {
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 4) {
      *error = "truncated length prefix at offset " + std::to_string(pos);
      return false;
    }
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= uint32_t{static_cast<uint8_t>(data[pos + i])} << (8 * i);
    pos += 4;
    if (n > data.size() - pos) {
      *error = "request of " + std::to_string(n) + " bytes at offset " + std::to_string(pos - 4) +
               " runs past the end of the file";
      return false;
    }
    requests->push_back(data.substr(pos, n));
    pos += n;
  }
  return true;
}

bool ReadFramedFile(const std::string& path, std::string* data,
                    std::vector<std::string_view>* requests, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (!in || !(content << in.rdbuf())) {
    *error = "cannot read " + path;
    return false;
  }
  *data = std::move(content).str();
  if (!SplitFramed(*data, requests, error)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

OtlpBatcher::OtlpBatcher(const std::vector<GenResource>& resources, size_t batch_spans, Sink sink)
    : resources_(resources),
      batch_spans_(batch_spans == 0 ? 1 : batch_spans),
      sink_(std::move(sink)),
      buffers_(resources.size()) {}

void OtlpBatcher::Add(GenSpan span) {
  const int r = span.resource;
  buffers_[r].push_back(std::move(span));
  if (buffers_[r].size() >= batch_spans_) Emit(r);
}

void OtlpBatcher::Finish() {
  for (size_t r = 0; r < buffers_.size(); ++r) {
    if (!buffers_[r].empty()) Emit(static_cast<int>(r));
  }
}

void OtlpBatcher::Emit(int resource) {
  request_.clear();
  AppendExportRequest(resources_[resource], buffers_[resource], &request_);
  sink_(request_, buffers_[resource].size());
  buffers_[resource].clear();
}

}  // namespace vigil::bench
