// Per-thread state of the JSON stages (`json`, `unpack`): a simdjson on-demand parser and the
// padded copy of the line it needs, reused from line to line so parsing allocates only when
// a line is longer than any before it. On-demand parsing uses the kernel chosen at compile
// time (the portable one for a baseline x86-64 build; -march=x86-64-v3 selects the AVX2 one).
//
// Thread-safety: not thread-safe; owned by a LineState.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "simdjson.h"

namespace vigil::logql::pipeline {

// Lines longer than this are refused by the JSON stages (JSONParserErr) rather than making
// the parser allocate without bound.
inline constexpr size_t kMaxJsonLineBytes = size_t{64} << 20;
// Nesting deeper than this is a JSONParserErr; it bounds the flattening recursion.
inline constexpr int kMaxJsonDepth = 256;

class JsonScratch {
 public:
  JsonScratch() = default;

  // Copies `json` into the padded buffer and starts iterating it. Bytes that are not valid
  // UTF-8 become spaces first: simdjson rejects such documents outright, whereas Loki turns
  // each invalid sequence in a value into a space and keeps going.
  simdjson::error_code Iterate(std::string_view json, simdjson::ondemand::document* doc);
  // Iterates the last document again from the start. Used instead of document::rewind,
  // which is unsafe on a document whose iteration stopped at an error (a truncated line).
  simdjson::error_code Reiterate(simdjson::ondemand::document* doc);

  // Replaces each U+FFFD in `s` by a space, as Loki does to values (Prometheus rejects the
  // replacement character); returns `s` itself when there is none, else a view of `out`.
  static std::string_view ReplaceRuneErrors(std::string_view s, std::string* out);

  simdjson::ondemand::parser parser;
  std::string padded;
  size_t length = 0;            // of the document in `padded`
  std::string key;              // flattened key being built
  std::string value;            // value rewritten by ReplaceRuneErrors
  std::string arena;            // names and values kept across an object's iteration
  std::vector<size_t> offsets;  // into arena
};

// A message for `__error_details__` describing a simdjson failure.
std::string JsonErrorDetails(simdjson::error_code err);

}  // namespace vigil::logql::pipeline
