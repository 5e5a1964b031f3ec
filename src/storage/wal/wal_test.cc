#include "storage/wal/wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "storage/wal/frame.h"
#include "storage/wal/wal_files.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() /
            StrCat("vigil_wal_", ::getpid(), "_", info->test_suite_name(), "_", info->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Wal> OpenWal(WalOptions opts = Fast()) {
    auto w = Wal::Open(dir_, opts);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }

  static WalOptions Fast() {
    WalOptions o;
    o.sync = false;
    return o;
  }

  static std::vector<std::string> ReplayAll(Wal& w, WalReplayStats* stats = nullptr) {
    std::vector<std::string> out;
    absl::Status st = w.Replay(
        [&](std::string_view r) {
          out.emplace_back(r);
          return absl::OkStatus();
        },
        stats);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  // Opens the directory afresh and replays it.
  std::vector<std::string> Reopen(WalReplayStats* stats = nullptr, WalOptions opts = Fast()) {
    auto w = OpenWal(opts);
    if (!w) return {};
    return ReplayAll(*w, stats);
  }

  std::string Seg(int i) const { return dir_ + "/" + wal::SegmentName(i); }
  static uint64_t FileSize(const std::string& p) { return fs::file_size(p); }
  static std::vector<int> Segments(const std::string& dir) {
    wal::DirListing l;
    EXPECT_TRUE(wal::ListWalDir(dir, &l).ok());
    return l.segments;
  }

  std::string dir_;
};

std::vector<std::string> Numbered(int n, std::string_view prefix = "rec-") {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(StrCat(prefix, i));
  return out;
}

absl::Status AppendAll(Wal& w, const std::vector<std::string>& recs) {
  for (const auto& r : recs) {
    if (absl::Status st = w.Append(r); !st.ok()) return st;
  }
  return absl::OkStatus();
}

TEST_F(WalTest, RoundTripAcrossReopen) {
  std::vector<std::string> want = {"alpha", "", std::string(10000, 'b'), "gamma"};
  {
    auto w = OpenWal();
    EXPECT_TRUE(ReplayAll(*w).empty());
    std::vector<std::string_view> batch(want.begin(), want.begin() + 2);
    ASSERT_TRUE(w->Append(batch).ok());
    ASSERT_TRUE(w->Append(want[2]).ok());
    ASSERT_TRUE(w->Append(want[3]).ok());
    ASSERT_TRUE(w->Append(std::span<const std::string_view>()).ok());
    ASSERT_TRUE(w->Close().ok());
  }
  WalReplayStats stats;
  EXPECT_EQ(Reopen(&stats), want);
  EXPECT_EQ(stats.records, 4u);
  EXPECT_EQ(stats.damaged_files, 0);
  EXPECT_FALSE(stats.truncated_tail);
}

TEST_F(WalTest, AppendsAfterReplayGoToAFreshSegment) {
  {
    auto w = OpenWal();
    EXPECT_EQ(w->CurrentSegment(), 1);
    ASSERT_TRUE(w->Append("one").ok());
  }
  {
    auto w = OpenWal();
    EXPECT_EQ(w->CurrentSegment(), 2);
    EXPECT_EQ(ReplayAll(*w), std::vector<std::string>{"one"});
    ASSERT_TRUE(w->Append("two").ok());
  }
  // An instance that appended nothing leaves an empty segment, reused by the next one.
  { auto w = OpenWal(); }
  auto w = OpenWal();
  EXPECT_EQ(w->CurrentSegment(), 3);
  EXPECT_EQ(ReplayAll(*w), (std::vector<std::string>{"one", "two"}));
}

TEST_F(WalTest, ConcurrentAppendersWithSyncAreBatchedAndAllReplayed) {
  Histogram fsyncs(ExponentialBuckets(1e-5, 4, 10));
  WalOptions opts;
  opts.sync = true;
  opts.segment_bytes = 64 << 10;  // some batches also cross a segment boundary
  opts.fsync_seconds = &fsyncs;
  constexpr int kThreads = 8, kPerThread = 150;
  {
    auto w = OpenWal(opts);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string a = StrCat("t", t, "-", i, "-a"), b = StrCat("t", t, "-", i, "-b");
          std::string_view batch[] = {a, b};
          absl::Status st = w->Append(batch);
          EXPECT_TRUE(st.ok()) << st;
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(w->Close().ok());
  }
  std::vector<uint64_t> cum;
  double sum;
  uint64_t syncs;
  fsyncs.Snapshot(&cum, &sum, &syncs);
  EXPECT_GT(syncs, 0u);
  std::printf("%d appends took %llu fdatasyncs\n", kThreads * kPerThread,
              static_cast<unsigned long long>(syncs));
  // One sync per batch, plus one per segment roll and one on Close. With eight threads
  // contending, batches hold several appends, so there are clearly fewer syncs than calls.
  EXPECT_LT(syncs, uint64_t{kThreads * kPerThread});

  std::vector<std::string> got = Reopen();
  ASSERT_EQ(got.size(), size_t{kThreads * kPerThread * 2});
  // Each thread's records appear in its order, and each batch stays contiguous.
  std::vector<int> next(kThreads, 0);
  for (size_t i = 0; i < got.size(); i += 2) {
    int t = 0, n = 0;
    ASSERT_EQ(std::sscanf(got[i].c_str(), "t%d-%d-a", &t, &n), 2) << got[i];
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    EXPECT_EQ(n, next[t]++);
    EXPECT_EQ(got[i + 1], StrCat("t", t, "-", n, "-b"));
  }
}

TEST_F(WalTest, SegmentCutsDuringConcurrentAppendsLoseNothing) {
  constexpr int kThreads = 4, kPerThread = 300;
  {
    auto w = OpenWal();
    std::atomic<bool> stop{false};
    std::atomic<int> cuts{0};
    std::thread cutter([&] {
      // At least 20 cuts, the first before any append, so cuts and appends interleave even
      // when the scheduler runs the appenders first.
      while (!stop.load() || cuts.load() < 20) {
        absl::StatusOr<int> s = w->NextSegment();
        EXPECT_TRUE(s.ok()) << s.status();
        cuts.fetch_add(1);
        std::this_thread::yield();
      }
    });
    while (cuts.load() == 0) std::this_thread::yield();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) EXPECT_TRUE(w->Append(StrCat(t, ":", i)).ok());
      });
    }
    for (auto& th : threads) th.join();
    stop.store(true);
    cutter.join();
    EXPECT_GT(w->CurrentSegment(), 20);
  }
  std::vector<std::string> got = Reopen();
  EXPECT_EQ(got.size(), size_t{kThreads * kPerThread});
  std::sort(got.begin(), got.end());
  EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end());
}

// Whether files in `dir` can be opened with O_DIRECT (not on tmpfs, say).
bool DirectIoWorksIn(const std::string& dir) {
  fs::create_directories(dir);
  const std::string probe = dir + "/probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
  if (fd >= 0) ::close(fd);
  fs::remove(probe);
  return fd >= 0;
}

// Synced segments, written directly where the file system allows it and through the cache
// otherwise: records of every size around the block boundaries, batches, segment rolls and
// flushes inside a batch all replay whole, from the files as a crash leaves them and after
// a clean close.
TEST_F(WalTest, SyncedAppendsOfEverySizeReplayWholeDirectOrBuffered) {
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct_io" : "buffered");
    fs::remove_all(dir_);
    const std::string copy = dir_ + "-crashed";
    fs::remove_all(copy);
    WalOptions o;
    o.sync = true;
    o.direct_io = direct;
    o.preallocate_bytes = 64 << 10;
    o.segment_bytes = 6 << 20;
    std::vector<std::string> want;
    {
      auto w = OpenWal(o);
      ASSERT_TRUE(w);
      EXPECT_EQ(w->direct_io_active(), direct && DirectIoWorksIn(dir_));
      // Frame sizes (9 header bytes + record) that end just before, on and after a block
      // boundary, records of several blocks, and one past the 4 MiB flush size.
      const size_t sizes[] = {0, 1, 7, 4078, 4079, 4080, 4087, 4096, 4097, 8183, 12288, 100000,
                              5 << 20, 3, 65536, 1};
      int n = 0;
      for (size_t size : sizes) {
        std::string r(size, static_cast<char>('a' + n % 26));
        if (!r.empty()) r[0] = static_cast<char>(n);  // no two records alike
        ASSERT_TRUE(w->Append(r).ok());
        want.push_back(std::move(r));
        ++n;
      }
      // Several records in one batch, some crossing blocks.
      std::vector<std::string> batch;
      for (int i = 0; i < 40; ++i) batch.push_back(StrCat(i, ":", std::string(i * 397, 'z')));
      std::vector<std::string_view> views(batch.begin(), batch.end());
      ASSERT_TRUE(w->Append(views).ok());
      want.insert(want.end(), batch.begin(), batch.end());
      // Concurrent appenders: their batches follow partial blocks of each other.
      std::vector<std::thread> threads;
      std::vector<std::vector<std::string>> per_thread(3);
      for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 200; ++i) {
            std::string r = StrCat("t", t, "-", i, "-", std::string((i * 131) % 5000, 'q'));
            EXPECT_TRUE(w->Append(r).ok());
            per_thread[t].push_back(std::move(r));
          }
        });
      }
      for (auto& th : threads) th.join();
      for (const auto& recs : per_thread) want.insert(want.end(), recs.begin(), recs.end());
      EXPECT_GE(w->CurrentSegment(), 2);  // the 5 MiB record rolled the first segment
      fs::copy(dir_, copy);  // what a crash now leaves behind
    }
    std::vector<std::string> sorted_want = want;
    std::sort(sorted_want.begin(), sorted_want.end());
    for (const std::string& from : {copy, dir_}) {
      SCOPED_TRACE(from == copy ? "crashed" : "closed");
      auto w = Wal::Open(from, o);
      ASSERT_TRUE(w.ok()) << w.status();
      WalReplayStats stats;
      std::vector<std::string> got = ReplayAll(**w, &stats);
      EXPECT_EQ(stats.damaged_files, 0);
      // The single appends keep their order; the threads' appends interleave.
      ASSERT_GE(got.size(), size_t{56});
      EXPECT_TRUE(std::equal(want.begin(), want.begin() + 56, got.begin()));
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, sorted_want);
    }
    fs::remove_all(copy);
  }
}

TEST_F(WalTest, TornTailAtEveryOffsetOfTheLastRecord) {
  std::vector<std::string> recs = Numbered(5);
  recs.push_back(std::string(40, 'z'));  // the record that will be torn
  {
    auto w = OpenWal();
    ASSERT_TRUE(AppendAll(*w, recs).ok());
  }
  const std::string original = dir_ + "/orig";
  fs::copy_file(Seg(1), original);
  const uint64_t full = FileSize(original);
  const uint64_t last_start = full - wal::kFrameHeaderSize - recs.back().size();
  std::vector<std::string> before(recs.begin(), recs.end() - 1);
  for (uint64_t cut = last_start; cut < full; ++cut) {
    SCOPED_TRACE(StrCat("cut at ", cut));
    fs::remove_all(dir_ + "/w");
    fs::create_directories(dir_ + "/w");
    fs::copy_file(original, dir_ + "/w/" + wal::SegmentName(1));
    fs::resize_file(dir_ + "/w/" + wal::SegmentName(1), cut);
    {
      auto w = Wal::Open(dir_ + "/w", Fast());
      ASSERT_TRUE(w.ok());
      WalReplayStats stats;
      EXPECT_EQ(ReplayAll(**w, &stats), before);
      EXPECT_EQ(stats.truncated_tail, cut != last_start);
      EXPECT_EQ(FileSize(dir_ + "/w/" + wal::SegmentName(1)), last_start);
      ASSERT_TRUE((*w)->Append("after").ok());
    }
    auto w = Wal::Open(dir_ + "/w", Fast());
    ASSERT_TRUE(w.ok());
    WalReplayStats stats;
    std::vector<std::string> want = before;
    want.push_back("after");
    EXPECT_EQ(ReplayAll(**w, &stats), want);
    EXPECT_EQ(stats.damaged_files, 0);
  }
}

TEST_F(WalTest, SyncedSegmentsReserveZeroedRoomThatACrashLeavesAsACleanEnd) {
  WalOptions o;
  o.sync = true;
  o.preallocate_bytes = 64 << 10;
  o.segment_bytes = 1 << 20;
  const std::string copy = dir_ + "-crashed";
  fs::remove_all(copy);
  std::vector<std::string> recs = Numbered(50);
  uint64_t data = 0;
  {
    auto w = OpenWal(o);
    ASSERT_TRUE(AppendAll(*w, recs).ok());
    // The segment being written is longer than its frames, by zeros.
    ASSERT_TRUE(w->Append(std::string(100 << 10, 'x')).ok());  // past the first room
    recs.push_back(std::string(100 << 10, 'x'));
    const uint64_t size = FileSize(Seg(1));
    EXPECT_GE(size, 100u << 10);
    auto tail = wal::AllZeroFrom(Seg(1), size - (16 << 10));
    ASSERT_TRUE(tail.ok());
    EXPECT_TRUE(*tail);
    // What a crash now leaves behind: the files as they are, zeros included.
    fs::copy(dir_, copy);
    ASSERT_TRUE(w->NextSegment().ok());
    // A segment rolled over is cut back to its data.
    data = FileSize(Seg(1));
    EXPECT_LT(data, size);
    auto rest = wal::AllZeroFrom(Seg(1), data - 8);
    ASSERT_TRUE(rest.ok());
    EXPECT_FALSE(*rest);
  }
  {
    auto w = Wal::Open(copy, o);
    ASSERT_TRUE(w.ok()) << w.status();
    WalReplayStats stats;
    EXPECT_EQ(ReplayAll(**w, &stats), recs);
    EXPECT_EQ(stats.damaged_files, 0);
    EXPECT_TRUE(stats.truncated_tail);
    EXPECT_EQ(FileSize(copy + "/" + wal::SegmentName(1)), data);
  }
  // In an older segment, reserved zeros are no damage either (and stay).
  fs::remove_all(copy);
  {
    auto w = OpenWal(o);
    ASSERT_TRUE(w->Append("more").ok());
  }
  {
    std::ofstream f(Seg(1), std::ios::binary | std::ios::app);
    std::string zeros(8192, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  WalReplayStats stats;
  std::vector<std::string> want = recs;
  want.push_back("more");
  EXPECT_EQ(Reopen(&stats, o), want);
  EXPECT_EQ(stats.damaged_files, 0);
  fs::remove_all(copy);
}

TEST_F(WalTest, ZerosInACheckpointOrOverASegmentHeaderAreDamage) {
  const std::vector<std::string> cp = {"cp-a", "cp-b"};
  {
    auto w = OpenWal();
    ASSERT_TRUE(AppendAll(*w, Numbered(3)).ok());
    ASSERT_TRUE(w->NextSegment().ok());
    std::vector<std::string_view> views(cp.begin(), cp.end());
    ASSERT_TRUE(w->WriteCheckpoint(1, views).ok());
    ASSERT_TRUE(w->Append("after").ok());
  }
  {
    std::ofstream f(dir_ + "/" + wal::CheckpointName(1), std::ios::binary | std::ios::app);
    std::string zeros(4096, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  WalReplayStats stats;
  std::vector<std::string> want = cp;
  want.push_back("after");
  EXPECT_EQ(Reopen(&stats), want);
  EXPECT_EQ(stats.damaged_files, 1);

  // A whole segment of zeros (its header included) is damage too, even when short.
  {
    std::ofstream f(Seg(2), std::ios::binary | std::ios::trunc);
    std::string zeros(4096, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  WalReplayStats again;
  Reopen(&again);
  EXPECT_EQ(again.damaged_files, 2);
}

TEST_F(WalTest, ZeroAndGarbageTailsAreTruncated) {
  for (std::string tail :
       {std::string(8192, '\0'), std::string("\x01\x10\x00\x00\x00garbage!", 14)}) {
    fs::remove_all(dir_);
    {
      auto w = OpenWal();
      ASSERT_TRUE(AppendAll(*w, Numbered(3)).ok());
    }
    uint64_t good = FileSize(Seg(1));
    {
      std::ofstream f(Seg(1), std::ios::binary | std::ios::app);
      f.write(tail.data(), static_cast<std::streamsize>(tail.size()));
    }
    {
      auto w = OpenWal();
      WalReplayStats stats;
      EXPECT_EQ(ReplayAll(*w, &stats), Numbered(3));
      EXPECT_TRUE(stats.truncated_tail);
      EXPECT_EQ(stats.dropped_bytes, tail.size());
      EXPECT_EQ(FileSize(Seg(1)), good);
      ASSERT_TRUE(w->Append("more").ok());
    }
    std::vector<std::string> want = Numbered(3);
    want.push_back("more");
    EXPECT_EQ(Reopen(), want);
  }
}

TEST_F(WalTest, ChecksumFlipInAnOlderSegmentSkipsOnlyItsRest) {
  {
    auto w = OpenWal();
    ASSERT_TRUE(AppendAll(*w, Numbered(4, "s1-")).ok());
    ASSERT_TRUE(w->NextSegment().ok());
    ASSERT_TRUE(AppendAll(*w, Numbered(3, "s2-")).ok());
  }
  // Flip a payload byte of the third record of segment 1 ("s1-2").
  {
    std::fstream f(Seg(1), std::ios::binary | std::ios::in | std::ios::out);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    size_t at = bytes.find("s1-2");
    ASSERT_NE(at, std::string::npos);
    f.seekp(static_cast<std::streamoff>(at + 1));
    f.put('X');
  }
  uint64_t seg1_size = FileSize(Seg(1));
  std::vector<std::string> want = {"s1-0", "s1-1", "s2-0", "s2-1", "s2-2"};
  WalReplayStats stats;
  EXPECT_EQ(Reopen(&stats), want);
  EXPECT_EQ(stats.damaged_files, 1);
  EXPECT_FALSE(stats.truncated_tail);
  EXPECT_EQ(FileSize(Seg(1)), seg1_size);  // older segments are left as they are
  EXPECT_EQ(Reopen(), want);               // and replay the same way every time
}

TEST_F(WalTest, ChecksumFlipInTheLastSegmentTruncatesFromThere) {
  {
    auto w = OpenWal();
    ASSERT_TRUE(AppendAll(*w, Numbered(5)).ok());
  }
  {
    std::fstream f(Seg(1), std::ios::binary | std::ios::in | std::ios::out);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    size_t at = bytes.find("rec-2");
    f.seekp(static_cast<std::streamoff>(at + 4));
    f.put('9');
  }
  WalReplayStats stats;
  EXPECT_EQ(Reopen(&stats), (std::vector<std::string>{"rec-0", "rec-1"}));
  EXPECT_TRUE(stats.truncated_tail);
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"rec-0", "rec-1"}));
}

TEST_F(WalTest, SegmentsRollOverAtTheConfiguredSize) {
  WalOptions opts = Fast();
  opts.segment_bytes = 256;
  std::vector<std::string> recs = Numbered(60, "record-number-");  // ~26-byte frames
  std::string big(1000, 'B');
  {
    auto w = OpenWal(opts);
    ASSERT_TRUE(AppendAll(*w, recs).ok());
    ASSERT_TRUE(w->Append(big).ok());  // larger than a segment: a segment of its own
    ASSERT_TRUE(w->Append("tail").ok());
    std::vector<std::string_view> batch(recs.begin(), recs.begin() + 30);
    ASSERT_TRUE(w->Append(batch).ok());  // one batch spanning several segments
    EXPECT_GT(w->CurrentSegment(), 8);
  }
  std::vector<int> segs = Segments(dir_);
  ASSERT_GT(segs.size(), 8u);
  int oversized = 0;
  for (int s : segs) {
    uint64_t size = FileSize(Seg(s));
    if (size > opts.segment_bytes) {
      ++oversized;
      EXPECT_EQ(size, wal::kFileHeaderSize + wal::kFrameHeaderSize + big.size());
    }
  }
  EXPECT_EQ(oversized, 1);
  std::vector<std::string> want = recs;
  want.push_back(big);
  want.push_back("tail");
  want.insert(want.end(), recs.begin(), recs.begin() + 30);
  EXPECT_EQ(Reopen(nullptr, opts), want);
}

TEST_F(WalTest, TruncateBeforeDeletesOlderSegments) {
  auto w = OpenWal();
  for (int s = 1; s <= 4; ++s) {
    ASSERT_TRUE(w->Append(StrCat("in-", s)).ok());
    ASSERT_TRUE(w->NextSegment().ok());
  }
  EXPECT_EQ(w->CurrentSegment(), 5);
  uint64_t before = w->SizeBytes();
  ASSERT_TRUE(w->TruncateBefore(3).ok());
  EXPECT_EQ(Segments(dir_), (std::vector<int>{3, 4, 5}));
  EXPECT_LT(w->SizeBytes(), before);
  EXPECT_EQ(ReplayAll(*w), (std::vector<std::string>{"in-3", "in-4"}));
  absl::Status st = w->TruncateBefore(6);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  ASSERT_TRUE(w->TruncateBefore(5).ok());
  EXPECT_EQ(Segments(dir_), (std::vector<int>{5}));
  ASSERT_TRUE(w->Append("kept").ok());
  w.reset();
  EXPECT_EQ(Reopen(), std::vector<std::string>{"kept"});
}

TEST_F(WalTest, CheckpointThenReplayStartsFromIt) {
  {
    auto w = OpenWal();
    ASSERT_TRUE(AppendAll(*w, Numbered(3, "old-")).ok());
    absl::StatusOr<int> next = w->NextSegment();
    ASSERT_TRUE(next.ok());
    ASSERT_TRUE(w->Append("new-0").ok());
    std::string_view live[] = {"series-a", "series-b"};
    absl::Status bad = w->WriteCheckpoint(*next, live);
    EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
    ASSERT_TRUE(w->WriteCheckpoint(*next - 1, live).ok());
    // Before old segments are removed, replay already skips what the checkpoint covers.
    EXPECT_EQ(ReplayAll(*w), (std::vector<std::string>{"series-a", "series-b"}));
    ASSERT_TRUE(w->TruncateBefore(*next).ok());
    ASSERT_TRUE(w->Append("new-1").ok());
  }
  WalReplayStats stats;
  EXPECT_EQ(Reopen(&stats), (std::vector<std::string>{"series-a", "series-b", "new-0", "new-1"}));
  EXPECT_EQ(stats.checkpoint, 1);

  // A second checkpoint replaces the first; an older one is refused.
  {
    auto w = OpenWal();
    ASSERT_TRUE(w->Append("newer").ok());
    int upto = w->CurrentSegment();
    ASSERT_TRUE(w->NextSegment().ok());
    std::string_view live[] = {"series-c"};
    ASSERT_TRUE(w->WriteCheckpoint(upto, live).ok());
    EXPECT_FALSE(w->WriteCheckpoint(1, live).ok());
    ASSERT_TRUE(w->TruncateBefore(upto + 1).ok());
    EXPECT_FALSE(fs::exists(dir_ + "/" + wal::CheckpointName(1)));
    EXPECT_TRUE(fs::exists(dir_ + "/" + wal::CheckpointName(upto)));
    ASSERT_TRUE(w->Append("latest").ok());
  }
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"series-c", "latest"}));
}

TEST_F(WalTest, UnfinishedCheckpointIsRemovedAndDamagedCheckpointIsSkipped) {
  {
    auto w = OpenWal();
    ASSERT_TRUE(w->Append("seg1").ok());
    ASSERT_TRUE(w->NextSegment().ok());
    std::string_view live[] = {"cp-0", "cp-1", "cp-2"};
    ASSERT_TRUE(w->WriteCheckpoint(1, live).ok());
    ASSERT_TRUE(w->Append("seg2").ok());
  }
  std::ofstream(dir_ + "/checkpoint.00000002.tmp") << "half written";
  // Damage the last checkpoint record: the records before it are kept.
  std::string cp = dir_ + "/" + wal::CheckpointName(1);
  fs::resize_file(cp, FileSize(cp) - 1);
  WalReplayStats stats;
  EXPECT_EQ(Reopen(&stats), (std::vector<std::string>{"cp-0", "cp-1", "seg2"}));
  EXPECT_EQ(stats.damaged_files, 1);
  EXPECT_FALSE(fs::exists(dir_ + "/checkpoint.00000002.tmp"));
}

TEST_F(WalTest, CloseIsIdempotentAndLocksTheDirectory) {
  auto w = OpenWal();
  ASSERT_TRUE(w->Append("x").ok());
  auto second = Wal::Open(dir_, Fast());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_TRUE(w->Close().ok());
  EXPECT_TRUE(w->Close().ok());
  EXPECT_EQ(w->Append("y").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(w->NextSegment().ok());
  EXPECT_FALSE(w->TruncateBefore(1).ok());
  auto reopened = Wal::Open(dir_, Fast());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(ReplayAll(**reopened), std::vector<std::string>{"x"});
}

TEST_F(WalTest, SizeBytesCountsSegmentsAndCheckpoints) {
  auto w = OpenWal();
  uint64_t empty = w->SizeBytes();
  EXPECT_EQ(empty, wal::kFileHeaderSize);
  ASSERT_TRUE(w->Append(std::string(1000, 'a')).ok());
  EXPECT_EQ(w->SizeBytes(), empty + wal::kFrameHeaderSize + 1000);
  ASSERT_TRUE(w->NextSegment().ok());
  std::string_view live[] = {"abc"};
  ASSERT_TRUE(w->WriteCheckpoint(1, live).ok());
  EXPECT_EQ(w->SizeBytes(), 2 * empty + wal::kFrameHeaderSize + 1000 + wal::kFileHeaderSize +
                                wal::kFrameHeaderSize + 3);
}

TEST_F(WalTest, ReplayStopsOnCallbackErrorAndRejectsNewerFormats) {
  {
    auto w = OpenWal();
    ASSERT_TRUE(AppendAll(*w, Numbered(3)).ok());
  }
  {
    auto w = OpenWal();
    int seen = 0;
    absl::Status st = w->Replay([&](std::string_view) {
      return ++seen == 2 ? absl::AbortedError("stop") : absl::OkStatus();
    });
    EXPECT_EQ(st.code(), absl::StatusCode::kAborted);
    EXPECT_EQ(seen, 2);
  }
  {
    std::fstream f(Seg(1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(4);
    f.put('\x02');
  }
  uint64_t size = FileSize(Seg(1));
  auto w = OpenWal();
  absl::Status st = w->Replay([](std::string_view) { return absl::OkStatus(); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_EQ(FileSize(Seg(1)), size);  // never truncated
}

TEST_F(WalTest, BadOptionsAndMissingSegmentsAreHandled) {
  WalOptions tiny = Fast();
  tiny.segment_bytes = 10;
  EXPECT_EQ(Wal::Open(dir_, tiny).status().code(), absl::StatusCode::kInvalidArgument);
  {
    auto w = OpenWal();
    for (int s = 1; s <= 3; ++s) {
      ASSERT_TRUE(w->Append(StrCat("in-", s)).ok());
      ASSERT_TRUE(w->NextSegment().ok());
    }
  }
  fs::remove(Seg(2));  // a gap is logged; the rest is still replayed
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"in-1", "in-3"}));
}

}  // namespace
}  // namespace vigil
