// The span workload as OTLP/HTTP protobuf requests (ExportTraceServiceRequest), encoded with
// minimal varint lengths as the SDKs' exporters write them. OtlpBatcher groups spans the way
// each service instance's batch span processor does: one buffer per instance, a request of one
// ResourceSpans (one ScopeSpans) whenever a buffer reaches the batch size, the partial buffers
// at the end. The spans of one trace thus arrive in several requests, as they do in practice.
//
// Request files hold the requests back to back, each after its length as 4 bytes little-endian.
//
// Thread-safety: functions are pure; an OtlpBatcher has one owner at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/traces/span_workload.h"

namespace vigil::bench {

// Appends one ExportTraceServiceRequest holding `spans` under `resource` to *out.
void AppendExportRequest(const GenResource& resource, const std::vector<GenSpan>& spans,
                         std::string* out);

// Appends `request` to a request file's contents (length prefix, then the bytes).
void AppendFramed(std::string_view request, std::string* out);

// Splits a request file's contents into its requests (views into `data`); false with *error
// when the framing is broken.
bool SplitFramed(std::string_view data, std::vector<std::string_view>* requests,
                 std::string* error);

// Reads a request file into *data and splits it (SplitFramed); false with *error when the
// file cannot be read or its framing is broken.
bool ReadFramedFile(const std::string& path, std::string* data,
                    std::vector<std::string_view>* requests, std::string* error);

class OtlpBatcher {
 public:
  // `sink` gets each request and its span count.
  using Sink = std::function<void(const std::string& request, size_t spans)>;
  OtlpBatcher(const std::vector<GenResource>& resources, size_t batch_spans, Sink sink);

  void Add(GenSpan span);  // moved into its instance's buffer; may emit a request
  void Finish();           // emits the partial buffers (instance order)

 private:
  void Emit(int resource);

  const std::vector<GenResource>& resources_;
  size_t batch_spans_;
  Sink sink_;
  std::vector<std::vector<GenSpan>> buffers_;
  std::string request_;
};

}  // namespace vigil::bench
