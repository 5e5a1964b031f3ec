#include "ingest/common/utf8.h"

#include "simdjson.h"

namespace vigil {

bool IsUtf8Slow(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::string_view TruncateUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  // s[cut] starts the first character left out; back off while it is a continuation byte
  // (10xxxxxx), i.e. while the cut falls inside a character.
  while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

}  // namespace vigil
