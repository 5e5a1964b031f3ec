// Block ids: ULIDs (48-bit millisecond timestamp + 80 random bits, 26 characters of Crockford
// base32), so ids sort by creation time as strings, as Prometheus' block ids do.
//
// Thread-safety: NewBlockId may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::block {

inline constexpr size_t kBlockIdLength = 26;

// A new id for a block created at `ms` (milliseconds since the epoch).
std::string NewBlockId(int64_t ms);
std::string NewBlockId();  // at the current time
// True for a well-formed ULID (26 Crockford base32 characters, upper case, first <= '7').
bool IsValidBlockId(std::string_view id);
// The millisecond timestamp of a valid id (0 for an invalid one).
int64_t BlockIdTime(std::string_view id);

}  // namespace vigil::block
