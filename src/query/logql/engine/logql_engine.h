// Evaluates LogQL queries against a LogsStore, with Loki's semantics.
//
// Log queries (`{app="x"} |= "err" | json | status >= 500`) return streams: entries grouped
// by their labels after the pipeline (stream labels plus extracted labels), at most `limit`
// entries in all, the newest first (backward) or the oldest first (forward), over
// [start, end). Structured metadata (a record's fields, trace_id, span_id) is visible to the
// pipeline as labels and is returned per entry, not merged into the stream labels.
//
// Metric queries return a matrix (range queries: every step from start to end) or a vector
// (instant queries at `end`), or a scalar. Range aggregations look at (t - range, t] as Loki
// does. Series labels are the stream labels plus extracted labels; structured metadata joins
// them only through an explicit grouping (`by (error_code)`), so a metric over logs that
// carry trace ids does not make one series per trace.
//
// Limits: `max_series` series in a metric result, `max_entries` for a log query's limit,
// 11,000 steps, and a timeout; each fails with a clear error (ResourceExhausted,
// InvalidArgument, DeadlineExceeded). Parse errors are InvalidArgument with Loki's text;
// evaluation errors (many-to-many matching) are Aborted.
//
// Thread-safety: Exec may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/engine/step_matrix.h"
#include "storage/logs_store.h"

namespace vigil::logql {

struct LogqlEngineOptions {
  size_t max_series = 500;
  size_t max_entries = 5000;
  int64_t timeout_ns = 120'000'000'000LL;
  size_t max_steps = 11000;
};

struct LogqlQuery {
  std::string text;
  int64_t start_ns = 0;  // range queries; instant queries use end_ns only
  int64_t end_ns = 0;
  int64_t step_ns = 0;   // range metric queries
  bool instant = false;
  size_t limit = 100;    // log queries
  bool backward = true;  // log queries: newest first
};

struct LogEntry {
  int64_t timestamp_ns = 0;
  std::string line;
  std::vector<std::pair<std::string, std::string>> metadata;  // structured metadata
};

struct LogStream {
  Labels labels;
  std::vector<LogEntry> entries;  // in the query's direction
};

struct QueryStats {
  uint64_t lines_scanned = 0;
  uint64_t bytes_scanned = 0;
  int64_t exec_ns = 0;
};

struct LogqlResult {
  enum class Type { kStreams, kMatrix, kVector, kScalar };
  Type type = Type::kStreams;
  std::vector<LogStream> streams;
  StepGrid grid;   // matrix and vector results
  StepValue value; // matrix, vector (one step) and scalar
  QueryStats stats;
};

class LogqlEngine {
 public:
  explicit LogqlEngine(LogqlEngineOptions options = {}) : options_(options) {}
  absl::StatusOr<LogqlResult> Exec(LogsStore& store, const LogqlQuery& query) const;
  const LogqlEngineOptions& options() const { return options_; }

 private:
  LogqlEngineOptions options_;
};

}  // namespace vigil::logql
