// What a load client's senders report, shared by bench/metrics/metrics_load and
// bench/logs/log_load: requests sent, connections opened, each request's latency and the
// first failure; and the percentile the clients print.
//
// Thread-safety: value types; callers merge under their own lock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::bench {

struct SendResult {
  int64_t requests = 0;
  int64_t connects = 0;
  std::vector<double> latencies_ms;
  std::string error;  // the first failure, empty on success

  // Adds one sender's share (its latencies, connections and first error).
  void Add(const std::vector<double>& latencies, int64_t sender_connects,
           const std::string& sender_error) {
    requests += static_cast<int64_t>(latencies.size());
    connects += sender_connects;
    latencies_ms.insert(latencies_ms.end(), latencies.begin(), latencies.end());
    if (error.empty()) error = sender_error;
  }
};

// The p-quantile (0..1) of *v by rank, reordering *v; 0 for an empty list.
inline double Percentile(std::vector<double>* v, double p) {
  if (v->empty()) return 0;
  const size_t i = std::min(v->size() - 1, static_cast<size_t>(p * static_cast<double>(v->size())));
  std::nth_element(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(i), v->end());
  return (*v)[i];
}

}  // namespace vigil::bench
