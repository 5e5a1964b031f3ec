// simdjson on-demand plumbing shared by the JSON decoders (Loki push JSON, JSON lines,
// Elasticsearch bulk, OTLP/JSON, Zipkin).
//
// JsonBody prepares a request body for the parser: simdjson needs padding after the input, so
// the body is copied once into a reusable padded buffer. simdjson refuses a whole document on
// one invalid UTF-8 byte, but a bad byte in one log line must only refuse that entry: so every
// byte of an invalid UTF-8 sequence is replaced (with '?') in the copy and remembered. A value
// read through JsonReader is mapped back to the original body (views stay valid as long as the
// body, which outlives the batch) and refused as invalid UTF-8 when it covers a replaced byte;
// a replaced byte outside any string makes the JSON malformed, as it was.
//
// JsonReader reads values as the decoders need them: strings unescaped without copying unless
// they contain escapes (then unescaped once into the arena), numbers and literals as
// their JSON text, arrays and objects as their raw JSON text. A kMalformed result means the
// document can no longer be iterated (syntax error): the caller abandons the document.
//
// Thread-safety: per-decoder objects, one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "simdjson.h"
#include "common/string_arena.h"
#include "ingest/json/json_object_scan.h"

namespace vigil {

namespace ondemand = simdjson::ondemand;

class JsonBody {
 public:
  // More broken UTF-8 sequences than this make the body garbage: one error for the request.
  static constexpr size_t kMaxInvalidUtf8Runs = 10000;

  // `padded` = false skips the padded copy, for bodies that are only read through
  // JsonObjectScan (Iterate and ToBody are then unusable).
  absl::Status Reset(std::string_view body, bool padded = true);

  std::string_view body() const { return body_; }
  // Checks that body()[offset, offset + len) is one well-formed JSON value (json_syntax.h)
  // and starts on-demand iteration over it. False with *error ("malformed JSON: expected ':'
  // at byte 12") when it is not.
  bool Iterate(ondemand::parser& parser, size_t offset, size_t len, ondemand::document* doc,
               std::string* error) const;
  // Maps a view of the padded copy (what simdjson hands out) to the same bytes of the body.
  std::string_view ToBody(std::string_view padded_view) const {
    return body_.substr(static_cast<size_t>(padded_view.data() - padded_.data()),
                        padded_view.size());
  }
  size_t OffsetOf(const char* padded_ptr) const {
    return static_cast<size_t>(padded_ptr - padded_.data());
  }
  const char* padded_end() const { return padded_.data() + padded_.size(); }
  // True when the bytes of `padded_view` include one that was invalid UTF-8 in the body.
  bool HasInvalidUtf8(std::string_view padded_view) const;
  // The same for a view of the body itself.
  bool BodyHasInvalidUtf8(std::string_view body_view) const {
    if (invalid_.empty()) return false;
    size_t begin = static_cast<size_t>(body_view.data() - body_.data());
    return RangeHasInvalidUtf8(begin, begin + body_view.size());
  }

 private:
  bool RangeHasInvalidUtf8(size_t begin, size_t end) const;

  std::string_view body_;
  std::string padded_;
  std::vector<std::pair<size_t, size_t>> invalid_;  // sorted, disjoint [begin, end)
};

enum class JsonRead {
  kOk,
  kWrongType,      // the value is not of the type asked for
  kInvalidUtf8,    // covers a byte that is not valid UTF-8
  kInvalidEscape,  // a string escape simdjson rejects (bad \u, lone surrogate)
  kInvalidValue,   // a number or literal that is not valid JSON, an integer out of range
  kMalformed,      // syntax error: stop iterating this document
};

// "string", "number", "object", ... for messages.
std::string_view JsonTypeName(ondemand::json_type t);

class JsonReader {
 public:
  void Reset(const JsonBody* body, StringArena* arena) {
    body_ = body;
    arena_ = arena;
    error_ = simdjson::SUCCESS;
  }

  JsonRead Type(ondemand::value& v, ondemand::json_type* type);
  // A string value, unescaped (kWrongType for other types).
  JsonRead String(ondemand::value& v, std::string_view* out);
  // An object key, unescaped.
  JsonRead Key(ondemand::field& f, std::string_view* out);
  // Any value as text: strings unescaped; numbers, true and false as written; arrays and
  // objects as their raw JSON; null as "" with *type null.
  JsonRead Text(ondemand::value& v, ondemand::json_type* type, std::string_view* out);
  // An integer from a JSON number or a decimal string (protobuf JSON's int64 / fixed64).
  JsonRead Uint64(ondemand::value& v, uint64_t* out);
  JsonRead Int64(ondemand::value& v, int64_t* out);
  // A double from a JSON number, or the strings "NaN", "Infinity", "-Infinity", or a decimal.
  JsonRead Double(ondemand::value& v, double* out);
  JsonRead Bool(ondemand::value& v, bool* out);

  // The same for a member listed by JsonObjectScan over a view of the body: its key
  // unescaped, its value as Text() gives it. Syntax is already checked, so the results are
  // kOk, kInvalidUtf8 or kInvalidEscape.
  JsonRead MemberKey(const JsonMember& m, std::string_view* out);
  JsonRead MemberText(const JsonMember& m, std::string_view* out);

  // Records a simdjson error seen while iterating (returns kMalformed).
  JsonRead Fail(simdjson::error_code e) {
    error_ = e;
    return JsonRead::kMalformed;
  }
  // Message for the last kMalformed: simdjson's description.
  std::string MalformedMessage() const;
  // The type of the value last inspected (for kWrongType messages).
  ondemand::json_type last_type() const { return last_type_; }

  const JsonBody& body() const { return *body_; }
  StringArena* arena() const { return arena_; }

 private:
  JsonRead ScanRaw(const char* p, std::string_view* raw, bool* escaped);
  JsonRead RawString(std::string_view raw, bool escaped, std::string_view* out);
  // The scalar token of `v` without trailing whitespace.
  static std::string_view Token(ondemand::value& v);

  const JsonBody* body_ = nullptr;
  StringArena* arena_ = nullptr;
  simdjson::error_code error_ = simdjson::SUCCESS;
  ondemand::json_type last_type_ = ondemand::json_type::null;
  std::string unescape_scratch_;
};

// Generic messages for a failed read of `what` ("line", "label \"app\"", ...).
std::string JsonReadMessage(JsonRead r, std::string_view what, std::string_view expected,
                            ondemand::json_type got);

}  // namespace vigil
