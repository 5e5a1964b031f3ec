// Tail-based sampling of traces, decided when the head is cut into a segment: a trace is kept
// when it has an error span (keep_errors), or a span at least `latency_threshold` long, or
// else when its trace id falls in the kept `fraction` (a hash of the id, so every span of a
// trace, and every vigil instance, decides the same). A trace whose newest span arrived less
// than `decision_wait` before the cut is not decided yet: its spans are carried into the next
// head (re-logged in the WAL) and decided at a later cut, once the trace is complete.
//
// With fraction 1 (the default) nothing is dropped and nothing carried.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "storage/span_record.h"

namespace vigil::traces {

struct TraceSamplingOptions {
  double fraction = 1.0;              // of the traces no other rule keeps
  bool keep_errors = true;
  int64_t latency_threshold_ns = 0;   // 0: off
  int64_t decision_wait_ns = 30'000'000'000;

  bool active() const { return fraction < 1.0; }
};

// True when a trace id falls in the kept fraction.
bool InSampledFraction(const TraceId& id, double fraction);

enum class SpanFate : uint8_t { kKeep, kDrop, kCarry };

// The fate of every span of `batches` (batches[b].spans()[i] -> fates[b][i]), given when each
// batch arrived and the cut time.
void DecideSpanFates(std::span<const SpanBatch> batches, std::span<const int64_t> arrival_ns,
                     int64_t now_ns, const TraceSamplingOptions& options,
                     std::vector<std::vector<SpanFate>>* fates);

}  // namespace vigil::traces
