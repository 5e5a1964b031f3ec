// A blocked Bloom filter over 64-bit hashes: every key sets k bits inside one 512-bit block
// chosen by its hash, so a lookup touches one cache line. Log segments keep them for body tokens
// and field=value pairs, trace segments for trace ids and attributes.
//
// The serialized form is the raw bit array (a multiple of 64 bytes); its size is the number of
// blocks. Built once, then read-only.
//
// Thread-safety: MayContain on a built filter may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

class BloomBuilder {
 public:
  // Sized for `expected_keys` at `bits_per_key` (10: ~1% false positives, 8: ~2%).
  explicit BloomBuilder(size_t expected_keys, int bits_per_key = 10);
  void Add(uint64_t hash);
  // The filter's bytes, to store and later open with BloomView.
  const std::string& bytes() const { return bits_; }

 private:
  std::string bits_;
};

class BloomView {
 public:
  BloomView() = default;  // an empty view contains everything (no filter stored)
  explicit BloomView(std::string_view bytes) : bits_(bytes) {}
  bool MayContain(uint64_t hash) const;

 private:
  std::string_view bits_;
};

uint64_t BloomHash(std::string_view key);
// Hash of "name=value" without building the string: the value's hash seeded by the name's.
uint64_t BloomFieldHash(std::string_view name, std::string_view value);
// The same in two steps, for a writer that meets one name many times: BloomFieldHash(n, v) ==
// BloomValueHash(BloomHash(n), v).
uint64_t BloomValueHash(uint64_t name_hash, std::string_view value);

// For sets of these hashes (deduplicating keys before sizing a filter): they are well mixed
// already, so a hash table can take them as they are.
struct BloomKeyHasher {
  size_t operator()(uint64_t h) const { return h; }
};

}  // namespace vigil
