#include "ingest/exposition/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "common/strings.h"

namespace vigil {

bool ParseTimestampMs(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  std::string_view digits = s;
  if (digits[0] == '+') digits.remove_prefix(1);
  // from_chars accepts a leading '-'; a second sign after '+' must not slip through.
  if (!digits.empty() && digits[0] == '-' && s[0] == '+') return false;
  if (digits.empty()) return false;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return r.ec == std::errc() && r.ptr == digits.data() + digits.size();
}

bool ParseTimestampSeconds(std::string_view s, int64_t* out_ms) {
  double secs;
  if (!ParseGoFloat(s, &secs) || !std::isfinite(secs)) return false;
  double ms = secs * 1000.0;
  // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(ms > -kLimit && ms < kLimit)) return false;
  *out_ms = static_cast<int64_t>(ms);
  return true;
}

}  // namespace vigil
