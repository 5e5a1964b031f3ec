// A small seeded pseudo-random generator (SplitMix64) for workload generation: the same seed
// gives the same sequence on every platform, which std::uniform_*_distribution does not
// promise.
//
// Thread-safety: a value type; one owner at a time.
#pragma once

#include <cmath>
#include <cstdint>

namespace vigil::bench {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // [0, n); n > 0. The modulo bias is irrelevant at the sizes used here.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Approximately standard normal (sum of four uniforms, rescaled): cheap and bounded.
  double Normal() {
    return (Uniform() + Uniform() + Uniform() + Uniform() - 2.0) * 1.7320508075688772;
  }

 private:
  uint64_t state_;
};

// Mixes two values into an independent seed (for per-series streams).
inline uint64_t MixSeed(uint64_t a, uint64_t b) {
  Rng r(a ^ (b * 0xd1b54a32d192ed03ULL));
  return r.Next();
}

}  // namespace vigil::bench
