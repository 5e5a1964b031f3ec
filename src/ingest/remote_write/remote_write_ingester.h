// Ingests Prometheus remote_write 1.0 requests (snappy-compressed WriteRequest protobuf)
// into a MetricsStore.
//
// The valid part of a request is always kept: series with invalid labels, samples refused
// by the store, and everything after a protobuf error are reported back, while the rest is
// committed. The result tells the HTTP layer what to answer: OK (2xx) only when everything
// was stored durably; InvalidArgument (4xx, not retried by senders) when something was
// refused; another code (5xx, retried) when storage failed and nothing was kept.
//
// Thread-safety: Ingest may be called concurrently; scratch buffers are per thread.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "ingest/common/series_writer.h"
#include "storage/metrics_store.h"

namespace vigil {

class RemoteWriteIngester {
 public:
  RemoteWriteIngester(MetricsStore& store, MetricsRegistry* registry,
                      size_t max_decoded_bytes = 256 << 20);
  IngestResult Ingest(std::string_view snappy_body);

 private:
  MetricsStore& store_;
  IngestCounters counters_;
  size_t max_decoded_bytes_;
};

}  // namespace vigil
