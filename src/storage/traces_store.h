// The trace store seam: what span ingestion writes through and what trace search, trace
// analysis and the service graph read through. The embedded store (storage/traces) implements
// it; a ClickHouse backend would too.
//
// Append is synchronous and durable: it returns once every accepted span is in the WAL, so an
// OTLP handler may acknowledge exactly then. Spans the store refuses (outside the accepted time
// window) are counted by reason and the rest of the batch is kept; decoders refuse malformed
// spans before they get here.
//
// Reading:
// - GetTrace returns every stored span of one trace. The time hint narrows the segments
//   looked at; without it (0, 0) every segment whose trace-id index may hold the trace is.
// - ScanSpans streams light rows (ids, service, name, kind, status, times) of the spans that
//   start in [start_ns, end_ns) and pass the filter, in batches, one callback at a time (never
//   concurrently) though the store may read in parallel. Within a batch, the rows of one trace
//   are adjacent; one trace may still span batches. The callback returns false to stop.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/span_record.h"

namespace vigil {

enum class SpanRejectReason {
  kTooOld,          // ends before the oldest time the store accepts (retention)
  kTooFarInFuture,  // starts beyond the accepted clock skew
  kInvalid,         // refused by a decoder (bad ids, end before start, …)
  kCount
};
std::string_view SpanRejectReasonName(SpanRejectReason r);

struct SpanAppendStats {
  uint64_t accepted = 0;
  std::array<uint64_t, static_cast<size_t>(SpanRejectReason::kCount)> rejected{};
  // The first few rejections, described for the sender.
  std::vector<std::string> errors;
  // Every refused span, as its index in the batch's spans(), ascending (so derived data, such
  // as span metrics, counts only what was stored).
  std::vector<uint32_t> rejected_spans;

  uint64_t TotalRejected() const;
  void Reject(SpanRejectReason r, uint32_t span, std::string detail);
  void Merge(const SpanAppendStats& o);
  static constexpr size_t kMaxErrors = 10;
};

// Conditions on one span. Empty / unset members match everything.
struct SpanFilter {
  std::string service_name;  // the resource's service.name
  std::string span_name;
  std::optional<SpanKind> kind;
  std::optional<SpanStatus> status;
  int64_t min_duration_ns = 0;
  int64_t max_duration_ns = std::numeric_limits<int64_t>::max();
  // Each pair must equal a span attribute or, failing that, a resource attribute (values
  // compared as text: `http.status_code` = "500").
  std::vector<std::pair<std::string, std::string>> attributes;

  bool empty() const {
    return service_name.empty() && span_name.empty() && !kind && !status &&
           min_duration_ns <= 0 &&
           max_duration_ns == std::numeric_limits<int64_t>::max() && attributes.empty();
  }
};

// A span without its attributes, events and links: what search, the service graph and
// trace-level summaries read. Views are valid during the callback only.
struct SpanRow {
  TraceId trace_id;
  SpanId span_id = 0;
  SpanId parent_span_id = 0;
  std::string_view service_name;
  std::string_view name;
  SpanKind kind = SpanKind::kUnspecified;
  SpanStatus status = SpanStatus::kUnset;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

struct SpanScanRequest {
  int64_t start_ns = 0;  // span start time, inclusive
  int64_t end_ns = std::numeric_limits<int64_t>::max();  // exclusive
  SpanFilter filter;
  // Set by the caller to stop a scan early (timeout, client gone); the store checks it between
  // blocks and returns Cancelled.
  const std::atomic<bool>* cutoff = nullptr;
  // False when the caller reads only trace ids and times: rows may then carry span and parent
  // ids of 0, and a store skips decoding them (trace search's candidate pass).
  bool span_ids = true;
};

struct TracesStoreStats {
  uint64_t head_spans = 0;
  uint64_t segments = 0;
  uint64_t segment_spans = 0;
  uint64_t segment_bytes = 0;
};

class TracesStore {
 public:
  virtual ~TracesStore() = default;

  virtual absl::StatusOr<SpanAppendStats> Append(const SpanBatch& batch) = 0;

  // Every stored span of `trace_id`, in no particular order; empty when none. start_ns/end_ns
  // (both 0 for "anywhere") bound where the trace's spans started.
  virtual absl::Status GetTrace(const TraceId& trace_id, int64_t start_ns, int64_t end_ns,
                                std::vector<Span>* out) = 0;

  virtual absl::Status ScanSpans(const SpanScanRequest& request,
                                 const std::function<bool(std::span<const SpanRow>)>& fn) = 0;

  // The light rows of one trace (what GetTrace finds, without attributes, events and links),
  // in batches; views are valid during the callback only.
  virtual absl::Status ScanTrace(const TraceId& trace_id, int64_t start_ns, int64_t end_ns,
                                 const std::function<void(std::span<const SpanRow>)>& fn) = 0;

  // Service names, and the span names of one service, seen in [start_ns, end_ns) (sorted).
  virtual absl::StatusOr<std::vector<std::string>> Services(int64_t start_ns, int64_t end_ns) = 0;
  virtual absl::StatusOr<std::vector<std::string>> SpanNames(std::string_view service,
                                                             int64_t start_ns,
                                                             int64_t end_ns) = 0;

  virtual TracesStoreStats Stats() = 0;
  // Makes everything appended so far part of immutable segments (tests, admin, shutdown).
  virtual absl::Status Flush() = 0;
};

}  // namespace vigil
