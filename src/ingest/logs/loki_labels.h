// The stream label string of Loki's protobuf push (StreamAdapter.labels), in Prometheus
// selector syntax: `{app="api", env="prod"}`.
//
// Accepted: whitespace around tokens, names [a-zA-Z_][a-zA-Z0-9_]*, values double-quoted with
// Go escapes (\a \b \f \n \r \t \v \\ \" \' \xHH \ooo \uHHHH \UHHHHHHHH) or backquoted (raw),
// a trailing comma, and `{}`. Refused with a message naming the offset: anything else,
// including matchers other than `=`, a metric name before `{`, unterminated strings, invalid
// escapes, and trailing text. Values are returned unescaped, in the order given (duplicate
// names and UTF-8 are checked when the stream is interned, see stream_labels.h).
//
// Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/labels.h"

namespace vigil {

absl::Status ParseLokiLabels(std::string_view text, std::vector<Label>* out);

}  // namespace vigil
