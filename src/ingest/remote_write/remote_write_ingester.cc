#include "ingest/remote_write/remote_write_ingester.h"

#include <algorithm>

#include "common/strings.h"
#include "http/compression.h"
#include "ingest/remote_write/write_request.h"

namespace vigil {

RemoteWriteIngester::RemoteWriteIngester(MetricsStore& store, MetricsRegistry* registry,
                                         size_t max_decoded_bytes)
    : store_(store), counters_(registry, "remote_write"), max_decoded_bytes_(max_decoded_bytes) {}

IngestResult RemoteWriteIngester::Ingest(std::string_view body) {
  // Reused across requests on the same worker thread: no per-request allocation once warm.
  thread_local std::string raw;
  thread_local WriteRequestView req;
  thread_local std::vector<LabelView> labels;
  thread_local std::vector<Exemplar> exemplars;

  IngestResult result;
  if (absl::Status st = SnappyBlockDecode(body, max_decoded_bytes_, &raw); !st.ok()) {
    result.status = std::move(st);
    return result;
  }
  absl::Status decode = DecodeWriteRequest(raw, &req);

  SeriesWriter writer(store_, &counters_);
  constexpr size_t kAhead = MetricsAppender::kPrefetchAhead;
  for (size_t i = 0; i < std::min(kAhead, req.series.size()); ++i) {
    writer.Prefetch(req.series[i].packed_labels);
  }
  for (size_t si = 0; si < req.series.size(); ++si) {
    const TimeSeriesView& ts = req.series[si];
    if (si + kAhead < req.series.size()) writer.Prefetch(req.series[si + kAhead].packed_labels);
    exemplars.clear();
    for (uint32_t i = ts.exemplars_begin; i < ts.exemplars_end; ++i) {
      const WriteExemplarView& e = req.exemplars[i];
      std::vector<Label> el;
      for (uint32_t k = e.labels_begin; k < e.labels_end; ++k) {
        el.push_back({std::string(req.labels[k].name), std::string(req.labels[k].value)});
      }
      exemplars.push_back(Exemplar{Labels::FromUnsorted(std::move(el)), e.value, e.t});
    }
    std::span<const Sample> samples(req.samples.data() + ts.samples_begin,
                                    ts.samples_end - ts.samples_begin);
    // A series the store knows is found by its label bytes; only new (or oddly encoded)
    // series pay for decoding their labels.
    if (!ts.packed_labels.empty() && writer.WriteKnown(ts.packed_labels, samples, exemplars)) {
      continue;
    }
    labels.clear();
    if (absl::Status st = DecodeSeriesLabels(ts, &labels); !st.ok()) {
      writer.Reject(RejectReason::kInvalidLabels, samples.size(), ToStd(st.message()));
      continue;
    }
    writer.Write(labels, samples, exemplars, ts.packed_labels);
  }
  for (const WriteMetadataView& m : req.metadata) {
    if (m.family.empty()) continue;
    store_.SetMetadata(m.family, MetricMetadata{m.type, std::string(m.help), std::string(m.unit)});
  }
  absl::Status commit = writer.Commit();
  result.stats = writer.stats();
  if (!commit.ok()) {
    result.status = commit;
  } else if (!decode.ok()) {
    result.status = absl::InvalidArgumentError(
        StrCat(ToStd(decode.message()), "; ", result.stats.accepted,
               " samples before the error were stored"));
  } else if (result.stats.TotalRejected() > 0) {
    result.status = absl::InvalidArgumentError(DescribeRejections(result.stats));
  }
  return result;
}

}  // namespace vigil
