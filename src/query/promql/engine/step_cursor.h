// Walks the step-aligned points of many series in step order: At(i, ts) is the point of
// series i at step time ts, or null when the series is absent at that step. Each series'
// position only moves forward, so a pass over all steps costs O(points + steps · series).
//
// Thread-safety: not thread-safe; one per evaluation loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "query/promql/engine/value.h"

namespace vigil::promql {

class StepCursors {
 public:
  explicit StepCursors(const Matrix& m) : m_(m), pos_(m.size(), 0) {}
  // `ts` must not decrease between calls for the same series.
  const Sample* At(size_t i, int64_t ts) {
    const std::vector<Sample>& pts = m_[i].points;
    size_t p = pos_[i];
    while (p < pts.size() && pts[p].t < ts) ++p;
    pos_[i] = p;
    return p < pts.size() && pts[p].t == ts ? &pts[p] : nullptr;
  }

 private:
  const Matrix& m_;
  std::vector<size_t> pos_;
};

}  // namespace vigil::promql
