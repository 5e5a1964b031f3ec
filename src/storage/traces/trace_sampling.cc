#include "storage/traces/trace_sampling.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "storage/traces/segment_format.h"

namespace vigil::traces {

bool InSampledFraction(const TraceId& id, double fraction) {
  if (fraction >= 1.0) return true;
  if (fraction <= 0.0) return false;
  // The top 53 bits of the id's hash as a number in [0, 1).
  const double u = static_cast<double>(TraceIdHash(id) >> 11) * 0x1.0p-53;
  return u < fraction;
}

void DecideSpanFates(std::span<const SpanBatch> batches, std::span<const int64_t> arrival_ns,
                     int64_t now_ns, const TraceSamplingOptions& options,
                     std::vector<std::vector<SpanFate>>* fates) {
  struct Trace {
    int64_t newest_arrival = 0;
    bool keep = false;
  };
  absl::flat_hash_map<TraceId, Trace> traces;
  for (size_t b = 0; b < batches.size(); ++b) {
    for (const SpanBatch::Entry& e : batches[b].spans()) {
      Trace& t = traces[e.trace_id];
      t.newest_arrival = std::max(t.newest_arrival, arrival_ns[b]);
      if ((options.keep_errors && e.status == SpanStatus::kError) ||
          (options.latency_threshold_ns > 0 && e.end_ns - e.start_ns >= options.latency_threshold_ns)) {
        t.keep = true;
      }
    }
  }
  fates->assign(batches.size(), {});
  for (size_t b = 0; b < batches.size(); ++b) {
    std::vector<SpanFate>& f = (*fates)[b];
    f.reserve(batches[b].size());
    for (const SpanBatch::Entry& e : batches[b].spans()) {
      const Trace& t = traces[e.trace_id];
      if (!options.active()) {
        f.push_back(SpanFate::kKeep);
      } else if (t.newest_arrival > now_ns - options.decision_wait_ns) {
        f.push_back(SpanFate::kCarry);
      } else if (t.keep || InSampledFraction(e.trace_id, options.fraction)) {
        f.push_back(SpanFate::kKeep);
      } else {
        f.push_back(SpanFate::kDrop);
      }
    }
  }
}

}  // namespace vigil::traces
