// MD5 (RFC 1321), for the `hashmod` relabel action only: Prometheus shards targets by an MD5
// of the joined source label values, and vigil must put each target in the same shard. MD5 is
// not used for anything security-related. (It is implemented here because no MD5 library is
// among vigil's dependencies.)
//
// Thread-safety: a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace vigil {

std::array<uint8_t, 16> Md5(std::string_view data);

}  // namespace vigil
