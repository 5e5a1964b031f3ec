#include "storage/metrics/head/head.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/time_util.h"
#include "storage/metrics/head/head_appender.h"
#include "storage/metrics/head/head_index.h"

namespace vigil {
namespace {

std::vector<LabelView> Views(const Labels& l) {
  std::vector<LabelView> v;
  for (const auto& x : l) v.push_back({x.name, x.value});
  return v;
}

std::vector<Sample> Read(Head& head, const Labels& l, int64_t mint = INT64_MIN,
                         int64_t maxt = INT64_MAX) {
  HeadIndex idx(head);
  Matchers ms;
  for (const auto& x : l) ms.push_back(*LabelMatcher::Make(MatchType::kEqual, x.name, x.value));
  Postings refs = PostingsForMatchers(idx, ms);
  std::vector<Sample> out;
  head.ForEachSeries(refs, [&](MemSeries& s) {
    std::lock_guard lock(s.mu);
    s.SamplesLocked(mint, maxt, &out);
  });
  return out;
}

HeadOptions NoFutureCheck() {
  HeadOptions o;
  o.max_future_ms = 0;
  return o;
}

TEST(HeadTest, AppendCommitAndRead) {
  Head head(NoFutureCheck(), nullptr);
  Labels l({{"__name__", "up"}, {"job", "a"}});
  auto app = head.Appender({});
  auto ref = app->GetOrCreate(Views(l));
  ASSERT_TRUE(ref.ok());
  std::vector<Sample> in = {{1000, 1}, {2000, 2}, {3000, 3}};
  app->Append(*ref, in);
  // Not visible before commit.
  EXPECT_TRUE(Read(head, l).empty());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(app->stats().accepted, 3u);
  auto out = Read(head, l);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].t, 3000);
  EXPECT_EQ(out[2].v, 3);
  EXPECT_EQ(head.NumSeries(), 1u);
  EXPECT_EQ(head.MinTime(), 1000);
  EXPECT_EQ(head.MaxTime(), 3000);
  EXPECT_EQ(Read(head, l, 1500, 2500).size(), 1u);
}

TEST(HeadTest, PackedHintAndUnsortedLabelsFindTheSameSeries) {
  Head head(NoFutureCheck(), nullptr);
  Labels l({{"__name__", "up"}, {"job", "a"}, {"zone", "z"}});
  auto app = head.Appender({});
  SeriesRef ref = *app->GetOrCreate(Views(l));
  std::vector<LabelView> unsorted = {{"zone", "z"}, {"__name__", "up"}, {"job", "a"}};
  EXPECT_EQ(*app->GetOrCreate(unsorted), ref);
  EXPECT_EQ(*app->GetOrCreate(unsorted, l.packed()), ref);
  // A hint that matches nothing falls back to the labels.
  EXPECT_EQ(*app->GetOrCreate(Views(l), "\x0a\x00"), ref);
  // Unsorted duplicates are caught by validation, not by the sort.
  std::vector<LabelView> dup = {{"job", "a"}, {"__name__", "up"}, {"job", "b"}};
  EXPECT_EQ(std::string(app->GetOrCreate(dup).status().message()).substr(0, 38),
            "duplicate label name \"job\" in series u");
  EXPECT_EQ(head.NumSeries(), 1u);
}

TEST(HeadTest, PrometheusSampleOrderingRules) {
  Head head(NoFutureCheck(), nullptr);
  Labels l({{"__name__", "x"}});
  {
    auto app = head.Appender({});
    auto ref = *app->GetOrCreate(Views(l));
    std::vector<Sample> in = {{1000, 1}, {2000, 2}};
    app->Append(ref, in);
    ASSERT_TRUE(app->Commit().ok());
  }
  auto app = head.Appender({});
  auto ref = *app->GetOrCreate(Views(l));
  // same ts same value: silently ignored; same ts other value: duplicate; older: out of order.
  std::vector<Sample> in = {{2000, 2}, {2000, 5}, {1500, 1}, {3000, 3}};
  app->Append(ref, in);
  ASSERT_TRUE(app->Commit().ok());
  const AppendStats& st = app->stats();
  EXPECT_EQ(st.accepted, 1u);
  EXPECT_EQ(st.rejected[static_cast<size_t>(RejectReason::kDuplicate)], 1u);
  EXPECT_EQ(st.rejected[static_cast<size_t>(RejectReason::kOutOfOrder)], 1u);
  EXPECT_EQ(st.first_error, "duplicate sample for timestamp for series x at timestamp 2000");
  EXPECT_EQ(Read(head, l).size(), 3u);
}

TEST(HeadTest, RejectsTooOldAndFarFuture) {
  HeadOptions o;
  o.max_future_ms = 60000;
  Head head(o, nullptr);
  head.SetMinValidTime(5000);
  auto app = head.Appender({});
  auto ref = *app->GetOrCreate(Views(Labels({{"__name__", "x"}})));
  int64_t now = NowMs();
  std::vector<Sample> in = {{4000, 1}, {now, 2}, {now + 3600 * 1000, 3}};
  app->Append(ref, in);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(app->stats().accepted, 1u);
  EXPECT_EQ(app->stats().rejected[static_cast<size_t>(RejectReason::kOutOfBounds)], 1u);
  EXPECT_EQ(app->stats().rejected[static_cast<size_t>(RejectReason::kTooFarInFuture)], 1u);
}

TEST(HeadTest, CutsChunksBySizeAndRangeBoundary) {
  HeadOptions o = NoFutureCheck();
  o.samples_per_chunk = 10;
  o.chunk_range_ms = 100000;
  Head head(o, nullptr);
  Labels l({{"__name__", "x"}});
  auto app = head.Appender({});
  auto ref = *app->GetOrCreate(Views(l));
  std::vector<Sample> in;
  for (int i = 0; i < 25; ++i) in.push_back({i * 1000, double(i)});
  in.push_back({100000, 99});  // crosses the range boundary: new chunk
  app->Append(ref, in);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.NumChunks(), 4u);  // 10 + 10 + 5, then 1 after the boundary
  auto out = Read(head, l);
  ASSERT_EQ(out.size(), 26u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(out[i].v, i);
}

TEST(HeadTest, CardinalityGuard) {
  HeadOptions o = NoFutureCheck();
  o.max_series = 3;
  o.max_series_per_metric = 2;
  o.label_denylist = {"user_id"};
  Head head(o, nullptr);
  auto app = head.Appender({});
  EXPECT_TRUE(app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"i", "1"}}))).ok());
  EXPECT_TRUE(app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"i", "2"}}))).ok());
  auto third = app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"i", "3"}})));
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(third.status().message(), "metric \"a\" already has 2 series (per-metric limit)");
  auto denied = app->GetOrCreate(Views(Labels({{"__name__", "b"}, {"user_id", "42"}})));
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(app->GetOrCreate(Views(Labels({{"__name__", "b"}}))).ok());
  auto over = app->GetOrCreate(Views(Labels({{"__name__", "c"}})));
  EXPECT_EQ(over.status().message(), "the head already holds 3 series (limit)");
  // Existing series keep working at the limit.
  EXPECT_TRUE(app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"i", "1"}}))).ok());
}

TEST(HeadTest, HugeLabelValuesAndTooManyLabelsAreRefused) {
  HeadOptions o = NoFutureCheck();
  o.max_labels_per_series = 3;
  o.max_label_value_bytes = 8;
  Head head(o, nullptr);
  auto app = head.Appender({});
  auto big = app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"v", "123456789"}})));
  EXPECT_EQ(big.status().message(), "value of label \"v\" is 9 bytes, more than the limit of 8");
  auto many =
      app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"b", "1"}, {"c", "1"}, {"d", "1"}})));
  EXPECT_EQ(many.status().message(), "series has 4 labels, more than the limit of 3");
  EXPECT_TRUE(app->GetOrCreate(Views(Labels({{"__name__", "a"}, {"v", "12345678"}}))).ok());
}

TEST(HeadTest, PrefetchHintsLeaveLookupsUnchanged) {
  for (bool colliding : {false, true}) {
    HeadOptions o = NoFutureCheck();
    if (colliding) o.label_hash = [](std::string_view) -> uint64_t { return 7; };
    Head head(o, nullptr);
    std::vector<Labels> ls;
    std::vector<SeriesRef> refs;
    {
      auto app = head.Appender({});
      for (int i = 0; i < 40; ++i) {
        ls.push_back(Labels({{"__name__", "m"}, {"i", std::to_string(i)}}));
        refs.push_back(*app->GetOrCreate(Views(ls.back())));
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    // Hints run kPrefetchAhead series ahead of the lookups, as an ingest loop issues them.
    auto app = head.Appender({});
    constexpr size_t kAhead = MetricsAppender::kPrefetchAhead;
    for (size_t i = 0; i < kAhead; ++i) app->Prefetch(ls[i].packed());
    for (size_t i = 0; i < ls.size(); ++i) {
      if (i + kAhead < ls.size()) app->Prefetch(ls[i + kAhead].packed());
      EXPECT_EQ(*app->GetOrCreate({}, ls[i].packed()), refs[i]) << "series " << i;
    }
    // A hint over longer bytes at the same address is another series: its hash is not used
    // for a lookup of the prefix. {__name__="m",i="1"} packs as a prefix of the same with z.
    Labels longer({{"__name__", "m"}, {"i", "1"}, {"z", "x"}});
    SeriesRef longer_ref = *app->GetOrCreate(Views(longer));
    ASSERT_EQ(longer.packed().substr(0, ls[1].packed().size()), ls[1].packed());
    app->Prefetch(longer.packed());
    EXPECT_EQ(*app->GetOrCreate({}, longer.packed().substr(0, ls[1].packed().size())), refs[1]);
    EXPECT_EQ(*app->GetOrCreate({}, longer.packed()), longer_ref);
    // Hints for series the head lacks change nothing either.
    Labels fresh({{"__name__", "new"}});
    app->Prefetch(fresh.packed());
    EXPECT_FALSE(app->GetOrCreate({}, fresh.packed()).ok());
    EXPECT_TRUE(app->GetOrCreate(Views(fresh), fresh.packed()).ok());
    EXPECT_EQ(head.NumSeries(), 42u);
  }
}

TEST(HeadTest, PrefetchingLeavesNoPinsBehind) {
  // Prefetching pins the series a hint's hash leads to; whether the lookup takes it, finds
  // another series (a collision) or never comes, no pin may outlive the appender, or the
  // series could never be collected.
  for (bool colliding : {false, true}) {
    HeadOptions o = NoFutureCheck();
    o.chunk_range_ms = 10000;
    if (colliding) o.label_hash = [](std::string_view) -> uint64_t { return 7; };
    Head head(o, nullptr);
    std::vector<Labels> ls;
    {
      auto app = head.Appender({});
      for (int i = 0; i < 40; ++i) {
        ls.push_back(Labels({{"__name__", "m"}, {"i", std::to_string(i)}}));
        ASSERT_TRUE(app->GetOrCreate(Views(ls.back())).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    for (bool commit : {true, false}) {
      auto app = head.Appender({});
      constexpr size_t kAhead = MetricsAppender::kPrefetchAhead;
      for (size_t i = 0; i < kAhead; ++i) app->Prefetch(ls[i].packed());
      for (size_t i = 0; i < ls.size(); ++i) {
        if (i + kAhead < ls.size()) app->Prefetch(ls[i + kAhead].packed());
        if (i % 3 == 0) continue;  // hinted, never looked up
        auto ref = app->GetOrCreate({}, ls[i].packed());
        ASSERT_TRUE(ref.ok()) << i;
        std::vector<Sample> in = {{1000 + static_cast<int64_t>(i), 1.0}};
        app->Append(*ref, in);
      }
      if (commit) {
        ASSERT_TRUE(app->Commit().ok());
      }
    }
    // Every series is idle and unpinned now: truncation past its data collects it.
    EXPECT_EQ(head.TruncateBefore(100000), 40u) << "colliding=" << colliding;
    EXPECT_EQ(head.NumSeries(), 0u);
  }
}

TEST(HeadTest, SeriesWithCollidingHashesStayApart) {
  HeadOptions o = NoFutureCheck();
  o.label_hash = [](std::string_view) -> uint64_t { return 42; };  // every series collides
  o.chunk_range_ms = 10000;
  Head head(o, nullptr);
  std::vector<Labels> ls;
  for (int i = 0; i < 4; ++i) ls.push_back(Labels({{"__name__", "c"}, {"i", std::to_string(i)}}));
  for (int round = 0; round < 2; ++round) {
    auto app = head.Appender({});
    for (int i = 0; i < 4; ++i) {
      auto ref = *app->GetOrCreate(Views(ls[i]));
      // Series 0 stops receiving data after the first round, so truncation removes it.
      if (round == 1 && i == 0) continue;
      std::vector<Sample> in = {{round * 20000 + i, double(i)}};
      app->Append(ref, in);
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  EXPECT_EQ(head.NumSeries(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Read(head, ls[i]).back().v, i);
  // Removing the series in the map slot promotes a colliding one; lookups still resolve.
  EXPECT_EQ(head.TruncateBefore(10000), 1u);
  EXPECT_EQ(head.NumSeries(), 3u);
  auto app = head.Appender({});
  for (int i = 1; i < 4; ++i) {
    auto ref = app->GetOrCreate(Views(ls[i]));
    ASSERT_TRUE(ref.ok());
    std::vector<Sample> in = {{40000 + i, double(i * 10)}};
    app->Append(*ref, in);
  }
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.NumSeries(), 3u);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(Read(head, ls[i]).back().v, i * 10);
}

TEST(HeadTest, TruncateDropsOldChunksAndIdleSeries) {
  HeadOptions o = NoFutureCheck();
  o.chunk_range_ms = 10000;
  Head head(o, nullptr);
  Labels old_series({{"__name__", "old"}}), live({{"__name__", "live"}});
  {
    auto app = head.Appender({});
    auto r1 = *app->GetOrCreate(Views(old_series));
    std::vector<Sample> a = {{1000, 1}, {2000, 2}};
    app->Append(r1, a);
    auto r2 = *app->GetOrCreate(Views(live));
    std::vector<Sample> b = {{1000, 1}, {15000, 2}};
    app->Append(r2, b);
    ASSERT_TRUE(app->Commit().ok());
  }
  EXPECT_EQ(head.TruncateBefore(10000), 1u);
  EXPECT_EQ(head.NumSeries(), 1u);
  EXPECT_TRUE(Read(head, old_series).empty());
  auto out = Read(head, live);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].t, 15000);
  EXPECT_EQ(head.MinTime(), 15000);
  EXPECT_EQ(head.postings().LabelValues("__name__"), (std::vector<std::string>{"live"}));
}

TEST(HeadTest, PinnedSeriesSurviveTruncation) {
  Head head(NoFutureCheck(), nullptr);
  auto app = head.Appender({});
  auto ref = *app->GetOrCreate(Views(Labels({{"__name__", "x"}})));
  EXPECT_EQ(head.TruncateBefore(INT64_MAX), 0u);  // pinned by the open appender
  std::vector<Sample> in = {{1000, 1}};
  app->Append(ref, in);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.NumSeries(), 1u);
}

TEST(HeadTest, LogFailureAppliesNothing) {
  Head head(NoFutureCheck(), nullptr);
  auto app =
      head.Appender([](const HeadCommitBatch&) { return absl::UnavailableError("disk full"); });
  auto ref = *app->GetOrCreate(Views(Labels({{"__name__", "x"}})));
  std::vector<Sample> in = {{1000, 1}};
  app->Append(ref, in);
  EXPECT_EQ(app->Commit().message(), "disk full");
  EXPECT_TRUE(Read(head, Labels({{"__name__", "x"}})).empty());
}

TEST(HeadTest, LogSeesNewSeriesOnce) {
  Head head(NoFutureCheck(), nullptr);
  int series_logged = 0, samples_logged = 0;
  HeadLog log = [&](const HeadCommitBatch& b) {
    series_logged += b.new_series.size();
    samples_logged += b.samples.size();
    return absl::OkStatus();
  };
  for (int round = 0; round < 3; ++round) {
    auto app = head.Appender(log);
    auto ref = *app->GetOrCreate(Views(Labels({{"__name__", "x"}})));
    std::vector<Sample> in = {{1000 * (round + 1), 1}};
    app->Append(ref, in);
    ASSERT_TRUE(app->Commit().ok());
  }
  EXPECT_EQ(series_logged, 1);
  EXPECT_EQ(samples_logged, 3);
}

TEST(HeadTest, ExemplarRingKeepsNewest) {
  HeadOptions o = NoFutureCheck();
  o.exemplars_per_series = 2;
  Head head(o, nullptr);
  auto app = head.Appender({});
  auto ref = *app->GetOrCreate(Views(Labels({{"__name__", "x"}})));
  for (int i = 1; i <= 3; ++i) {
    app->AppendExemplar(ref,
                        Exemplar{Labels({{"trace_id", std::to_string(i)}}), double(i), i * 1000});
  }
  ASSERT_TRUE(app->Commit().ok());
  std::vector<Exemplar> out;
  MemSeries* s = head.GetPinned(ref);
  s->exemplars->Collect(0, 10000, &out);
  head.Unpin(s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].labels.Get("trace_id"), "2");
  EXPECT_EQ(out[1].labels.Get("trace_id"), "3");
}

TEST(HeadTest, ConcurrentAppendersOnSharedAndOwnSeries) {
  Head head(NoFutureCheck(), nullptr);
  constexpr int kThreads = 4, kRounds = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        auto app = head.Appender({});
        Labels own({{"__name__", "own"}, {"t", std::to_string(t)}});
        auto ref = *app->GetOrCreate(Views(own));
        std::vector<Sample> in = {{int64_t(r) * 1000, double(r)}};
        app->Append(ref, in);
        auto shared = *app->GetOrCreate(
            Views(Labels({{"__name__", "shared"}, {"i", std::to_string(r % 7)}})));
        app->Append(shared, in);
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(head.NumSeries(), size_t(kThreads + 7));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(Read(head, Labels({{"__name__", "own"}, {"t", std::to_string(t)}})).size(),
              size_t(kRounds));
  }
}

}  // namespace
}  // namespace vigil
