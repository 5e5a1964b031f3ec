// Fuzzes dense chunk decoding with arbitrary bytes. Whatever decodes must agree with the
// header's sample count, must re-encode to a chunk that decodes to the same samples bit for
// bit, and must filter by time range to exactly the in-range samples. A read of part of the
// time range checks the whole chunk as well: it fails wherever the full read fails.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "storage/metrics/chunkenc/chunk.h"
#include "storage/metrics/chunkenc/dense_chunk.h"

using vigil::Sample;
using vigil::chunkenc::DecodeChunk;
using vigil::chunkenc::DecodeDenseChunk;
using vigil::chunkenc::DenseChunkEncoder;
using vigil::chunkenc::DenseChunkNumSamples;
using vigil::chunkenc::Encoding;

namespace {

bool Same(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  std::vector<Sample> got;
  if (!DecodeDenseChunk(in, &got).ok()) {
    if (!got.empty()) std::abort();  // nothing is appended on error
    std::vector<Sample> part;
    if (DecodeDenseChunk(in, &part, 0, INT64_MAX / 2).ok() || !part.empty()) std::abort();
    return 0;
  }
  auto n = DenseChunkNumSamples(in);
  if (!n.ok() || *n != got.size()) std::abort();

  DenseChunkEncoder enc;
  std::vector<uint8_t> again;
  if (!enc.Encode(got, &again).ok()) std::abort();
  std::vector<Sample> back;
  if (!DecodeChunk(Encoding::kDense, again, &back).ok() || !Same(got, back)) std::abort();

  if (!got.empty()) {
    const int64_t mint = got[got.size() / 2].t, maxt = got.back().t;
    std::vector<Sample> want, ranged;
    for (const Sample& s : got) {
      if (s.t >= mint && s.t <= maxt) want.push_back(s);
    }
    if (!DecodeDenseChunk(in, &ranged, mint, maxt).ok() || !Same(want, ranged)) std::abort();
  }
  return 0;
}
