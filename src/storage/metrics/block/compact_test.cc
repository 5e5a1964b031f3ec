#include "storage/metrics/block/compact.h"

#include <bit>
#include <map>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/block/block_test_util.h"

namespace vigil::block {
namespace {

using testing::MakeChunks;
using testing::Regular;
using testing::TempDir;

LabelMatcher M(MatchType t, std::string_view n, std::string_view v) {
  return *LabelMatcher::Make(t, n, v);
}

std::unique_ptr<Block> WriteAndOpen(const std::string& dir, std::vector<OwnedSeries> series,
                                    int64_t ms_for_id, const BlockWriteOptions& options = {}) {
  BlockMeta m;
  m.id = NewBlockId(ms_for_id);
  VectorSeriesSource src(std::move(series));
  auto meta = WriteBlock(dir, m, src, options);
  EXPECT_TRUE(meta.ok()) << meta.status();
  auto b = Block::Open(dir + "/" + meta->id);
  EXPECT_TRUE(b.ok()) << b.status();
  return std::move(*b);
}

// Every series of a block with its decoded samples, checking chunk invariants on the way.
std::map<std::string, std::vector<Sample>> Dump(const Block& b) {
  std::map<std::string, std::vector<Sample>> out;
  for (uint32_t id = 0; id < b.NumSeries(); ++id) {
    auto& s = out[b.SeriesLabels(id)->ToString()];
    auto metas = b.SeriesChunks(id);
    EXPECT_TRUE(metas.ok());
    if (!metas.ok()) continue;
    for (const auto& c : *metas) {
      auto chunk = b.Chunk(c.ref);
      EXPECT_TRUE(chunk.ok()) << chunk.status();
      if (!chunk.ok()) continue;
      std::vector<Sample> got;
      EXPECT_TRUE(chunkenc::DecodeChunk(*chunk, &got).ok());
      EXPECT_LE(got.size(), chunk->encoding == chunkenc::Encoding::kXor ? kMaxSamplesPerChunk
                                                                        : kDenseSamplesPerChunk);
      EXPECT_FALSE(got.empty());
      if (got.empty()) continue;
      EXPECT_EQ(got.front().t, c.mint);
      EXPECT_EQ(got.back().t, c.maxt);
      for (const Sample& x : got) {
        if (!s.empty()) {
          EXPECT_LT(s.back().t, x.t) << "not strictly ascending";
        }
        s.push_back(x);
      }
    }
  }
  return out;
}

TEST(Compact, DisjointBlocksCopyChunks) {
  TempDir tmp;
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}};
  auto b1 = WriteAndOpen(tmp.path(), {{a, MakeChunks(Regular(0, 10, 240))}}, 1);
  auto b2 = WriteAndOpen(tmp.path(),
                         {{a, MakeChunks(Regular(5000, 10, 100))}, {b, MakeChunks(Regular(0, 1, 5))}},
                         2);
  const Block* in[] = {b1.get(), b2.get()};
  auto meta = CompactBlocks(in, tmp.path());
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->compaction_level, 2);
  EXPECT_EQ(meta->stats.num_series, 2u);
  // a: b1's dense chunk of 240 is kept, b2's 100 samples are too few to keep and are
  // re-encoded on their own; b: 5 samples.
  EXPECT_EQ(meta->stats.num_chunks, 3u);
  EXPECT_EQ(meta->stats.num_samples, 240u + 100 + 5);
  EXPECT_EQ(meta->min_time, 0);
  EXPECT_EQ(meta->max_time, b2->meta().max_time);
  EXPECT_THAT(meta->parents, ::testing::ElementsAre(b1->meta().id, b2->meta().id));
  EXPECT_THAT(meta->sources, ::testing::ElementsAre(b1->meta().id, b2->meta().id));

  auto out = Block::Open(tmp.path() + "/" + meta->id);
  ASSERT_TRUE(out.ok()) << out.status();
  auto d = Dump(**out);
  auto want_a = Regular(0, 10, 240);
  auto more = Regular(5000, 10, 100);
  want_a.insert(want_a.end(), more.begin(), more.end());
  ASSERT_EQ(d["a"].size(), want_a.size());
  for (size_t i = 0; i < want_a.size(); ++i) EXPECT_EQ(d["a"][i].t, want_a[i].t);
  EXPECT_EQ(d["b"].size(), 5u);
  // A kept chunk is byte-identical.
  auto orig = b1->Chunk(b1->SeriesChunks(0)->at(0).ref)->bytes;
  auto copy = (*out)->Chunk((*out)->SeriesChunks(0)->at(0).ref)->bytes;
  EXPECT_TRUE(std::equal(orig.begin(), orig.end(), copy.begin(), copy.end()));

  // A second round keeps the lineage: level 3, the same level-1 sources.
  const Block* again[] = {out->get()};
  auto meta2 = CompactBlocks(again, tmp.path());
  ASSERT_TRUE(meta2.ok());
  EXPECT_EQ(meta2->compaction_level, 3);
  EXPECT_EQ(meta2->sources, meta->sources);
}

TEST(Compact, OverlappingBlocksMergeAndDedupe) {
  TempDir tmp;
  Labels a{{"__name__", "a"}, {"job", "x"}};
  // Block 1: t = 0, 10, …, 2990 with v = t. Block 2: t = 1500, 1505, …, 4495 with v = -t.
  // Equal timestamps (multiples of 10 in [1500, 2990]) must take block 2's value.
  std::vector<Sample> s1, s2;
  for (int64_t t = 0; t < 3000; t += 10) s1.push_back({t, static_cast<double>(t)});
  for (int64_t t = 1500; t < 4500; t += 5) s2.push_back({t, -static_cast<double>(t)});
  auto b1 = WriteAndOpen(tmp.path(), {{a, MakeChunks(s1, 100)}}, 1);
  auto b2 = WriteAndOpen(tmp.path(), {{a, MakeChunks(s2, 100)}}, 2);
  const Block* in[] = {b1.get(), b2.get()};
  auto meta = CompactBlocks(in, tmp.path());
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto out = Block::Open(tmp.path() + "/" + meta->id);
  ASSERT_TRUE(out.ok());
  auto got = Dump(**out)["a{job=\"x\"}"];

  std::map<int64_t, double> want;
  for (auto s : s1) want[s.t] = s.v;
  for (auto s : s2) want[s.t] = s.v;
  ASSERT_EQ(got.size(), want.size());
  size_t i = 0;
  for (auto [t, v] : want) {
    EXPECT_EQ(got[i].t, t);
    EXPECT_EQ(got[i].v, v) << "t=" << t;
    ++i;
  }
  EXPECT_EQ(meta->stats.num_samples, want.size());

  // The other input order lets block 1 win instead.
  const Block* rev[] = {b2.get(), b1.get()};
  auto meta2 = CompactBlocks(rev, tmp.path());
  ASSERT_TRUE(meta2.ok());
  auto got2 = Dump(**Block::Open(tmp.path() + "/" + meta2->id))["a{job=\"x\"}"];
  for (const auto& s : got2) {
    if (s.t >= 1500 && s.t < 3000 && s.t % 10 == 0) {
      EXPECT_EQ(s.v, static_cast<double>(s.t));
    }
  }
}

TEST(Compact, RandomOverlapsMatchAReferenceMerge) {
  TempDir tmp;
  std::mt19937_64 rng(11);
  std::vector<std::unique_ptr<Block>> blocks;
  std::map<std::string, std::map<int64_t, double>> want;
  for (int bi = 0; bi < 4; ++bi) {
    std::vector<OwnedSeries> series;
    for (int si = 0; si < 20; ++si) {
      if (rng() % 3 == 0) continue;
      Labels l{{"__name__", "m"}, {"i", std::to_string(si)}};
      std::vector<Sample> s;
      int64_t t = static_cast<int64_t>(rng() % 1000);
      size_t n = 1 + rng() % 500;
      for (size_t k = 0; k < n; ++k) {
        t += 1 + static_cast<int64_t>(rng() % 20);
        s.push_back({t, static_cast<double>(bi * 100000 + k)});
        want[l.ToString()][t] = s.back().v;
      }
      series.push_back({l, MakeChunks(s, 1 + rng() % 150)});
    }
    blocks.push_back(WriteAndOpen(tmp.path(), std::move(series), bi + 1));
  }
  std::vector<const Block*> in;
  for (auto& b : blocks) in.push_back(b.get());
  auto meta = CompactBlocks(in, tmp.path());
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto d = Dump(**Block::Open(tmp.path() + "/" + meta->id));
  ASSERT_EQ(d.size(), want.size());
  for (const auto& [name, samples] : want) {
    const auto& got = d[name];
    ASSERT_EQ(got.size(), samples.size()) << name;
    size_t i = 0;
    for (auto [t, v] : samples) {
      EXPECT_EQ(got[i].t, t);
      EXPECT_EQ(got[i].v, v);
      ++i;
    }
  }
}

TEST(Compact, DeletionDuringCompaction) {
  TempDir tmp;
  Labels a{{"__name__", "up"}, {"job", "a"}}, b{{"__name__", "up"}, {"job", "b"}},
      c{{"__name__", "other"}, {"job", "a"}};
  auto b1 = WriteAndOpen(tmp.path(),
                         {{a, MakeChunks(Regular(0, 10, 1000))},
                          {b, MakeChunks(Regular(0, 10, 1000))},
                          {c, MakeChunks(Regular(0, 10, 1000))}},
                         1);
  CompactOptions opts;
  // Drop all of {job="b"}; drop t in [2000, 4995] of up{job="a"}.
  opts.deletions.push_back({{M(MatchType::kEqual, "job", "b")}});
  opts.deletions.push_back({{M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "job", "a")},
                            2000,
                            4995});
  const Block* in[] = {b1.get()};
  auto meta = CompactBlocks(in, tmp.path(), opts);
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->stats.num_series, 2u);
  auto out = *Block::Open(tmp.path() + "/" + meta->id);
  auto d = Dump(*out);
  EXPECT_EQ(d.count("up{job=\"b\"}"), 0u);
  EXPECT_EQ(d["other{job=\"a\"}"].size(), 1000u);
  const auto& up = d["up{job=\"a\"}"];
  EXPECT_EQ(up.size(), 1000u - 300);
  for (const auto& s : up) EXPECT_TRUE(s.t < 2000 || s.t > 4995) << s.t;
  EXPECT_EQ(out->LabelValues("job"), std::vector<std::string>{"a"});
  // The untouched series kept its chunks as they were.
  EXPECT_EQ(out->SeriesChunks(0)->size(), b1->SeriesChunks(0)->size());
  EXPECT_EQ(meta->min_time, b1->meta().min_time);

  // Deleting everything still writes an (empty) block.
  CompactOptions all;
  all.deletions.push_back({});
  auto empty = CompactBlocks(in, tmp.path(), all);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->stats.num_series, 0u);
  EXPECT_TRUE(Block::Open(tmp.path() + "/" + empty->id).ok());
}

TEST(Compact, MixedEncodingsCompactToDense) {
  TempDir tmp;
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}};
  std::vector<Sample> s1 = Regular(0, 10, 300, 1), s2 = Regular(3000, 10, 300, 301);
  s2[7].v = StaleNaN();
  // An XOR block (as written before dense chunks existed) and a dense one, disjoint in time,
  // plus a series of the XOR block that overlaps itself in the dense one.
  auto xor_block = WriteAndOpen(tmp.path(),
                                {{a, MakeChunks(s1)}, {b, MakeChunks(Regular(0, 7, 50))}}, 1,
                                {.dense_chunks = false});
  auto dense_block = WriteAndOpen(tmp.path(),
                                  {{a, MakeChunks(s2)}, {b, MakeChunks(Regular(3, 7, 50, 9))}}, 2);
  for (uint32_t id = 0; id < 2; ++id) {
    EXPECT_EQ(xor_block->Chunk(xor_block->SeriesChunks(id)->at(0).ref)->encoding,
              chunkenc::Encoding::kXor);
    EXPECT_EQ(dense_block->Chunk(dense_block->SeriesChunks(id)->at(0).ref)->encoding,
              chunkenc::Encoding::kDense);
  }
  const Block* in[] = {xor_block.get(), dense_block.get()};
  for (bool dense : {true, false}) {
    CompactOptions opts;
    opts.write.dense_chunks = dense;
    auto meta = CompactBlocks(in, tmp.path(), opts);
    ASSERT_TRUE(meta.ok()) << meta.status();
    auto out = *Block::Open(tmp.path() + "/" + meta->id);
    for (uint32_t id = 0; id < out->NumSeries(); ++id) {
      const auto metas = *out->SeriesChunks(id);
      for (const auto& c : metas) {
        auto enc = out->Chunk(c.ref)->encoding;
        if (dense) {
          EXPECT_EQ(enc, chunkenc::Encoding::kDense);
        }
      }
    }
    auto d = Dump(*out);
    std::vector<Sample> want_a = s1;
    want_a.insert(want_a.end(), s2.begin(), s2.end());
    ASSERT_EQ(d["a"].size(), want_a.size());
    for (size_t i = 0; i < want_a.size(); ++i) {
      EXPECT_EQ(d["a"][i].t, want_a[i].t);
      EXPECT_EQ(std::bit_cast<uint64_t>(d["a"][i].v), std::bit_cast<uint64_t>(want_a[i].v)) << i;
    }
    // b: t = 0, 7, … from the XOR block and 3, 10, … from the dense one, none equal.
    EXPECT_EQ(d["b"].size(), 100u);
    EXPECT_EQ(meta->stats.num_samples, 700u);
  }
}

TEST(Compact, DeletedIntervalsMerge) {
  Labels l{{"a", "1"}};
  std::vector<Deletion> d = {{{}, 10, 20}, {{}, 21, 30}, {{}, 5, 12}, {{}, 40, 50},
                             {{M(MatchType::kEqual, "a", "2")}, 0, 100}, {{}, 60, 59}};
  auto iv = DeletedIntervals(l, d);
  ASSERT_EQ(iv.size(), 2u);
  EXPECT_EQ(iv[0], std::make_pair(int64_t{5}, int64_t{30}));
  EXPECT_EQ(iv[1], std::make_pair(int64_t{40}, int64_t{50}));
  // An absent label matches as "".
  EXPECT_EQ(DeletedIntervals(l, std::vector<Deletion>{{{M(MatchType::kEqual, "b", "")}, 0, 1}}).size(), 1u);
}

TEST(Compact, CorruptInputFailsCleanly) {
  TempDir tmp;
  Labels a{{"__name__", "a"}};
  auto b1 = WriteAndOpen(tmp.path(), {{a, MakeChunks(Regular(0, 10, 100))}}, 1);
  auto b2 = WriteAndOpen(tmp.path(), {{a, MakeChunks(Regular(5, 10, 100))}}, 2);
  // Corrupt a chunk byte of block 2 behind its back (its mapping is shared).
  std::string seg = b2->dir() + "/chunks/000001";
  {
    FILE* f = std::fopen(seg.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 20, SEEK_SET);
    std::fputc(0x5a, f);
    std::fclose(f);
  }
  const Block* in[] = {b1.get(), b2.get()};
  CompactOptions opts;
  opts.id = NewBlockId(99);
  auto meta = CompactBlocks(in, tmp.path(), opts);
  EXPECT_EQ(meta.status().code(), absl::StatusCode::kDataLoss) << meta.status();
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/" + opts.id));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/" + opts.id + ".tmp"));
}

}  // namespace
}  // namespace vigil::block
