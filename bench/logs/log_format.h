// How the log benchmark writes a LogRecord, and what it knows about the lines it wrote.
//
// Two encodings of the same line:
//  - NDJSON as services log it (what vigil ingests): "timestamp" in RFC 3339 with nanoseconds,
//    the common fields, then every attribute as a top-level field;
//  - a ClickHouse JSONEachRow row for the benchmark's `logs` table: "timestamp_ns" as an
//    integer, the common fields as columns (absent ones left out, so they take the column
//    default) and every other field in the parallel arrays attr_keys / attr_values, as
//    ClickHouse-based log stacks store them.
//
// LogSummary accumulates what the queries of the benchmark must find (needle trace lines,
// substring matches, field-filter matches, level-per-minute groups), so the runner can check
// every system's answers against it.
//
// Thread-safety: free functions over values; a LogSummary has one owner at a time.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "bench/logs/log_workload.h"

namespace vigil::bench {

// The searches of the benchmark.
inline constexpr std::string_view kSubstringNeedle = "connection refused";
inline constexpr std::string_view kFilterErrorCode = "PAYMENT_DECLINED";
inline constexpr double kFilterMinDurationMs = 200;

// `ns` since the epoch as RFC 3339 UTC with nine fractional digits
// ("2024-05-14T07:00:00.123456789Z"); valid for years 1970..9999.
void AppendRfc3339Nano(std::string* out, int64_t ns);

// One NDJSON line, newline included.
void AppendNdjson(const LogRecord& r, std::string* out);
// One ClickHouse JSONEachRow row, newline included.
void AppendClickHouseRow(const LogRecord& r, std::string* out);

struct LogSummary {
  int64_t lines = 0;
  int64_t ndjson_bytes = 0;
  int64_t clickhouse_bytes = 0;
  int64_t first_ns = 0;  // smallest and largest timestamp
  int64_t last_ns = 0;
  int64_t traced_lines = 0;
  std::map<std::string, int64_t, std::less<>> levels;
  std::map<std::string, int64_t, std::less<>> services;
  std::map<std::string, int64_t, std::less<>> error_codes;
  std::string needle_trace_id;
  int64_t needle_lines = 0;
  int64_t substring_lines = 0;  // message contains kSubstringNeedle
  int64_t filter_lines = 0;     // error_code == kFilterErrorCode && duration_ms > 200
  std::set<std::pair<int64_t, std::string>, std::less<>> level_minutes;  // (minute, level)

  // Counts one line; `needle` is the generator's needle trace id at that moment.
  void Add(const LogRecord& r, std::string_view needle);
  // One JSON object (maps as objects, level_minutes as its size).
  std::string ToJson() const;
};

}  // namespace vigil::bench
