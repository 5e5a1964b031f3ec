// Test helpers shared by the block tests: a temporary directory and in-memory series.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/metrics/block/block_writer.h"
#include "storage/metrics/chunkenc/dense_chunk.h"
#include "storage/metrics/chunkenc/xor_chunk.h"
#include "storage/sample.h"

namespace vigil::block::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("vigil_block_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++)))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Splits samples into XOR chunks of at most `per_chunk` samples.
inline std::vector<OwnedChunk> MakeChunks(const std::vector<Sample>& samples,
                                          size_t per_chunk = 120) {
  std::vector<OwnedChunk> out;
  for (size_t i = 0; i < samples.size(); i += per_chunk) {
    chunkenc::XorChunk c;
    size_t end = std::min(samples.size(), i + per_chunk);
    for (size_t j = i; j < end; ++j) c.Append(samples[j].t, samples[j].v);
    out.push_back({samples[i].t, samples[end - 1].t, {c.bytes().begin(), c.bytes().end()}});
  }
  return out;
}

// Splits samples into dense chunks of at most `per_chunk` samples.
inline std::vector<OwnedChunk> MakeDenseChunks(const std::vector<Sample>& samples,
                                               size_t per_chunk = 480) {
  std::vector<OwnedChunk> out;
  chunkenc::DenseChunkEncoder enc;
  for (size_t i = 0; i < samples.size(); i += per_chunk) {
    size_t end = std::min(samples.size(), i + per_chunk);
    OwnedChunk c{samples[i].t, samples[end - 1].t, {}, chunkenc::Encoding::kDense};
    (void)enc.Encode(std::span(samples).subspan(i, end - i), &c.bytes);
    out.push_back(std::move(c));
  }
  return out;
}

inline std::vector<Sample> Regular(int64_t start, int64_t step, size_t n, double v0 = 0) {
  std::vector<Sample> s;
  for (size_t i = 0; i < n; ++i) s.push_back({start + static_cast<int64_t>(i) * step, v0 + i});
  return s;
}

}  // namespace vigil::block::testing
