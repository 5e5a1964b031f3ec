// What the HTTP handlers share: the stores (published once they are ready) and the
// self-metrics registry. Owned by the Server, passed to each API's Register function.
//
// Thread-safety: the store pointer is published atomically; handlers read it per request.
#pragma once

#include <atomic>
#include <string>

#include "common/self_metrics.h"
#include "http/response.h"
#include "storage/logs_store.h"
#include "storage/metrics_store.h"
#include "storage/traces_store.h"

namespace vigil {

struct ApiContext {
  // Null until each store has replayed its WAL; handlers answer 503 meanwhile.
  std::atomic<MetricsStore*> metrics{nullptr};
  std::atomic<LogsStore*> logs{nullptr};
  std::atomic<TracesStore*> traces{nullptr};
  MetricsRegistry* registry = nullptr;
  std::string data_dir;

  // The metrics store, or null after writing a 503 to `resp`.
  MetricsStore* MetricsOr503(HttpResponse& resp) const;
  // The log store, or null after writing a 503 to `resp`.
  LogsStore* LogsOr503(HttpResponse& resp) const;
  // The trace store, or null after writing a 503 to `resp`.
  TracesStore* TracesOr503(HttpResponse& resp) const;
};

}  // namespace vigil
