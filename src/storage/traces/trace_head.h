// The in-memory part of the trace store: the span records of recent appends (exactly as
// written to the WAL) and one light row per span for scans and trace lookups.
//
// Rows hold the ids, times, kind and status, and views of the service and span names (inside
// the records, or in the head's own copy of each distinct name); attributes, events and links stay encoded in the records and are decoded only
// for the spans a query returns or filters on attributes. Lookups by trace id scan the rows
// (the head is bounded by the store's cut size, and a scan of 16-byte ids is fast).
//
// Thread-safety: Add takes the head's lock exclusively, reads share it.
#pragma once

#include <cstdint>
#include <memory>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/string_arena.h"
#include "common/string_view_hash.h"
#include "storage/span_record.h"
#include "storage/traces_store.h"

namespace vigil::traces {

class TraceHead {
 public:
  // Adds an encoded record (span_codec.h). Fails only on a malformed record.
  absl::Status Add(std::string record);
  // Adds the record EncodeSpanRecord(batch, spans, …) just made, taking the rows from the
  // batch instead of decoding the record again (a tenth of the ingest path's CPU).
  void Add(std::string record, const SpanBatch& batch, std::span<const uint32_t> spans);

  absl::Status GetTrace(const TraceId& id, std::vector<Span>* out) const;
  void TraceRows(const TraceId& id, const std::function<void(std::span<const SpanRow>)>& fn) const;
  // Returns false when `fn` asked to stop.
  absl::StatusOr<bool> Scan(const SpanScanRequest& req,
                            const std::function<bool(std::span<const SpanRow>)>& fn) const;
  void Services(int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) const;
  void SpanNames(std::string_view service, int64_t start_ns, int64_t end_ns,
                 std::vector<std::string>* out) const;

  // Decodes every record, in order, for a cut (the batches' views point into the head, which
  // must outlive them); *arrival_ns (when given) receives when each record was added.
  absl::Status DecodeAll(std::vector<SpanBatch>* out,
                         std::vector<int64_t>* arrival_ns = nullptr) const;

  // Decodes the records one at a time, in order, handing each to `fn` (the batch lives for the
  // call; its views point into the head, which must outlive their use). For a cut that
  // needs no more than one record decoded at once.
  absl::Status ForEachDecoded(const std::function<void(const SpanBatch&)>& fn) const;

  size_t spans() const;
  size_t bytes() const;  // record bytes
  int64_t created_ns() const { return created_ns_; }

 private:
  struct Row {
    SpanRow row;
    uint32_t record = 0;
    uint32_t span = 0;  // index within the record
  };

  // A row of span `span` of a record, names still pointing where e's do.
  static Row RowOf(const SpanBatch::Entry& e, uint32_t span);
  // Appends the rows (of `record`, which becomes the next record) to the head.
  void PublishLocked(std::unique_ptr<const std::string> record, std::span<Row> rows)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The head's copy of a service or span name, for rows built from a batch.
  std::string_view Intern(std::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<const std::string>> records_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> arrival_ns_ ABSL_GUARDED_BY(mu_);  // wall clock, per record
  std::vector<Row> rows_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  StringArena names_ ABSL_GUARDED_BY(mu_);
  StringViewSet name_index_ ABSL_GUARDED_BY(mu_);  // views of names_
  const int64_t created_ns_ = 0;

 public:
  explicit TraceHead(int64_t created_ns) : created_ns_(created_ns) {}
};

}  // namespace vigil::traces
