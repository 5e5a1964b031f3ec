// A strict, allocation-light check that a text is one JSON value (RFC 8259 grammar: balanced
// containers, keys and values where they belong, valid escapes, numbers and literals), run
// before simdjson's on-demand iteration. On-demand parsing only validates what it visits and
// assumes well-formed structure in places (skipping children, unordered field lookup), so
// hostile input must not reach it unchecked.
//
// Not checked here: UTF-8 (JsonBody handles it) and the validity of \u surrogate pairs (the
// unescaping reports those per value). Raw control characters inside strings are tolerated,
// as sloppy emitters write tabs.
//
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

// Containers nested deeper than this are refused (simdjson's default maximum).
inline constexpr size_t kMaxJsonDepth = 1024;

// True when `text` (surrounding whitespace allowed) is exactly one JSON value; otherwise
// false with *error saying what was expected where ("expected ',' or '}' at byte 17").
bool CheckJsonSyntax(std::string_view text, std::string* error);

// Building blocks for scanners that walk JSON themselves (json_object_scan.h). Each reads from
// `pos` of the whole `text` and returns the position just after what it read, or npos with
// *error worded as above ("... at byte N", N counted from the start of `text`).
//
// A string's contents: `pos` is just after the opening quote; returns the position of the
// closing quote. *escaped is set when the string holds a backslash escape.
size_t ScanJsonString(std::string_view text, size_t pos, bool* escaped, std::string* error);
// A number: `pos` at its first character.
size_t ScanJsonNumber(std::string_view text, size_t pos, std::string* error);
// `true`, `false` or `null`: `pos` at its first character.
size_t ScanJsonLiteral(std::string_view text, size_t pos, std::string* error);
// Past any JSON whitespace from `pos` (never fails).
// Inline: called between every two tokens, and compact JSON has no space to skip.
inline size_t SkipJsonSpace(std::string_view text, size_t pos) {
  while (pos < text.size() &&
         (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
    ++pos;
  }
  return pos;
}
// Sets *error to "<what> at byte <at>" and returns npos, for scanners' own errors.
size_t JsonSyntaxError(size_t at, std::string_view what, std::string* error);
// Any value, `pos` at its first character, itself nested in `depth` containers.
size_t SkipJsonValue(std::string_view text, size_t pos, size_t depth, std::string* error);

// True when `s` is exactly a JSON number token (`-1.5e3`; no `+`, no leading `.`).
bool IsJsonNumber(std::string_view s);

}  // namespace vigil
