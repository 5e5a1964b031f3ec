#include "ingest/common/series_writer.h"

#include <algorithm>

#include "common/strings.h"

namespace vigil {

IngestCounters::IngestCounters(MetricsRegistry* registry, std::string_view protocol) {
  if (registry == nullptr) return;
  samples_ingested = &registry->GetCounter("vigil_samples_ingested_total",
                                           "Samples accepted into the metrics store, by protocol.",
                                           Labels({{"protocol", std::string(protocol)}}));
  for (size_t i = 0; i < static_cast<size_t>(RejectReason::kCount); ++i) {
    rejected[i] = &registry->GetCounter(
        "vigil_samples_rejected_total", "Samples refused by the metrics store, by reason.",
        Labels({{"reason", std::string(RejectReasonName(static_cast<RejectReason>(i)))}}));
  }
}

SeriesWriter::SeriesWriter(MetricsStore& store, const IngestCounters* counters)
    : app_(store.Appender()), counters_(counters) {}

void SeriesWriter::Reject(RejectReason reason, uint64_t n, std::string_view detail) {
  stats_.Reject(reason, n, detail);
  if (counters_ && counters_->rejected[static_cast<size_t>(reason)]) {
    counters_->rejected[static_cast<size_t>(reason)]->Inc(n);
  }
}

void SeriesWriter::Write(std::vector<LabelView>& labels, std::span<const Sample> samples,
                         std::span<const Exemplar> exemplars, std::string_view packed_hint) {
  if (samples.empty() && exemplars.empty()) return;
  absl::StatusOr<SeriesRef> ref = app_->GetOrCreate(labels, packed_hint);
  if (!ref.ok()) {
    Reject(AppendStats::ReasonOf(ref.status()), samples.size(), ToStd(ref.status().message()));
    return;
  }
  app_->Append(*ref, samples);
  for (const Exemplar& e : exemplars) app_->AppendExemplar(*ref, e);
}

bool SeriesWriter::WriteKnown(std::string_view packed, std::span<const Sample> samples,
                              std::span<const Exemplar> exemplars) {
  if (samples.empty() && exemplars.empty()) return true;
  absl::StatusOr<SeriesRef> ref = app_->GetOrCreate({}, packed);
  if (!ref.ok()) return false;
  app_->Append(*ref, samples);
  for (const Exemplar& e : exemplars) app_->AppendExemplar(*ref, e);
  return true;
}

absl::Status SeriesWriter::Commit() {
  absl::Status st = app_->Commit();
  const AppendStats& store = app_->stats();
  if (counters_) {
    if (counters_->samples_ingested) counters_->samples_ingested->Inc(store.accepted);
    // The store counts its own refusals in the shared vigil_samples_rejected_total.
  }
  stats_.Merge(store);
  return st;
}

std::string DescribeRejections(const AppendStats& stats) {
  std::string out = StrCat(stats.TotalRejected(), " samples rejected (");
  bool first = true;
  for (size_t i = 0; i < stats.rejected.size(); ++i) {
    if (stats.rejected[i] == 0) continue;
    StrAppend(&out, first ? "" : ", ", RejectReasonName(static_cast<RejectReason>(i)), ": ",
              stats.rejected[i]);
    first = false;
  }
  StrAppend(&out, ")");
  if (!stats.first_error.empty()) StrAppend(&out, ": ", stats.first_error);
  return out;
}

}  // namespace vigil
