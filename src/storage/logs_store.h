// The log store seam: what ingestion writes through and what LogQL and the search API read
// through. The embedded store (storage/logs) implements it; a ClickHouse backend would too.
//
// Append is synchronous and durable: it returns once every accepted record is in the WAL, so
// an HTTP handler may acknowledge exactly then. Records the store refuses (outside the
// accepted time window, over the size limit, a stream over the stream limit) are counted by
// reason and the rest of the batch is kept.
//
// Reading: Select streams the records of the matching streams in [start_ns, end_ns) to a
// callback, in batches of one stream's records in timestamp order (ties in arrival order);
// batches come in no particular order, and one stream may come in several. The hints let the
// store skip data (blooms, time bounds) and drop records that fail them, but never change
// what matches: the caller still applies its own filters to every record it gets.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/log_record.h"
#include "storage/matcher.h"

namespace vigil {

enum class LogRejectReason {
  kTooOld,         // before the oldest time the store accepts (retention / max age)
  kTooFarInFuture, // beyond the accepted clock skew
  kLineTooLong,    // body larger than the configured limit
  kStreamLimit,    // a new stream over the stream-count limit
  kInvalid,        // refused by a decoder (bad JSON, invalid UTF-8, bad trace id …)
  kCount
};
std::string_view LogRejectReasonName(LogRejectReason r);

struct LogAppendStats {
  uint64_t accepted = 0;
  uint64_t accepted_bytes = 0;  // body bytes
  std::array<uint64_t, static_cast<size_t>(LogRejectReason::kCount)> rejected{};
  // The first few rejections, described for the sender ("entry 3 of stream {…}: …").
  std::vector<std::string> errors;
  // Every refused entry, as its index in the batch's entries(), ascending: protocols that
  // answer per item (Elasticsearch's _bulk) need to know which ones.
  std::vector<uint32_t> rejected_entries;

  uint64_t TotalRejected() const;
  void Reject(LogRejectReason r, uint32_t entry, std::string detail);
  void Merge(const LogAppendStats& o);
  static constexpr size_t kMaxErrors = 10;
};

// What a query will look for, so the store can skip segments and blocks without reading them.
struct LogSelectHints {
  // Substrings that every wanted body contains (case-sensitive), from line filters `|=`.
  std::vector<std::string> body_contains;
  // Field equalities every wanted record satisfies (`| trace_id="abc"` on structured fields).
  std::vector<std::pair<std::string, std::string>> field_equals;
  // When set, only records with this trace id are wanted.
  std::string trace_id;
};

struct LogSelectRequest {
  int64_t start_ns = 0;  // inclusive
  int64_t end_ns = 0;    // exclusive
  Matchers matchers;     // stream selector
  LogSelectHints hints;
  // Which parts of a record the caller reads; the store may leave the others empty and skip
  // decompressing them (a count_over_time without a pipeline reads timestamps only).
  bool want_body = true;
  bool want_fields = true;  // fields, severity text, trace and span ids

  // For queries that keep only the newest (or oldest) records, such as a log query with a
  // limit: the store visits its data in that time order as far as it can, and skips data the
  // caller no longer wants. While the scan runs, the caller may raise `cutoff`: with
  // kNewestFirst, records older than *cutoff are no longer wanted; with kOldestFirst, records
  // newer than it. Visiting order is a hint, the cutoff a promise.
  enum class Order : uint8_t { kAny, kNewestFirst, kOldestFirst };
  Order order = Order::kAny;
  const std::atomic<int64_t>* cutoff = nullptr;
};

// Receives the records of one stream, in timestamp order; several calls may come for the same
// stream. The views are valid only during the call. Return false to stop the whole Select.
using LogRecordsFn =
    std::function<bool(const Labels& stream, std::span<const LogRecordView> records)>;

struct LogStoreStats {
  uint64_t streams = 0;
  uint64_t head_records = 0;
  uint64_t segments = 0;
  uint64_t segment_records = 0;
  uint64_t segment_bytes = 0;
  int64_t min_time_ns = 0;
  int64_t max_time_ns = 0;
};

class LogsStore {
 public:
  virtual ~LogsStore() = default;

  virtual absl::StatusOr<LogAppendStats> Append(const LogBatch& batch) = 0;

  virtual absl::Status Select(const LogSelectRequest& req, const LogRecordsFn& fn) = 0;
  // Stream label sets matching `matchers` with records in [start_ns, end_ns), sorted.
  virtual absl::StatusOr<std::vector<Labels>> Streams(const Matchers& matchers, int64_t start_ns,
                                                      int64_t end_ns) = 0;
  // Stream label names / values of one name over streams with records in the range, sorted.
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(int64_t start_ns, int64_t end_ns) = 0;
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                               int64_t start_ns,
                                                               int64_t end_ns) = 0;

  virtual LogStoreStats Stats() = 0;
  // Cuts the head into a segment now (tests, benchmarks, the admin API).
  virtual absl::Status Flush() = 0;
};

}  // namespace vigil
