// Invariants the OTLP metrics decoders keep, checked by the fuzz targets after each input: a
// failed request leaves the batch empty, refusals never exceed the points seen, every series
// would pass the store's validation (valid metric and label names, UTF-8 non-empty values,
// unique sorted names), samples are in time order, and exemplar labels are valid.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/labels.h"
#include "ingest/common/decode_result.h"
#include "ingest/otlp_metrics/otlp_metrics_batch.h"

namespace vigil::fuzz_otlp_metrics {

inline void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "OTLP metrics decoder invariant broken: %s\n", what);
  std::abort();
}

inline void CheckBatch(const OtlpMetricsBatch& batch, const DecodeResult& result) {
  if (!result.status.ok()) {
    Require(batch.empty(), "a failed request left series");
    return;
  }
  Require(result.rejected <= result.total, "more refused than seen");
  std::vector<LabelView> views;
  for (const OtlpMetricsBatch::Series& s : batch.series()) {
    const Labels labels = Labels::FromPacked(s.packed);
    views.assign(labels.begin(), labels.end());
    Require(ValidateSeriesLabels(views).ok(), "a series the store would refuse");
    for (size_t i = 1; i < s.samples.size(); ++i) {
      Require(s.samples[i - 1].t <= s.samples[i].t, "samples out of time order");
    }
    for (const Exemplar& e : s.exemplars) {
      for (const LabelView& l : e.labels) {
        Require(IsValidLabelName(l.name) && IsValidUtf8(l.value), "invalid exemplar label");
      }
    }
  }
}

}  // namespace vigil::fuzz_otlp_metrics
