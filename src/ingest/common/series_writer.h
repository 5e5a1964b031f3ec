// SeriesWriter: the step every metrics protocol shares after decoding — validate a series'
// labels, resolve it in the store, append its samples and exemplars, and account for
// everything refused by reason — over one MetricsAppender transaction.
//
// Thread-safety: one writer per request.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/labels.h"
#include "common/self_metrics.h"
#include "storage/metrics_store.h"

namespace vigil {

// Per-protocol self-metrics, registered once and shared by all requests of a protocol.
struct IngestCounters {
  IngestCounters(MetricsRegistry* registry, std::string_view protocol);
  Counter* samples_ingested = nullptr;
  Counter* rejected[static_cast<size_t>(RejectReason::kCount)] = {};
};

class SeriesWriter {
 public:
  SeriesWriter(MetricsStore& store, const IngestCounters* counters);

  // `labels` may be unsorted (sorted in place). Invalid series (validated by the store when
  // it first sees them) are refused whole, with all their samples counted as rejected.
  // `packed_hint`: the labels as the client encoded them (see MetricsAppender::GetOrCreate).
  void Write(std::vector<LabelView>& labels, std::span<const Sample> samples,
             std::span<const Exemplar> exemplars = {}, std::string_view packed_hint = {});
  // Writes to the existing series whose packed labels are `packed` (Labels::packed()); false
  // when the store has no such series (then call Write with the decoded labels).
  bool WriteKnown(std::string_view packed, std::span<const Sample> samples,
                  std::span<const Exemplar> exemplars = {});
  // See MetricsAppender::Prefetch: call it for the series kPrefetchAhead positions ahead.
  void Prefetch(std::string_view packed) { app_->Prefetch(packed); }
  // Records samples refused before reaching the store (e.g. by a parser).
  void Reject(RejectReason reason, uint64_t n, std::string_view detail);

  // Commits; the returned stats combine the writer's and the store's rejections.
  absl::Status Commit();
  const AppendStats& stats() const { return stats_; }

 private:
  std::unique_ptr<MetricsAppender> app_;
  const IngestCounters* counters_;
  AppendStats stats_;  // rejections decided here; the appender's are merged at commit
};

// What a protocol's ingest call tells the HTTP layer: OK (2xx) when everything was stored,
// InvalidArgument (4xx) when something was refused, another code (5xx) on storage failure;
// and the counts by reason.
struct IngestResult {
  absl::Status status;
  AppendStats stats;
};

// The sender-facing message for a partially refused batch: counts by reason and the first
// refusal, e.g. "2 samples rejected (out_of_order: 2): out of order sample for series …".
std::string DescribeRejections(const AppendStats& stats);

}  // namespace vigil
