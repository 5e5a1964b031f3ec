// One pass over a JSON object that checks its syntax and lists its members, for decoders that
// read every member of a small object once (a JSON log line, an Elasticsearch document).
//
// simdjson's on-demand parser needs a separate syntax pass before it may see hostile input
// (json_syntax.h) and then a structural pass of its own, and the values it hands out have to
// be scanned again to map them back to the body. For a 300-byte log line those three passes
// cost more than the rest of the entry's decoding; this scanner is the syntax pass and yields
// the members on the way, as views of the text it was given.
//
// The grammar checked is json_syntax.h's (RFC 8259; raw control characters in strings
// tolerated; UTF-8 not checked: JsonBody does that, and a byte >= 0x80 outside a string is a
// syntax error). Errors are worded as CheckJsonSyntax words them, at the same byte offsets.
//
// Members are listed in document order. A member whose value is an object nested fewer than
// `expand_depth` levels deep is followed by its own members (depth + 1), and `descendants`
// says how many entries follow it that belong to it; deeper objects and all arrays are one
// member whose value is their raw JSON text.
//
// Thread-safety: JsonObjectScan is per-decoder scratch; UnescapeJsonString is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simdjson.h"

namespace vigil {

struct JsonMember {
  std::string_view key;    // between the quotes, escapes not resolved
  std::string_view value;  // strings: between the quotes, escapes not resolved; numbers and
                           // literals: the token; objects and arrays: their raw JSON text
  simdjson::ondemand::json_type type;
  uint32_t depth;        // 0 for the object's own members
  uint32_t descendants;  // entries after this one that are nested in its value
  bool key_escaped;
  bool value_escaped;
};

class JsonObjectScan {
 public:
  enum class Result {
    kOk,         // members() lists the object
    kNotObject,  // well-formed JSON, but not an object: type() says what it is
    kMalformed,  // *error says what was expected where ("expected ':' at byte 12")
  };

  // Scans `text` (whitespace around the value allowed), which must stay alive while members()
  // is read.
  Result Scan(std::string_view text, uint32_t expand_depth, std::string* error);

  const std::vector<JsonMember>& members() const { return members_; }
  simdjson::ondemand::json_type type() const { return type_; }

 private:
  std::vector<JsonMember> members_;
  std::vector<uint32_t> open_;  // members_ index of each expanded object being scanned
  simdjson::ondemand::json_type type_ = simdjson::ondemand::json_type::null;
};

// Resolves the escapes of a JSON string's raw bytes (between the quotes, syntax already
// checked) into *out, appending. False for a \u escape that is an unpaired UTF-16 surrogate.
bool UnescapeJsonString(std::string_view raw, std::string* out);

}  // namespace vigil
