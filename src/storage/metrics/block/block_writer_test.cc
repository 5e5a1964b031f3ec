// The writer's chunk re-encoding: dense by default, chunks as given on request, and blocks of
// both encodings read back the same samples.
#include "storage/metrics/block/block_writer.h"

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/metrics/block/block.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/block/block_test_util.h"

namespace vigil::block {
namespace {

using chunkenc::Encoding;
using testing::MakeChunks;
using testing::MakeDenseChunks;
using testing::Regular;
using testing::TempDir;

std::unique_ptr<Block> WriteAndOpen(const TempDir& tmp, std::vector<OwnedSeries> series,
                                    const BlockWriteOptions& options = {}) {
  BlockMeta m;
  m.id = NewBlockId();
  VectorSeriesSource src(std::move(series));
  auto meta = WriteBlock(tmp.path(), m, src, options);
  EXPECT_TRUE(meta.ok()) << meta.status();
  if (!meta.ok()) return nullptr;
  auto b = Block::Open(tmp.path() + "/" + meta->id);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(*b) : nullptr;
}

struct ChunkInfo {
  Encoding encoding;
  uint32_t samples;
  int64_t mint, maxt;
};

// Every chunk of series `id`, and its samples appended to *samples.
std::vector<ChunkInfo> Read(const Block& b, uint32_t id, std::vector<Sample>* samples) {
  std::vector<ChunkInfo> out;
  const auto metas = *b.SeriesChunks(id);
  for (const auto& c : metas) {
    auto chunk = b.Chunk(c.ref);
    EXPECT_TRUE(chunk.ok()) << chunk.status();
    if (!chunk.ok()) continue;
    size_t before = samples->size();
    EXPECT_TRUE(chunkenc::DecodeChunk(*chunk, samples).ok());
    for (size_t i = before; i < samples->size(); ++i) {
      EXPECT_GE((*samples)[i].t, c.mint);
      EXPECT_LE((*samples)[i].t, c.maxt);
    }
    out.push_back(
        {chunk->encoding, static_cast<uint32_t>(samples->size() - before), c.mint, c.maxt});
  }
  return out;
}

void ExpectSame(const std::vector<Sample>& got, const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v), std::bit_cast<uint64_t>(want[i].v)) << i;
  }
}

std::vector<Sample> Mixed(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> s;
  double v = 100;
  for (size_t i = 0; i < n; ++i) {
    v += static_cast<double>(rng() % 50);
    s.push_back({1'700'000'000'000 + static_cast<int64_t>(i) * 15000, v});
  }
  s[n / 3].v = -0.0;
  s[n / 2].v = std::numeric_limits<double>::infinity();
  s.back().v = StaleNaN();
  return s;
}

TEST(BlockWriter, ReencodesXorAsEvenDenseChunks) {
  TempDir tmp;
  auto s = Mixed(1000, 1);
  auto b = WriteAndOpen(tmp, {{Labels{{"__name__", "a"}}, MakeChunks(s)}});
  ASSERT_NE(b, nullptr);
  std::vector<Sample> got;
  auto chunks = Read(*b, 0, &got);
  ExpectSame(got, s);
  // 1000 samples at most 480 a chunk: three chunks of 334, 333 and 333.
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].samples, 334u);
  EXPECT_EQ(chunks[1].samples, 333u);
  EXPECT_EQ(chunks[2].samples, 333u);
  for (const auto& c : chunks) EXPECT_EQ(c.encoding, Encoding::kDense);
  EXPECT_EQ(chunks[0].mint, s[0].t);
  EXPECT_EQ(chunks[2].maxt, s.back().t);
  EXPECT_EQ(b->meta().stats.num_samples, 1000u);
  EXPECT_EQ(b->meta().stats.num_chunks, 3u);
}

TEST(BlockWriter, KeepsLargeDenseChunksAndMergesSmallOnes) {
  TempDir tmp;
  auto s = Mixed(1200, 2);
  // A dense chunk of 400 (kept byte for byte), then 120-sample XOR chunks and a dense chunk of
  // 80 (too small to keep) that merge into evenly split dense chunks.
  std::vector<Sample> first(s.begin(), s.begin() + 400), rest(s.begin() + 400, s.end() - 80),
      tail(s.end() - 80, s.end());
  std::vector<OwnedChunk> chunks = MakeDenseChunks(first);
  for (auto& c : MakeChunks(rest)) chunks.push_back(std::move(c));
  for (auto& c : MakeDenseChunks(tail)) chunks.push_back(std::move(c));
  const std::vector<uint8_t> kept = chunks[0].bytes;
  auto b = WriteAndOpen(tmp, {{Labels{{"__name__", "a"}}, chunks}});
  ASSERT_NE(b, nullptr);
  std::vector<Sample> got;
  auto info = Read(*b, 0, &got);
  ExpectSame(got, s);
  ASSERT_EQ(info.size(), 3u);  // 400, then 800 split in two
  EXPECT_EQ(info[0].samples, 400u);
  EXPECT_EQ(info[1].samples, 400u);
  EXPECT_EQ(info[2].samples, 400u);
  auto c0 = *b->Chunk(b->SeriesChunks(0)->at(0).ref);
  EXPECT_TRUE(std::equal(c0.bytes.begin(), c0.bytes.end(), kept.begin(), kept.end()));
}

TEST(BlockWriter, AsGivenAndDenseBlocksReadTheSame) {
  TempDir tmp;
  std::vector<OwnedSeries> series;
  std::vector<std::vector<Sample>> want;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50; ++i) {
    std::vector<Sample> s;
    int64_t t = static_cast<int64_t>(rng() % 100000);
    double v = static_cast<double>(rng() % 1000) / 100;
    for (size_t k = 0, n = 1 + rng() % 700; k < n; ++k) {
      t += 1 + static_cast<int64_t>(rng() % 30000);  // irregular
      v += i % 2 ? std::sin(static_cast<double>(k)) : static_cast<double>(rng() % 7) * 0.01;
      s.push_back({t, i % 5 == 0 ? -v : v});
    }
    series.push_back({Labels{{"__name__", "m"}, {"i", std::to_string(1000 + i)}}, MakeChunks(s)});
    want.push_back(s);
  }
  auto xor_block = WriteAndOpen(tmp, series, {.dense_chunks = false});
  auto dense_block = WriteAndOpen(tmp, series);
  ASSERT_NE(xor_block, nullptr);
  ASSERT_NE(dense_block, nullptr);
  uint64_t xor_bytes = 0, dense_bytes = 0;
  for (uint32_t id = 0; id < 50; ++id) {
    std::vector<Sample> a, d;
    for (const auto& c : Read(*xor_block, id, &a)) EXPECT_EQ(c.encoding, Encoding::kXor);
    for (const auto& c : Read(*dense_block, id, &d)) EXPECT_EQ(c.encoding, Encoding::kDense);
    ExpectSame(a, want[id]);
    ExpectSame(d, want[id]);
    const auto xor_metas = *xor_block->SeriesChunks(id);
    const auto dense_metas = *dense_block->SeriesChunks(id);
    for (const auto& c : xor_metas) xor_bytes += xor_block->Chunk(c.ref)->bytes.size();
    for (const auto& c : dense_metas) dense_bytes += dense_block->Chunk(c.ref)->bytes.size();
  }
  EXPECT_EQ(xor_block->meta().stats.num_samples, dense_block->meta().stats.num_samples);
  EXPECT_LT(dense_bytes, xor_bytes);
}

TEST(BlockWriter, RejectsBadOptionsAndCorruptChunks) {
  TempDir tmp;
  BlockMeta m;
  m.id = NewBlockId();
  VectorSeriesSource none({});
  EXPECT_EQ(WriteBlock(tmp.path(), m, none, {.max_samples_per_chunk = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteBlock(tmp.path(), m, none, {.max_samples_per_chunk = 70000}).status().code(),
            absl::StatusCode::kInvalidArgument);

  // A chunk that does not decode cannot be re-encoded.
  auto chunks = MakeChunks(Regular(0, 10, 50));
  chunks[0].bytes.resize(chunks[0].bytes.size() / 2);
  VectorSeriesSource bad({{Labels{{"a", "b"}}, chunks}});
  EXPECT_EQ(WriteBlock(tmp.path(), m, bad).status().code(), absl::StatusCode::kDataLoss);
  // An encoding this build does not know.
  auto unknown = MakeChunks(Regular(0, 10, 50));
  unknown[0].encoding = static_cast<Encoding>(7);
  VectorSeriesSource odd({{Labels{{"a", "b"}}, unknown}});
  EXPECT_EQ(WriteBlock(tmp.path(), m, odd, {.dense_chunks = false}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));

  // Empty chunks vanish; a series of only empty chunks is skipped.
  chunkenc::XorChunk empty;
  std::vector<OwnedSeries> s = {
      {Labels{{"a", "1"}}, {{0, 0, {empty.bytes().begin(), empty.bytes().end()}}}},
      {Labels{{"a", "2"}}, MakeChunks(Regular(0, 10, 5))}};
  auto b = WriteAndOpen(tmp, s);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->NumSeries(), 1u);
  EXPECT_EQ(b->SeriesLabels(0)->Get("a"), "2");
}

TEST(BlockWriter, CustomChunkSize) {
  TempDir tmp;
  auto s = Regular(0, 1000, 250, 3);
  auto b = WriteAndOpen(tmp, {{Labels{{"__name__", "a"}}, MakeChunks(s)}},
                        {.max_samples_per_chunk = 100});
  ASSERT_NE(b, nullptr);
  std::vector<Sample> got;
  auto info = Read(*b, 0, &got);
  ExpectSame(got, s);
  ASSERT_EQ(info.size(), 3u);  // 84, 83, 83
  EXPECT_EQ(info[0].samples, 84u);
  EXPECT_EQ(info[2].samples, 83u);
}

}  // namespace
}  // namespace vigil::block
