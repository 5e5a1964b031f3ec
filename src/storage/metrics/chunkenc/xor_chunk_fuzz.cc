// Fuzzes XOR chunk decoding with arbitrary bytes. Whatever decodes must re-encode to a chunk
// that decodes to the same samples bit for bit, and must be resumable with FromBytes.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "storage/metrics/chunkenc/xor_chunk.h"

using vigil::chunkenc::XorChunk;
using vigil::chunkenc::XorIterator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  XorIterator it(in);
  std::vector<std::pair<int64_t, uint64_t>> got;
  while (it.Next()) got.emplace_back(it.t(), it.v_bits());
  if (got.size() > it.NumSamples()) std::abort();
  if (!it.status().ok()) {
    if (XorChunk::FromBytes(in).ok()) std::abort();
    return 0;
  }
  XorChunk c;
  for (auto [t, v] : got) c.Append(t, std::bit_cast<double>(v));
  XorIterator again(c.bytes());
  size_t i = 0;
  while (again.Next()) {
    if (i >= got.size() || again.t() != got[i].first || again.v_bits() != got[i].second) {
      std::abort();
    }
    ++i;
  }
  if (!again.status().ok() || i != got.size()) std::abort();

  auto resumed = XorChunk::FromBytes(in);
  if (!resumed.ok() || resumed->NumSamples() != got.size()) std::abort();
  int64_t t = got.empty() ? 0 : got.back().first;
  int64_t next = static_cast<int64_t>(static_cast<uint64_t>(t) + 15000);  // wraps, like the chunk
  resumed->Append(next, 1.0);
  XorIterator last(resumed->bytes());
  size_t n = 0;
  while (last.Next()) ++n;
  if (!last.status().ok() || n != got.size() + 1 || last.t() != next) std::abort();
  return 0;
}
