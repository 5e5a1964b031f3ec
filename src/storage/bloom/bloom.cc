#include "storage/bloom/bloom.h"

#include <algorithm>

// Inlined: most keys are short tokens, for which a call into the shared library and its
// length dispatch cost as much as the hash. The results are the library's.
#define XXH_INLINE_ALL
#include "xxhash.h"

namespace vigil {
namespace {

constexpr size_t kBlockBytes = 64;
constexpr int kProbes = 7;

// The k bit positions inside a block come from the hash's low 32 bits by double hashing; the
// block is picked from the high 32 bits, so the two choices are independent.
template <typename Fn>
void ForEachBit(uint64_t hash, size_t blocks, Fn&& fn) {
  size_t block = static_cast<size_t>((hash >> 32) % blocks);
  uint32_t h1 = static_cast<uint32_t>(hash);
  uint32_t h2 = (h1 >> 17) | (h1 << 15);
  for (int i = 0; i < kProbes; ++i) {
    fn(block * kBlockBytes * 8 + (h1 % (kBlockBytes * 8)));
    h1 += h2;
  }
}

}  // namespace

BloomBuilder::BloomBuilder(size_t expected_keys, int bits_per_key) {
  size_t bits = std::max<size_t>(expected_keys * static_cast<size_t>(bits_per_key), kBlockBytes * 8);
  size_t blocks = (bits + kBlockBytes * 8 - 1) / (kBlockBytes * 8);
  bits_.assign(blocks * kBlockBytes, '\0');
}

void BloomBuilder::Add(uint64_t hash) {
  size_t blocks = bits_.size() / kBlockBytes;
  ForEachBit(hash, blocks, [&](size_t bit) { bits_[bit / 8] |= static_cast<char>(1u << (bit % 8)); });
}

bool BloomView::MayContain(uint64_t hash) const {
  size_t blocks = bits_.size() / kBlockBytes;
  if (blocks == 0) return true;
  bool all = true;
  ForEachBit(hash, blocks, [&](size_t bit) {
    all = all && (static_cast<uint8_t>(bits_[bit / 8]) >> (bit % 8)) & 1u;
  });
  return all;
}

uint64_t BloomHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

uint64_t BloomValueHash(uint64_t name_hash, std::string_view value) {
  // Seeded by the name's hash so "a=b" and "a=" + "b" collide only by chance.
  return XXH3_64bits_withSeed(value.data(), value.size(), name_hash);
}

uint64_t BloomFieldHash(std::string_view name, std::string_view value) {
  return BloomValueHash(BloomHash(name), value);
}

}  // namespace vigil
