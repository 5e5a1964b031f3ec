// Imports a body in the Prometheus text format or OpenMetrics (as
// `POST /api/v1/import/prometheus` receives it) into a MetricsStore: samples, exemplars,
// and HELP/TYPE/UNIT metadata. Bad lines are reported by line number and skipped; the rest
// of the body is stored.
//
// Thread-safety: Import may be called concurrently.
#pragma once

#include <string_view>

#include "ingest/common/series_writer.h"
#include "storage/metrics_store.h"

namespace vigil {

class TextImporter {
 public:
  TextImporter(MetricsStore& store, MetricsRegistry* registry);
  // Samples without a timestamp get `default_timestamp_ms`.
  IngestResult Import(std::string_view body, std::string_view content_type,
                      int64_t default_timestamp_ms);

 private:
  MetricsStore& store_;
  IngestCounters counters_;
};

}  // namespace vigil
