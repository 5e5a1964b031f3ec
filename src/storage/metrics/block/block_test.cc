#include "storage/metrics/block/block.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/metrics/block/block_dir.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/block/block_test_util.h"
#include "storage/metrics/block/block_writer.h"
#include "storage/metrics/block/format.h"

namespace vigil::block {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::MakeChunks;
using testing::Regular;
using testing::TempDir;

LabelMatcher M(MatchType t, std::string_view n, std::string_view v) {
  return *LabelMatcher::Make(t, n, v);
}

std::vector<Sample> ReadAll(const Block& b, uint32_t id) {
  std::vector<Sample> out;
  auto chunks = b.SeriesChunks(id);
  EXPECT_TRUE(chunks.ok()) << chunks.status();
  for (const auto& c : *chunks) {
    auto chunk = b.Chunk(c.ref);
    EXPECT_TRUE(chunk.ok()) << chunk.status();
    if (!chunk.ok()) continue;
    size_t before = out.size();
    EXPECT_TRUE(chunkenc::DecodeChunk(*chunk, &out).ok());
    if (out.size() > before) {
      EXPECT_EQ(out[before].t, c.mint);
      EXPECT_EQ(out.back().t, c.maxt);
    }
  }
  return out;
}

void ExpectSamples(const std::vector<Sample>& got, const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v), std::bit_cast<uint64_t>(want[i].v)) << i;
  }
}

// Three series of two jobs; written in unsorted order (the source sorts).
std::vector<OwnedSeries> SmallSet() {
  std::vector<OwnedSeries> s;
  s.push_back({Labels{{"__name__", "up"}, {"instance", "b:9100"}, {"job", "node"}},
               MakeChunks(Regular(1000, 15000, 300))});
  s.push_back({Labels{{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}},
               MakeChunks(Regular(0, 15000, 10))});
  s.push_back({Labels{{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "api"}},
               MakeChunks(Regular(500, 1000, 121, 7))});
  return s;
}

absl::StatusOr<BlockMeta> Write(const std::string& dir, std::vector<OwnedSeries> series,
                                BlockMeta meta = {}, const BlockWriteOptions& options = {}) {
  if (meta.id.empty()) meta.id = NewBlockId();
  VectorSeriesSource src(std::move(series));
  return WriteBlock(dir, meta, src, options);
}

constexpr BlockWriteOptions kAsGiven{.dense_chunks = false};

// The encodings of every chunk of a block.
std::vector<chunkenc::Encoding> Encodings(const Block& b) {
  std::vector<chunkenc::Encoding> out;
  for (uint32_t id = 0; id < b.NumSeries(); ++id) {
    const auto metas = *b.SeriesChunks(id);
    for (const auto& c : metas) out.push_back(b.Chunk(c.ref)->encoding);
  }
  return out;
}

TEST(Block, WriteReadRoundTrip) {
  TempDir tmp;
  auto meta = Write(tmp.path(), SmallSet());
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->stats.num_series, 3u);
  EXPECT_EQ(meta->stats.num_samples, 300u + 10 + 121);
  EXPECT_EQ(meta->stats.num_chunks, 3u);  // one dense chunk per series
  EXPECT_EQ(meta->min_time, 0);
  EXPECT_EQ(meta->max_time, 1000 + 299 * 15000 + 1);
  EXPECT_FALSE(fs::exists(tmp.path() + "/" + meta->id + ".tmp"));

  auto b = Block::Open(tmp.path() + "/" + meta->id);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->meta(), *meta);
  EXPECT_EQ((*b)->NumSeries(), 3u);
  EXPECT_THAT((*b)->LabelNames(), ElementsAre("__name__", "code", "instance", "job"));
  EXPECT_THAT((*b)->LabelValues("__name__"), ElementsAre("http_requests_total", "up"));
  EXPECT_THAT((*b)->LabelValues("instance"), ElementsAre("a:9100", "b:9100"));
  EXPECT_THAT((*b)->LabelValues("nope"), IsEmpty());
  EXPECT_THAT((*b)->LabelValues("200"), IsEmpty());  // a symbol, but not a name

  // Series ids follow label order.
  EXPECT_EQ((*b)->SeriesLabels(0)->ToString(),
            "http_requests_total{code=\"200\", job=\"api\"}");
  EXPECT_EQ((*b)->SeriesLabels(1)->Get("instance"), "a:9100");
  EXPECT_EQ((*b)->SeriesLabels(2)->Get("instance"), "b:9100");
  EXPECT_EQ((*b)->SeriesLabels(3).status().code(), absl::StatusCode::kNotFound);

  EXPECT_THAT(*(*b)->Postings("__name__", "up"), ElementsAre(1, 2));
  EXPECT_THAT(*(*b)->Postings("job", "api"), ElementsAre(0));
  EXPECT_THAT(*(*b)->Postings("job", "nope"), IsEmpty());
  EXPECT_THAT(*(*b)->Postings("nope", "api"), IsEmpty());
  EXPECT_THAT((*b)->AllPostings(), ElementsAre(0, 1, 2));

  ExpectSamples(ReadAll(**b, 0), Regular(500, 1000, 121, 7));
  ExpectSamples(ReadAll(**b, 1), Regular(0, 15000, 10));
  ExpectSamples(ReadAll(**b, 2), Regular(1000, 15000, 300));
  EXPECT_GT((*b)->SizeBytes(), 0u);
  EXPECT_THAT(Encodings(**b), ::testing::Each(chunkenc::Encoding::kDense));

  // The same id cannot be written twice.
  BlockMeta again;
  again.id = meta->id;
  EXPECT_EQ(Write(tmp.path(), SmallSet(), again).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(Block, PostingsForMatchers) {
  TempDir tmp;
  auto meta = Write(tmp.path(), SmallSet());
  ASSERT_TRUE(meta.ok());
  auto b = *Block::Open(tmp.path() + "/" + meta->id);
  auto sel = [&](Matchers ms) { return *b->PostingsForMatchers(ms); };
  EXPECT_THAT(sel({}), ElementsAre(0, 1, 2));
  EXPECT_THAT(sel({M(MatchType::kEqual, "__name__", "up")}), ElementsAre(1, 2));
  EXPECT_THAT(sel({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "instance", "b:9100")}),
              ElementsAre(2));
  EXPECT_THAT(sel({M(MatchType::kNotEqual, "instance", "b:9100")}), ElementsAre(0, 1));
  EXPECT_THAT(sel({M(MatchType::kEqual, "instance", "")}), ElementsAre(0));
  EXPECT_THAT(sel({M(MatchType::kNotEqual, "code", "")}), ElementsAre(0));
  EXPECT_THAT(sel({M(MatchType::kRegexMatch, "instance", "a.*|zzz")}), ElementsAre(1));
  EXPECT_THAT(sel({M(MatchType::kRegexMatch, "job", "node|api")}), ElementsAre(0, 1, 2));
  EXPECT_THAT(sel({M(MatchType::kRegexMatch, "instance", "a:9100|")}), ElementsAre(0, 1));
  EXPECT_THAT(sel({M(MatchType::kRegexNoMatch, "job", "no.*")}), ElementsAre(0));
  EXPECT_THAT(sel({M(MatchType::kEqual, "job", "missing")}), IsEmpty());
  EXPECT_THAT(sel({M(MatchType::kEqual, "missing", "x")}), IsEmpty());
  EXPECT_THAT(sel({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kRegexNoMatch, "instance", ".*")}),
              IsEmpty());
}

TEST(Block, ManySeries) {
  TempDir tmp;
  std::vector<OwnedSeries> series;
  std::mt19937_64 rng(7);
  const int kSeries = 3000;
  std::vector<std::vector<Sample>> want;
  for (int i = 0; i < kSeries; ++i) {
    Labels l{{"__name__", "m" + std::to_string(i % 7)},
             {"instance", "host-" + std::to_string(i)},
             {"job", i % 2 ? "odd" : "even"}};
    auto s = Regular(static_cast<int64_t>(rng() % 100000), 15000, 1 + rng() % 400, i);
    series.push_back({l, MakeChunks(s)});
  }
  auto copy = series;
  VectorSeriesSource sorted(std::move(copy));
  auto meta = Write(tmp.path(), std::move(series), {}, kAsGiven);
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto b = *Block::Open(tmp.path() + "/" + meta->id);
  ASSERT_EQ(b->NumSeries(), static_cast<uint32_t>(kSeries));
  Labels l;
  std::vector<ChunkData> chunks;
  uint64_t samples = 0;
  for (uint32_t id = 0; id < kSeries; ++id) {
    ASSERT_TRUE(*sorted.Next(&l, &chunks));
    EXPECT_EQ(*b->SeriesLabels(id), l);
    auto metas = *b->SeriesChunks(id);
    ASSERT_EQ(metas.size(), chunks.size());
    for (size_t c = 0; c < metas.size(); ++c) {
      EXPECT_EQ(metas[c].mint, chunks[c].mint);
      EXPECT_EQ(metas[c].maxt, chunks[c].maxt);
      auto chunk = *b->Chunk(metas[c].ref);
      EXPECT_EQ(chunk.encoding, chunkenc::Encoding::kXor);
      ASSERT_TRUE(std::equal(chunk.bytes.begin(), chunk.bytes.end(), chunks[c].bytes.begin(),
                             chunks[c].bytes.end()));
      samples += *chunkenc::ChunkNumSamples(chunk.encoding, chunk.bytes);
    }
  }
  EXPECT_EQ(samples, meta->stats.num_samples);
  EXPECT_EQ(b->Postings("job", "odd")->size(), kSeries / 2u);
  EXPECT_EQ(b->LabelValues("instance").size(), static_cast<size_t>(kSeries));
  auto m3 = *b->Postings("__name__", "m3");
  for (uint32_t id : m3) EXPECT_EQ(b->SeriesLabels(id)->MetricName(), "m3");
  EXPECT_EQ(m3.size(), static_cast<size_t>((kSeries + 3) / 7));
}

TEST(Block, EmptyBlock) {
  TempDir tmp;
  auto meta = Write(tmp.path(), {});
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->stats, BlockStats{});
  auto b = Block::Open(tmp.path() + "/" + meta->id);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->NumSeries(), 0u);
  EXPECT_THAT((*b)->LabelNames(), IsEmpty());
  EXPECT_THAT(*(*b)->PostingsForMatchers({}), IsEmpty());
  EXPECT_THAT(*(*b)->Postings("a", "b"), IsEmpty());

  // Series without chunks are skipped, giving an empty block too.
  std::vector<OwnedSeries> s = {{Labels{{"__name__", "x"}}, {}}};
  auto meta2 = Write(tmp.path(), s);
  ASSERT_TRUE(meta2.ok());
  EXPECT_EQ(meta2->stats.num_series, 0u);
}

TEST(Block, WriterRejectsBadInput) {
  TempDir tmp;
  BlockMeta bad;
  bad.id = "../escape";
  VectorSeriesSource src({});
  EXPECT_EQ(WriteBlock(tmp.path(), bad, src).status().code(), absl::StatusCode::kInvalidArgument);

  // Chunks out of order within a series.
  auto chunks = MakeChunks(Regular(0, 10, 240));
  std::swap(chunks[0], chunks[1]);
  auto r = Write(tmp.path(), {{Labels{{"a", "b"}}, chunks}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);

  // A source yielding series out of order.
  class Unsorted : public SeriesSource {
   public:
    absl::StatusOr<bool> Next(Labels* l, std::vector<ChunkData>* c) override {
      if (n_ == 2) return false;
      *l = n_++ == 0 ? Labels{{"a", "2"}} : Labels{{"a", "1"}};
      c->push_back({0, 0, bytes_.bytes()});
      return true;
    }
    int n_ = 0;
    chunkenc::XorChunk bytes_;
  } unsorted;
  unsorted.bytes_.Append(0, 1);
  BlockMeta m;
  m.id = NewBlockId();
  EXPECT_EQ(WriteBlock(tmp.path(), m, unsorted).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing was left behind.
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

// Writes SmallSet and returns the block dir.
std::string WriteSmall(const TempDir& tmp) {
  auto meta = Write(tmp.path(), SmallSet());
  EXPECT_TRUE(meta.ok());
  return tmp.path() + "/" + meta->id;
}

std::vector<uint8_t> ReadBytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void WriteBytes(const std::string& p, const std::vector<uint8_t>& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

TEST(Block, CorruptIndexIsAnError) {
  TempDir tmp;
  std::string dir = WriteSmall(tmp);
  std::vector<uint8_t> orig = ReadBytes(dir + "/index");
  ASSERT_TRUE(Block::Open(dir).ok());
  // Flipping any single byte of the index is detected at open.
  for (size_t i = 0; i < orig.size(); ++i) {
    auto b = orig;
    b[i] ^= 0x41;
    WriteBytes(dir + "/index", b);
    auto blk = Block::Open(dir);
    EXPECT_FALSE(blk.ok()) << "byte " << i;
    if (!blk.ok()) {
      EXPECT_EQ(blk.status().code(), absl::StatusCode::kDataLoss) << blk.status();
    }
  }
  // Every truncation is detected too.
  for (size_t n = 0; n < orig.size(); n += 7) {
    WriteBytes(dir + "/index", std::vector<uint8_t>(orig.begin(), orig.begin() + n));
    EXPECT_FALSE(Block::Open(dir).ok()) << "size " << n;
  }
  fs::remove(dir + "/index");
  EXPECT_EQ(Block::Open(dir).status().code(), absl::StatusCode::kNotFound);
}

TEST(Block, CorruptChunksAreErrors) {
  TempDir tmp;
  std::string dir = WriteSmall(tmp);
  std::string seg = dir + "/chunks/000001";
  std::vector<uint8_t> orig = ReadBytes(seg);
  // A flipped byte in a chunk record fails that chunk's read (or the header check at open).
  for (size_t i = 0; i < orig.size(); i += 3) {
    auto b = orig;
    b[i] ^= 0x10;
    WriteBytes(seg, b);
    auto blk = Block::Open(dir);
    if (!blk.ok()) {
      EXPECT_LT(i, kFileHeaderSize);
      continue;
    }
    int errors = 0;
    for (uint32_t id = 0; id < (*blk)->NumSeries(); ++id) {
      auto metas = (*blk)->SeriesChunks(id);
      ASSERT_TRUE(metas.ok());
      for (const auto& c : *metas) {
        if (!(*blk)->Chunk(c.ref).ok()) ++errors;
      }
    }
    EXPECT_GE(errors, 1) << "byte " << i;
  }
  // Truncated segment: the chunks past the cut fail, none crash.
  WriteBytes(seg, std::vector<uint8_t>(orig.begin(), orig.begin() + orig.size() / 2));
  auto blk = Block::Open(dir);
  ASSERT_TRUE(blk.ok());
  int errors = 0;
  for (uint32_t id = 0; id < 3; ++id) {
    auto metas = (*blk)->SeriesChunks(id);
    ASSERT_TRUE(metas.ok());
    for (const auto& c : *metas) errors += !(*blk)->Chunk(c.ref).ok();
  }
  EXPECT_GE(errors, 1);
  // Refs that point nowhere.
  EXPECT_FALSE((*blk)->Chunk(MakeChunkRef(0, 8)).ok());
  EXPECT_FALSE((*blk)->Chunk(MakeChunkRef(2, 8)).ok());
  EXPECT_FALSE((*blk)->Chunk(MakeChunkRef(1, 0)).ok());
  EXPECT_FALSE((*blk)->Chunk(MakeChunkRef(1, 0xffffffff)).ok());
  // A stray file in chunks/ is rejected.
  WriteBytes(dir + "/chunks/000003", orig);
  EXPECT_FALSE(Block::Open(dir).ok());
}

TEST(Block, CorruptMetaIsAnError) {
  TempDir tmp;
  std::string dir = WriteSmall(tmp);
  auto meta = ReadBytes(dir + "/meta.json");
  WriteBytes(dir + "/meta.json", std::vector<uint8_t>(meta.begin(), meta.begin() + 20));
  EXPECT_EQ(Block::Open(dir).status().code(), absl::StatusCode::kDataLoss);
  // A meta.json whose series count disagrees with the index.
  std::string s(meta.begin(), meta.end());
  s.replace(s.find("\"numSeries\":3"), 13, "\"numSeries\":4");
  WriteBytes(dir + "/meta.json", std::vector<uint8_t>(s.begin(), s.end()));
  EXPECT_EQ(Block::Open(dir).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Block::Open(tmp.path() + "/nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(BlockDir, ListDeleteAndCleanUp) {
  TempDir tmp;
  auto m1 = Write(tmp.path(), SmallSet(), BlockMeta{.id = NewBlockId(1000)});
  auto m2 = Write(tmp.path(), SmallSet(), BlockMeta{.id = NewBlockId(2000)});
  ASSERT_TRUE(m1.ok() && m2.ok());
  std::string stale = NewBlockId(3000);
  fs::create_directories(tmp.path() + "/" + stale + ".tmp/chunks");
  fs::create_directories(tmp.path() + "/" + NewBlockId(4000) + ".tmp-delete");
  fs::create_directories(tmp.path() + "/wal");
  EXPECT_THAT(*ListBlockIds(tmp.path()), ElementsAre(m1->id, m2->id));
  ASSERT_TRUE(RemoveStaleTmpDirs(tmp.path()).ok());
  EXPECT_FALSE(fs::exists(tmp.path() + "/" + stale + ".tmp"));
  EXPECT_TRUE(fs::exists(tmp.path() + "/wal"));
  ASSERT_TRUE(DeleteBlock(tmp.path(), m1->id).ok());
  EXPECT_THAT(*ListBlockIds(tmp.path()), ElementsAre(m2->id));
  EXPECT_FALSE(DeleteBlock(tmp.path(), m1->id).ok());
  EXPECT_FALSE(DeleteBlock(tmp.path(), "..").ok());
  EXPECT_THAT(*ListBlockIds(tmp.path() + "/missing"), IsEmpty());
}

}  // namespace
}  // namespace vigil::block
