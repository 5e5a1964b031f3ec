// Fuzzes block opening and every read accessor with an arbitrary `index` file (checksums
// off, so mutations reach the structural checks) next to a valid meta.json and chunk file.
// Seeds are index files of small valid blocks with 3 series.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/metrics/block/block.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/block/block_writer.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

using namespace vigil;
using namespace vigil::block;

namespace {

std::string g_parent;
void RemoveHost() { std::filesystem::remove_all(g_parent); }

// A valid 3-series block to host the fuzzed index; its dir, created once per process.
std::string MakeHost() {
  std::string parent = (std::filesystem::temp_directory_path() /
                        ("vigil_block_fuzz_" + std::to_string(::getpid())))
                           .string();
  std::filesystem::remove_all(parent);
  std::filesystem::create_directories(parent);
  g_parent = parent;
  std::atexit(RemoveHost);
  std::vector<OwnedSeries> series;
  for (int i = 0; i < 3; ++i) {
    chunkenc::XorChunk c;
    for (int j = 0; j < 10; ++j) c.Append(j * 1000, i + j);
    series.push_back({Labels{{"__name__", "m"}, {"i", std::to_string(i)}},
                      {{0, 9000, {c.bytes().begin(), c.bytes().end()}}}});
  }
  VectorSeriesSource src(std::move(series));
  BlockMeta m;
  m.id = NewBlockId(1);
  auto meta = WriteBlock(parent, m, src, {.dense_chunks = false});  // as the seeds were made
  if (!meta.ok()) std::abort();
  return parent + "/" + meta->id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = MakeHost();
  {
    FILE* f = std::fopen((dir + "/index").c_str(), "wb");
    if (f == nullptr) std::abort();
    if (size > 0) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  BlockOpenOptions opts;
  opts.verify_checksums = false;
  auto b = Block::Open(dir, opts);
  if (!b.ok()) return 0;
  const Block& blk = **b;
  for (const auto& name : blk.LabelNames()) {
    for (const auto& value : blk.LabelValues(name)) {
      auto p = blk.Postings(name, value);
      if (p.ok()) {
        for (uint32_t id : *p) {
          if (id >= blk.NumSeries()) std::abort();
        }
      }
    }
  }
  Matchers ms;
  ms.push_back(*LabelMatcher::Make(MatchType::kRegexMatch, "i", "1|2"));
  ms.push_back(*LabelMatcher::Make(MatchType::kNotEqual, "__name__", "x"));
  (void)blk.PostingsForMatchers(ms);
  for (uint32_t id = 0; id < blk.NumSeries() + 1; ++id) {
    Labels l;
    std::vector<ChunkMeta> chunks;
    if (!blk.Series(id, &l, &chunks).ok()) continue;
    for (const auto& c : chunks) {
      auto chunk = blk.Chunk(c.ref);
      if (!chunk.ok()) continue;
      std::vector<Sample> samples;
      (void)chunkenc::DecodeChunk(*chunk, &samples);
    }
  }
  return 0;
}
