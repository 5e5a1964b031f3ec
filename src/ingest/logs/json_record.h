// Decodes one JSON object — a line of JSON lines ingestion or an Elasticsearch document — into
// a log entry and its stream labels. The rules:
//
//  * timestamp: top-level `@timestamp`, `timestamp`, `time` or `ts` (that priority; the others
//    stay fields), RFC 3339 or Unix time by magnitude (see log_time.h); none -> the receive
//    time given by the caller.
//  * body: top-level `message` or `msg` (a non-string value gives its JSON text); none -> the
//    whole object as sent.
//  * severity: top-level `level` or `severity`, else ECS's `log.level`; strings via
//    ParseSeverity, numbers as pino levels; the text is kept as severity_text.
//  * trace context: `trace_id` / `traceId` / `traceID` and `span_id` / `spanId` (also ECS's
//    nested `trace.id` / `span.id`): hex strings, validated and lowercased.
//  * labels: the configured label fields present at the top level as strings or numbers, plus
//    the caller's extra labels (Elasticsearch's `index`) and service_name.
//  * fields: everything else. Nested objects are flattened with '_' (`{"http":{"method":..}}`
//    -> `http_method`) down to kMaxFlattenDepth levels (deeper objects keep their JSON text);
//    arrays, numbers and booleans keep their JSON text; nulls are dropped; names sanitized.
//
// Thread-safety: per-decoder scratch, one thread at a time.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_object_scan.h"
#include "ingest/json/json_reader.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {

class JsonRecordDecoder {
 public:
  static constexpr int kMaxFlattenDepth = 8;

  enum class Outcome {
    kOk,         // *entry and *labels are filled
    kRefused,    // the entry is refused: *error says why
    kMalformed,  // the JSON itself is broken: *error says how, the document is unusable
  };

  // What a top-level key stands for, by its spelling (see the rules above).
  enum class KeyRole : uint8_t { kNone, kTimestamp, kMessage, kLevel, kSeverity, kTrace, kSpan };

  explicit JsonRecordDecoder(const StreamLabelConfig* config) : config_(config) {}

  // Decodes the JSON object `raw` (a view of the reader's body; surrounding whitespace
  // allowed). On kOk, *labels holds the stream labels including `extra_labels` and
  // service_name (views valid until the next call) and *entry the entry. A value that is not
  // an object is refused ("expected a JSON object, got array"); broken JSON is kMalformed
  // ("malformed JSON: expected ':' at byte 12", counted from the start of `raw`).
  Outcome Decode(JsonReader& reader, NameTable& names, std::string_view raw,
                 int64_t receive_time_ns, std::span<const LabelView> extra_labels,
                 PendingEntry* entry, std::vector<LabelView>* labels, std::string* error);

 private:
  struct Field {
    std::string_view name;     // sanitized (and flattened) name
    std::string_view raw_key;  // the key as sent, for top-level fields only
    std::string_view value;
    ondemand::json_type type;
    bool removed;
    KeyRole role;  // of raw_key; kNone for flattened members
  };
  struct Candidate {
    int priority = -1;  // lower wins; -1 = none
    std::string_view key, text;
    ondemand::json_type type = ondemand::json_type::null;
  };

  // Adds member `index` of scan_ as field `name`, an expanded object as one field per member.
  Outcome Flatten(JsonReader& reader, NameTable& names, std::string_view name,
                  std::string_view raw_key, KeyRole role, size_t index, std::string* error);
  // Offers a timestamp/message candidate; the loser becomes an ordinary field.
  void Offer(NameTable& names, Candidate* slot, int priority, KeyRole role, std::string_view key,
             std::string_view text, ondemand::json_type type);
  // The best field for a role, by the priority `rank` gives (-1 = not a candidate).
  template <typename Rank>
  int FindRole(Rank rank) const;

  const StreamLabelConfig* config_;
  JsonObjectScan scan_;
  std::vector<Field> fields_;
};

}  // namespace vigil
