#include "storage/metrics/block/block_id.h"

#include <random>

#include "common/time_util.h"

namespace vigil::block {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int DecodeChar(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

}  // namespace

std::string NewBlockId(int64_t ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t ts = static_cast<uint64_t>(ms) & ((uint64_t{1} << 48) - 1);
  uint64_t hi = rng() & ((uint64_t{1} << 16) - 1);  // 16 + 64 = 80 random bits
  uint64_t lo = rng();
  // 128 bits: ts(48) | hi(16) | lo(64); emitted as 26 chars of 5 bits (the first has 3).
  std::string out(kBlockIdLength, '0');
  for (int i = kBlockIdLength - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[lo & 31];
    lo = (lo >> 5) | (hi << 59);
    hi = (hi >> 5) | (ts << 11);
    ts >>= 5;
  }
  return out;
}

std::string NewBlockId() { return NewBlockId(NowMs()); }

bool IsValidBlockId(std::string_view id) {
  if (id.size() != kBlockIdLength || id[0] > '7') return false;
  for (char c : id) {
    if (DecodeChar(c) < 0) return false;
  }
  return true;
}

int64_t BlockIdTime(std::string_view id) {
  if (!IsValidBlockId(id)) return 0;
  // The first 10 characters hold 50 bits: 2 leading zero bits + the 48-bit timestamp.
  uint64_t v = 0;
  for (size_t i = 0; i < 10; ++i) v = (v << 5) | static_cast<uint64_t>(DecodeChar(id[i]));
  return static_cast<int64_t>(v & ((uint64_t{1} << 48) - 1));
}

}  // namespace vigil::block
