// The value types that cross the metrics storage seam.
#pragma once

#include <bit>
#include <cstdint>

#include "common/labels.h"

namespace vigil {

// One float sample: milliseconds since the epoch and a value.
struct Sample {
  int64_t t;
  double v;
};

// Prometheus' staleness marker: a NaN with a specific bit pattern, written when a series
// disappears from a scrape so queries stop returning it before the 5 m lookback ends.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

// An exemplar: a sampled observation with its own labels (trace_id, span_id …).
struct Exemplar {
  Labels labels;
  double value = 0;
  int64_t t = 0;
  bool has_t = true;
};

using SeriesRef = uint64_t;

// A sample of a series known by its ref: what a commit logs and the WAL replays.
struct RefSample {
  SeriesRef ref = 0;
  int64_t t = 0;  // milliseconds
  double v = 0;
};

}  // namespace vigil
