// The log data model shared by ingestion, storage and query.
//
// A log record is a timestamp (ns), a severity, a body, fields (structured metadata:
// attributes, resource attributes and every JSON field that is not a stream label), and the
// trace context. Records belong to a stream: a small, low-cardinality label set that always
// carries `service_name` (see ingest/logs/stream_labels.h).
//
// Views: LogRecordView and LogFieldView point into memory owned by someone else (a LogBatch,
// a decoded segment block); they are valid only as long as that owner says.
//
// Thread-safety: value types; a LogBatch is used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/labels.h"
#include "common/string_arena.h"

namespace vigil {

// OpenTelemetry's SeverityNumber: 0 unspecified, 1–4 TRACE, 5–8 DEBUG, 9–12 INFO, 13–16 WARN,
// 17–20 ERROR, 21–24 FATAL.
using SeverityNumber = uint8_t;
constexpr SeverityNumber kSeverityUnspecified = 0;
constexpr SeverityNumber kSeverityTrace = 1;
constexpr SeverityNumber kSeverityDebug = 5;
constexpr SeverityNumber kSeverityInfo = 9;
constexpr SeverityNumber kSeverityWarn = 13;
constexpr SeverityNumber kSeverityError = 17;
constexpr SeverityNumber kSeverityFatal = 21;

// "trace", "debug", "info", "warn", "error", "fatal" or "unknown" (for 0 and > 24): the
// names Loki uses for its detected `level`.
std::string_view SeverityName(SeverityNumber s);
// Recognises common level spellings, case-insensitively: trace, debug/dbg, info/information/
// notice, warn/warning, error/err, fatal/critical/crit/panic/emerg/alert, and OTLP's
// "INFO2"-style names. Returns kSeverityUnspecified for anything else.
SeverityNumber ParseSeverity(std::string_view text);

struct LogFieldView {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const LogFieldView&, const LogFieldView&) = default;
};

struct LogRecordView {
  int64_t timestamp_ns = 0;
  SeverityNumber severity = kSeverityUnspecified;
  std::string_view severity_text;  // as the sender spelled it ("ERROR", "warn"), may be empty
  std::string_view body;
  std::string_view trace_id;  // 32 lowercase hex digits, or empty
  std::string_view span_id;   // 16 lowercase hex digits, or empty
  std::span<const LogFieldView> fields;  // names unique, in the order received
};

// A decoded ingest request: streams and their records, ready for LogsStore::Append.
// Strings are views into the request body (which must outlive the batch) or into the
// batch's own arena (Own/Copy), so decoding does not allocate a string per field.
class LogBatch {
 public:
  struct Entry {
    uint32_t stream = 0;  // index into streams()
    int64_t timestamp_ns = 0;
    SeverityNumber severity = kSeverityUnspecified;
    std::string_view severity_text, body, trace_id, span_id;
    uint32_t first_field = 0;  // into fields()
    uint32_t num_fields = 0;
  };

  // Returns the index of the stream with these labels, adding it if new.
  uint32_t AddStream(Labels labels);
  // Starts a record of `stream`; add its fields with AddField right after.
  Entry& AddEntry(uint32_t stream);
  void AddField(std::string_view name, std::string_view value);
  // Drops the last entry (and its fields), for a decoder that finds it invalid after all.
  void DropLastEntry();

  // Copies `s` into the batch's arena; the view stays valid for the batch's lifetime.
  std::string_view Copy(std::string_view s) { return s.empty() ? s : arena_.Copy(s); }
  StringArena* arena() { return &arena_; }

  const std::vector<Labels>& streams() const { return streams_; }
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& mutable_entries() { return entries_; }
  std::span<const LogFieldView> FieldsOf(const Entry& e) const {
    return {fields_.data() + e.first_field, e.num_fields};
  }
  LogRecordView View(const Entry& e) const;
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Labels> streams_;
  absl::flat_hash_map<std::string, uint32_t> stream_index_;  // packed labels -> index
  std::vector<Entry> entries_;
  std::vector<LogFieldView> fields_;
  StringArena arena_;
};

}  // namespace vigil
