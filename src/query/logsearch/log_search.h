// The structured log search behind /api/v1/logs/search and /api/v1/logs/aggregate: a time
// range, a stream selector, field filters, free text; matching records newest (or oldest)
// first with cursor pagination, or aggregated by a field (top values, distinct count, counts
// per time bucket).
//
// Free text is "smart case": all lowercase matches case-insensitively, any uppercase letter
// makes it case-sensitive (and lets the store's token filters skip blocks). Equality filters
// on fields and trace_id are handed to the store as hints.
//
// Pagination: records are ordered by timestamp, then stream labels, then body; the cursor
// names the last timestamp returned and how many records with that timestamp were, so the
// next page continues exactly where this one ended even when many records share a timestamp.
//
// Thread-safety: pure functions over a LogsStore, which is itself thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logsearch/field_filter.h"
#include "storage/logs_store.h"

namespace vigil::logsearch {

struct SearchQuery {
  int64_t start_ns = 0;  // inclusive
  int64_t end_ns = 0;    // exclusive
  Matchers selector;
  std::vector<FieldFilter> filters;
  std::string text;
  bool newest_first = true;
  size_t limit = 100;
  std::string cursor;  // from a previous SearchResult, or ""
};

struct FoundRecord {
  Labels stream;
  int64_t timestamp_ns = 0;
  SeverityNumber severity = kSeverityUnspecified;
  std::string severity_text, body, trace_id, span_id;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct SearchResult {
  std::vector<FoundRecord> records;
  std::string next_cursor;  // "" when there is nothing more
  uint64_t scanned = 0;     // records the store handed over
  uint64_t matched = 0;     // of which passed every filter (all pages)
};

absl::StatusOr<SearchResult> Search(LogsStore& store, const SearchQuery& q);

struct AggregateQuery {
  SearchQuery where;     // limit, order and cursor are ignored
  std::string by;        // field to group by ("" for totals only)
  size_t top = 10;       // values reported
  int64_t step_ns = 0;   // > 0: counts per bucket of this width, for the top values
};

struct AggregateResult {
  uint64_t total = 0;     // matching records
  uint64_t distinct = 0;  // distinct values of `by` (absent counts as "")
  std::vector<std::pair<std::string, uint64_t>> top;  // by count, then value
  struct Bucket {
    int64_t start_ns;
    uint64_t total;
    std::vector<uint64_t> counts;  // parallel to `top`
  };
  std::vector<Bucket> buckets;  // ascending, only non-empty buckets
};

absl::StatusOr<AggregateResult> Aggregate(LogsStore& store, const AggregateQuery& q);

}  // namespace vigil::logsearch
