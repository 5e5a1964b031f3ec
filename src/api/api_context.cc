#include "api/api_context.h"

namespace vigil {

MetricsStore* ApiContext::MetricsOr503(HttpResponse& resp) const {
  MetricsStore* s = metrics.load(std::memory_order_acquire);
  if (s == nullptr) {
    resp.SetError(503, "unavailable", "the metrics store is starting (WAL replay in progress)");
  }
  return s;
}

LogsStore* ApiContext::LogsOr503(HttpResponse& resp) const {
  LogsStore* s = logs.load(std::memory_order_acquire);
  if (s == nullptr) {
    resp.SetError(503, "unavailable", "the log store is starting (WAL replay in progress)");
  }
  return s;
}

TracesStore* ApiContext::TracesOr503(HttpResponse& resp) const {
  TracesStore* s = traces.load(std::memory_order_acquire);
  if (s == nullptr) {
    resp.SetError(503, "unavailable", "the trace store is starting (WAL replay in progress)");
  }
  return s;
}

}  // namespace vigil
