// CRC32C (Castagnoli polynomial, reflected 0x82F63B78), the checksum of every WAL frame.
//
// CRC32C rather than CRC32 because x86-64 (SSE4.2) computes it in hardware; the portable
// slicing-by-8 path produces identical values on every other machine. Values follow the
// common convention (initial value and final XOR of 0xFFFFFFFF), so Crc32c("123456789") is
// 0xE3069283 and `Crc32cExtend(Crc32c(a), b) == Crc32c(a + b)`.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::wal {

// Continues a checksum `crc` (as returned by a previous call, 0 to start) over more bytes.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }
inline uint32_t Crc32c(std::string_view s) { return Crc32cExtend(0, s.data(), s.size()); }

namespace internal {
// The table-driven implementation, exposed so tests can compare it with the hardware path.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t n);
}  // namespace internal

}  // namespace vigil::wal
