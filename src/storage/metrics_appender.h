// The write side of metrics storage.
//
// An Appender is a transaction: resolve series, add samples and exemplars, then Commit. Commit
// returns OK only once everything accepted is durable (in the WAL for the embedded store), so
// an HTTP handler may acknowledge exactly then. Samples the store refuses (out of order, too
// old, a different value for an existing timestamp) are not errors of the transaction: they
// are counted in `AppendStats` by reason, and the rest of the batch is kept.
//
// Dispatch is per series, not per sample: callers pass all samples of a series in one span.
//
// Thread-safety: one Appender per goroutine-equivalent (request); the store behind it is
// safe for many concurrent appenders.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/sample.h"

namespace vigil {

enum class RejectReason {
  kOutOfOrder,       // older than the newest sample of its series
  kOutOfBounds,      // older than the head accepts (before the oldest writable time)
  kTooFarInFuture,   // beyond the accepted clock skew
  kDuplicate,        // same timestamp, different value
  kInvalidLabels,    // series refused by validation
  kSeriesLimit,      // a cardinality limit was hit
  kDeniedLabel,      // a label name on the denylist
  kCount
};
std::string_view RejectReasonName(RejectReason r);
// Prometheus' message for each reason ("out of order sample", …).
std::string_view RejectReasonMessage(RejectReason r);

struct AppendStats {
  uint64_t accepted = 0;
  std::array<uint64_t, static_cast<size_t>(RejectReason::kCount)> rejected{};
  // The first rejection, described for the sender (series and timestamp included).
  std::string first_error;

  // The reason a GetOrCreate error stands for.
  static RejectReason ReasonOf(const absl::Status& refused);

  uint64_t TotalRejected() const;
  void Reject(RejectReason r, uint64_t n, std::string_view detail);
  void Merge(const AppendStats& o);
};

class MetricsAppender {
 public:
  virtual ~MetricsAppender() = default;
  // Finds or creates the series; `labels` must be sorted by name. A new series is validated
  // (ValidateSeriesLabels) and checked by the cardinality guard: it fails with
  // InvalidArgument (invalid labels), ResourceExhausted (series limits) or PermissionDenied
  // (a denylisted label name); the caller accounts for the samples it carried.
  //
  // `packed_hint`, when given, is the labels' encoding as a client sent it; when it equals
  // an existing series' packed labels (Labels::packed(), the protobuf encoding), the series
  // is found without looking at `labels`, which then need not be sorted. With `labels`
  // empty and no series matching the hint, fails with NotFound (nothing is refused).
  virtual absl::StatusOr<SeriesRef> GetOrCreate(std::span<const LabelView> labels,
                                                std::string_view packed_hint = {}) = 0;
  // A hint that GetOrCreate(…, packed_hint) for this label encoding follows soon. Ingest
  // loops call it for the series kPrefetchAhead positions ahead of the one they resolve, so
  // a store can overlap the memory loads of several lookups; doing nothing is correct.
  static constexpr size_t kPrefetchAhead = 16;
  virtual void Prefetch(std::string_view packed_hint) { (void)packed_hint; }
  // Appends samples in timestamp order to a series resolved by this appender.
  virtual void Append(SeriesRef ref, std::span<const Sample> samples) = 0;
  virtual void AppendExemplar(SeriesRef ref, const Exemplar& e) = 0;
  // Makes the batch durable and visible. Not OK only on a storage failure (disk full …).
  virtual absl::Status Commit() = 0;
  virtual void Rollback() = 0;
  virtual const AppendStats& stats() const = 0;
};

}  // namespace vigil
