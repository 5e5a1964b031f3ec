// The `json` parser stage.
//
//   | json                       every field becomes a label; nested objects are flattened
//                                with `_` (`{"a":{"b":1}}` gives a_b="1"); arrays and nulls
//                                are skipped; strings are unescaped, numbers kept as written,
//                                booleans are "true"/"false".
//   | json a="x.y[0]", b="z"     only the given paths, each into the named label; a missing
//                                path gives an empty label; an object or array value is kept
//                                as its JSON text. Paths use Loki's subset of JMESPath:
//                                `field`, `.field`, `[n]`, `["key with dots"]`.
// Key names are sanitized (line_state.h); a name the stream already has gets `_extracted`.
// A line that is not a JSON object (or, with paths, does not start like JSON) sets
// `__error__=JSONParserErr` and keeps the line. Parsing uses simdjson on demand.
//
// Thread-safety: immutable after construction; Process() may run concurrently on different
// LineStates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"

namespace vigil::logql::pipeline {

struct JsonExtraction {
  std::string label;  // the label to set, a valid label name
  std::string path;   // e.g. `servers[0].name`
};

// One step of a JSON path: an object key, or an array index when `index >= 0`.
struct JsonPathStep {
  std::string key;
  int64_t index = -1;
  friend bool operator==(const JsonPathStep&, const JsonPathStep&) = default;
};

// Parses Loki's JSON path syntax; the error names the offending character.
absl::StatusOr<std::vector<JsonPathStep>> ParseJsonPath(std::string_view expr);

class JsonParser {
 public:
  // `| json` without arguments.
  JsonParser() = default;
  // `| json label="path", ...`; fails on an invalid label name or path.
  static absl::StatusOr<JsonParser> WithExtractions(const std::vector<JsonExtraction>& list);

  bool Process(LineState& state) const;

 private:
  struct Extraction {
    std::string label;
    std::vector<JsonPathStep> path;
  };
  bool ProcessAll(LineState& state) const;
  bool ProcessExtractions(LineState& state) const;

  std::vector<Extraction> extractions_;
};

// The `unpack` parser stage: a JSON object whose string fields become labels, and whose
// `_entry` field (written by Promtail's `pack` stage) replaces the line. Without `_entry`
// the line and labels stay as they are. Non-string fields are ignored.
class UnpackParser {
 public:
  bool Process(LineState& state) const;
};

}  // namespace vigil::logql::pipeline
