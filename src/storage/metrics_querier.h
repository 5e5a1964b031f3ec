// The read side of metrics storage: the only way the query layer and the HTTP API reach
// metric data. The embedded TSDB implements it over head + blocks; a ClickHouse backend
// implements the same interface.
//
// Dispatch is per series: a SeriesSet hands out one series at a time with all its samples
// in [mint, maxt] as a contiguous, sorted, de-duplicated span, so evaluation loops run over
// plain arrays.
//
// Thread-safety: a Querier is a read snapshot used by one request; it may be used from one
// thread at a time. Many queriers may exist concurrently with appends.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/matcher.h"
#include "storage/sample.h"

namespace vigil {

class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Advances to the next series (sorted by labels). False at the end or on error.
  virtual bool Next() = 0;
  virtual const Labels& labels() const = 0;
  // Samples of the current series within the select range; valid until the next Next().
  virtual std::span<const Sample> samples() const = 0;
  virtual absl::Status status() const = 0;

  // Random access, for callers that decode series on several threads. A set that offers it
  // returns its number of series from Size(); -1 (the default) means only Next() works.
  // LabelsAt and SamplesAt address series in Next() order and are safe to call from several
  // threads at once; SamplesAt appends the series' samples in the select range to *out.
  virtual int64_t Size() const { return -1; }
  virtual const Labels& LabelsAt(size_t i) const;
  virtual absl::Status SamplesAt(size_t i, std::vector<Sample>* out) const;
};

struct SelectHints {
  int64_t mint = 0;
  int64_t maxt = 0;
  // Only labels are needed (series/labels APIs): implementations may skip reading samples.
  bool labels_only = false;
};

class MetricsQuerier {
 public:
  virtual ~MetricsQuerier() = default;
  // Series matching all matchers that have at least one sample in [mint, maxt].
  virtual std::unique_ptr<SeriesSet> Select(const Matchers& matchers, const SelectHints& hints) = 0;
  // Sorted label names of series matching `matchers` (all series when empty) in the range.
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) = 0;
  // Sorted values of `name` among matching series in the range.
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                               const Matchers& matchers) = 0;
};

struct SeriesExemplars {
  Labels series;
  std::vector<Exemplar> exemplars;
};

// Exemplars are kept apart from samples (a bounded ring per series).
class ExemplarQuerier {
 public:
  virtual ~ExemplarQuerier() = default;
  virtual absl::StatusOr<std::vector<SeriesExemplars>> SelectExemplars(
      const std::vector<Matchers>& selectors, int64_t mint, int64_t maxt) = 0;
};

}  // namespace vigil
