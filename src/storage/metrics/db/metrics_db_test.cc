#include "storage/metrics/db/metrics_db.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "storage/metrics/block/block_id.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class MetricsDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("metrics_db_test_" + block::NewBlockId());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  MetricsDbOptions Options() {
    MetricsDbOptions o;
    o.dir = dir_.string();
    o.head.max_future_ms = 0;
    o.head.chunk_range_ms = 3600 * 1000;  // 1h blocks keep the numbers small
    o.maintenance_interval_ms = 0;
    o.wal_sync = false;
    return o;
  }

  std::unique_ptr<MetricsDb> Open() {
    auto db = MetricsDb::Open(Options(), nullptr);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(*db);
  }

  static void Write(MetricsDb& db, const Labels& l, std::vector<Sample> samples) {
    auto app = db.Appender();
    std::vector<LabelView> v;
    for (const auto& x : l) v.push_back({x.name, x.value});
    auto ref = app->GetOrCreate(v);
    ASSERT_TRUE(ref.ok());
    app->Append(*ref, samples);
    ASSERT_TRUE(app->Commit().ok());
  }

  static std::map<std::string, std::vector<Sample>> Query(MetricsDb& db, std::string_view metric,
                                                          int64_t mint = INT64_MIN,
                                                          int64_t maxt = INT64_MAX) {
    auto q = db.Querier(mint, maxt);
    Matchers m = {*LabelMatcher::Make(MatchType::kEqual, "__name__", metric)};
    auto set = q->Select(m, {mint, maxt, false});
    std::map<std::string, std::vector<Sample>> out;
    while (set->Next()) {
      auto s = set->samples();
      out[set->labels().ToString()] = {s.begin(), s.end()};
    }
    EXPECT_TRUE(set->status().ok()) << set->status();
    return out;
  }

  fs::path dir_;
};

std::vector<Sample> Range(int64_t from, int64_t to, int64_t step, double base = 0) {
  std::vector<Sample> out;
  for (int64_t t = from; t <= to; t += step) out.push_back({t, base + double(t) / 1000});
  return out;
}

TEST_F(MetricsDbTest, ReplaysWalAfterReopen) {
  Labels a({{"__name__", "m"}, {"i", "a"}}), b({{"__name__", "m"}, {"i", "b"}});
  {
    auto db = Open();
    Write(*db, a, Range(0, 60000, 15000));
    Write(*db, b, Range(0, 30000, 15000));
    Write(*db, a, Range(75000, 90000, 15000));
    db->SetMetadata("m", {MetricType::kCounter, "Things.", ""});
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = Open();
  auto got = Query(*db, "m");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got["m{i=\"a\"}"].size(), 7u);
  EXPECT_EQ(got["m{i=\"b\"}"].size(), 3u);
  EXPECT_EQ(db->Metadata("m", 0).at(0).second.help, "Things.");
  // Appends continue after replay with the same series.
  Write(*db, b, Range(45000, 45000, 1));
  EXPECT_EQ(Query(*db, "m")["m{i=\"b\"}"].size(), 4u);
  EXPECT_EQ(db->head().NumSeries(), 2u);
}

TEST_F(MetricsDbTest, FlushPersistsHeadAndQueriesMergeBlockAndHead) {
  Labels a({{"__name__", "m"}, {"i", "a"}});
  auto db = Open();
  Write(*db, a, Range(0, 60000, 15000));
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_EQ(db->Blocks().size(), 1u);
  EXPECT_EQ(db->head().NumSeries(), 0u);
  EXPECT_EQ(db->Blocks()[0]->meta().stats.num_samples, 5u);
  // Older than the persisted range: out of bounds.
  {
    auto app = db->Appender();
    std::vector<LabelView> v = {{"__name__", "m"}, {"i", "a"}};
    auto ref = *app->GetOrCreate(v);
    std::vector<Sample> old = {{30000, 1}}, fresh = {{75000, 2}};
    app->Append(ref, old);
    app->Append(ref, fresh);
    ASSERT_TRUE(app->Commit().ok());
    EXPECT_EQ(app->stats().rejected[size_t(RejectReason::kOutOfBounds)], 1u);
  }
  auto got = Query(*db, "m");
  ASSERT_EQ(got["m{i=\"a\"}"].size(), 6u);
  EXPECT_EQ(got["m{i=\"a\"}"].back().t, 75000);
  // A restart finds the block and does not resurrect flushed samples from the WAL.
  ASSERT_TRUE(db->Close().ok());
  db = Open();
  got = Query(*db, "m");
  ASSERT_EQ(got["m{i=\"a\"}"].size(), 6u);
  EXPECT_EQ(db->head().NumSeries(), 1u);
}

// A series set lists every series once, in label order, with the samples of all its sources
// (two blocks and the head, each holding a different subset of the series).
// Head series join the block entries with the same labels (found by hash), the others are
// sorted and merged in. With every label set hashing alike, each head series after the first
// misses the hash lookup and must still land on its block entry by comparison.
TEST_F(MetricsDbTest, SelectMergesBlocksAndHeadInLabelOrder) {
  for (bool colliding : {false, true}) {
    SCOPED_TRACE(colliding ? "colliding hashes" : "distinct hashes");
    MetricsDbOptions o = Options();
    o.dir = (dir_ / (colliding ? "colliding" : "distinct")).string();
    if (colliding) o.head.label_hash = [](std::string_view) -> uint64_t { return 7; };
    auto opened = MetricsDb::Open(o, nullptr);
    ASSERT_TRUE(opened.ok()) << opened.status();
    MetricsDb& db = **opened;
    auto labels = [](int i) { return Labels({{"__name__", "m"}, {"i", std::to_string(i)}}); };
    const std::vector<std::vector<int>> sources = {{0, 2, 4, 5, 8}, {0, 3, 6, 9}, {1, 2, 5, 9, 7}};
    std::map<std::string, size_t> expected_samples;
    for (size_t src = 0; src < sources.size(); ++src) {
      const int64_t from = static_cast<int64_t>(src) * 120000;
      for (int i : sources[src]) {
        Write(db, labels(i), Range(from, from + 60000, 15000));
        expected_samples[labels(i).ToString()] += 5;
      }
      if (src + 1 < sources.size()) {
        ASSERT_TRUE(db.Flush().ok());
      }
    }
    ASSERT_EQ(db.Blocks().size(), 2u);
    auto q = db.Querier(INT64_MIN, INT64_MAX);
    Matchers m = {*LabelMatcher::Make(MatchType::kEqual, "__name__", "m")};
    auto set = q->Select(m, {INT64_MIN, INT64_MAX, false});
    std::vector<std::string> order;
    while (set->Next()) {
      order.push_back(set->labels().ToString());
      auto s = set->samples();
      EXPECT_EQ(s.size(), expected_samples[order.back()]) << order.back();
      EXPECT_TRUE(std::is_sorted(s.begin(), s.end(),
                                 [](const Sample& a, const Sample& b) { return a.t < b.t; }));
    }
    ASSERT_TRUE(set->status().ok()) << set->status();
    std::vector<std::string> want;
    for (int i = 0; i <= 9; ++i) want.push_back(labels(i).ToString());
    EXPECT_EQ(order, want);
  }
}

// A query reads the head series it selected without looking them up again, so it keeps them
// pinned: garbage collection leaves them until the series set is gone, then takes them.
TEST_F(MetricsDbTest, SelectedHeadSeriesStayUntilTheQueryEnds) {
  auto db = Open();
  const int64_t hour = 3600 * 1000;
  Write(*db, Labels({{"__name__", "m"}, {"i", "old"}}), Range(0, 50 * 60000, 60000));
  Write(*db, Labels({{"__name__", "m"}, {"i", "new"}}), Range(0, 3 * hour, 60000));
  auto q = db->Querier(INT64_MIN, INT64_MAX);
  auto set = q->Select({*LabelMatcher::Make(MatchType::kEqual, "__name__", "m")},
                       {INT64_MIN, INT64_MAX, false});
  ASSERT_EQ(db->head().NumSeries(), 2u);
  EXPECT_EQ(db->head().TruncateBefore(2 * hour), 0u);  // `old` has no data left, but is pinned
  size_t n = 0;
  while (set->Next()) ++n;
  ASSERT_TRUE(set->status().ok()) << set->status();
  EXPECT_EQ(n, 2u);
  set.reset();
  q.reset();
  EXPECT_EQ(db->head().TruncateBefore(2 * hour), 1u);
  EXPECT_EQ(db->head().NumSeries(), 1u);
}

TEST_F(MetricsDbTest, CompactHeadPersistsOldRangesAndTruncatesWal) {
  MetricsDbOptions o = Options();
  o.wal_segment_bytes = 4096;
  auto dbor = MetricsDb::Open(o, nullptr);
  ASSERT_TRUE(dbor.ok());
  auto& db = *dbor;
  const int64_t hour = 3600 * 1000;
  // Ten minutes at a time, all series per round, as scrapes arrive.
  for (int64_t from = 0; from <= 3 * hour; from += 600000) {
    for (int i = 0; i < 20; ++i) {
      Labels l({{"__name__", "m"}, {"i", std::to_string(i)}});
      Write(*db, l, Range(from, std::min(from + 540000, 3 * hour), 60000, i));
    }
  }
  uint64_t wal_before = db->WalSizeBytes();
  absl::Status compacted = db->CompactHead();
  ASSERT_TRUE(compacted.ok()) << compacted.ToString();
  // Head spans 3h > 1.5h: [0,1h) and [1h,2h) are persisted; [2h,3h] stays in the head.
  ASSERT_EQ(db->Blocks().size(), 2u);
  EXPECT_LT(db->WalSizeBytes(), wal_before);
  EXPECT_GE(db->head().MinTime(), 2 * hour);
  auto got = Query(*db, "m");
  ASSERT_EQ(got.size(), 20u);
  for (const auto& [name, samples] : got) EXPECT_EQ(samples.size(), 181u) << name;
  ASSERT_TRUE(db->Close().ok());
  auto again = MetricsDb::Open(o, nullptr);
  ASSERT_TRUE(again.ok());
  got = Query(**again, "m");
  ASSERT_EQ(got.size(), 20u);
  for (const auto& [name, samples] : got) {
    ASSERT_EQ(samples.size(), 181u) << name;
    for (size_t k = 1; k < samples.size(); ++k) ASSERT_GT(samples[k].t, samples[k - 1].t);
  }
  // Blocks compaction merges the two 1h blocks into one 3h-aligned block once complete.
  Write(**again, Labels({{"__name__", "m"}, {"i", "0"}}), Range(3 * hour + 60000, 7 * hour, 60000));
  ASSERT_TRUE((*again)->CompactHead().ok());
  ASSERT_TRUE((*again)->CompactBlocks().ok());
  EXPECT_LT((*again)->Blocks().size(), 5u);
  got = Query(**again, "m");
  EXPECT_EQ(got["m{i=\"0\"}"].size(), 7u * 60 + 1);
}

TEST_F(MetricsDbTest, WalTruncationAfterRestartKeepsUnpersistedSamples) {
  MetricsDbOptions o = Options();
  o.wal_segment_bytes = 4096;
  const int64_t hour = 3600 * 1000;
  {
    auto db = *MetricsDb::Open(o, nullptr);
    for (int64_t from = 0; from <= 3 * hour; from += 600000) {
      for (int i = 0; i < 5; ++i) {
        Write(*db, Labels({{"__name__", "m"}, {"i", std::to_string(i)}}),
              Range(from, std::min(from + 540000, 3 * hour), 60000, i));
      }
    }
    ASSERT_TRUE(db->Close().ok());
  }
  {
    // The segments written before this restart hold samples the head still needs: head
    // compaction must not drop them with the persisted range.
    auto db = *MetricsDb::Open(o, nullptr);
    ASSERT_TRUE(db->CompactHead().ok());
    ASSERT_EQ(db->Blocks().size(), 2u);
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = *MetricsDb::Open(o, nullptr);
  auto got = Query(*db, "m");
  ASSERT_EQ(got.size(), 5u);
  for (const auto& [name, samples] : got) EXPECT_EQ(samples.size(), 181u) << name;
}

TEST_F(MetricsDbTest, DeleteSeriesInHeadAndBlocks) {
  auto db = Open();
  Labels a({{"__name__", "m"}, {"i", "a"}}), b({{"__name__", "m"}, {"i", "b"}});
  Write(*db, a, Range(0, 60000, 15000));
  Write(*db, b, Range(0, 60000, 15000));
  ASSERT_TRUE(db->Flush().ok());
  Write(*db, a, Range(75000, 90000, 15000));
  Matchers sel = {*LabelMatcher::Make(MatchType::kEqual, "i", "a")};
  ASSERT_TRUE(db->DeleteSeries({sel}, 10000, 80000).ok());
  auto got = Query(*db, "m");
  // a keeps t=0 and t=90000; b is untouched.
  ASSERT_EQ(got["m{i=\"a\"}"].size(), 2u);
  EXPECT_EQ(got["m{i=\"b\"}"].size(), 5u);
  ASSERT_TRUE(db->Close().ok());
  db = Open();
  EXPECT_EQ(Query(*db, "m")["m{i=\"a\"}"].size(), 2u);
}

TEST_F(MetricsDbTest, SnapshotHoldsBlocksAndHead) {
  auto db = Open();
  Write(*db, Labels({{"__name__", "m"}}), Range(0, 60000, 15000));
  ASSERT_TRUE(db->Flush().ok());
  Write(*db, Labels({{"__name__", "m"}}), Range(75000, 90000, 15000));
  auto name = db->Snapshot();
  ASSERT_TRUE(name.ok()) << name.status();
  int blocks = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "snapshots" / *name)) {
    if (block::IsValidBlockId(e.path().filename().string())) ++blocks;
  }
  EXPECT_EQ(blocks, 2);
}

TEST_F(MetricsDbTest, RetentionDropsOldBlocks) {
  MetricsDbOptions o = Options();
  o.retention_ms = 2 * 3600 * 1000;
  auto db = *MetricsDb::Open(o, nullptr);
  const int64_t hour = 3600 * 1000;
  Write(*db, Labels({{"__name__", "m"}}), Range(0, 6 * hour, 60000));
  ASSERT_TRUE(db->CompactHead().ok());
  size_t before = db->Blocks().size();
  ASSERT_GE(before, 4u);
  ASSERT_TRUE(db->ApplyRetention().ok());
  EXPECT_LT(db->Blocks().size(), before);
  for (const auto& b : db->Blocks()) EXPECT_GT(b->meta().max_time, 6 * hour - 2 * hour);
}

TEST_F(MetricsDbTest, LabelNamesValuesAndStats) {
  auto db = Open();
  Write(*db, Labels({{"__name__", "m"}, {"job", "a"}}), Range(0, 1000, 1000));
  Write(*db, Labels({{"__name__", "n"}, {"env", "p"}}), Range(0, 1000, 1000));
  auto q = db->Querier(INT64_MIN, INT64_MAX);
  EXPECT_EQ(*q->LabelNames({}), (std::vector<std::string>{"__name__", "env", "job"}));
  Matchers m = {*LabelMatcher::Make(MatchType::kEqual, "__name__", "m")};
  EXPECT_EQ(*q->LabelNames(m), (std::vector<std::string>{"__name__", "job"}));
  EXPECT_EQ(*q->LabelValues("__name__", {}), (std::vector<std::string>{"m", "n"}));
  EXPECT_EQ(*q->LabelValues("job", m), (std::vector<std::string>{"a"}));
  // Out of range: nothing.
  EXPECT_TRUE(db->Querier(5000, 6000)->LabelNames({})->empty());
  StoreStats st = db->Stats();
  EXPECT_EQ(st.head_series, 2u);
  EXPECT_EQ(st.series_by_metric.size(), 2u);
}

}  // namespace
}  // namespace vigil
