#include "bench/metrics/proc_stats.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace vigil::bench {
namespace {

constexpr std::string_view kStatus =
    "Name:\tvigil\nVmPeak:\t  999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads:\t9\n";

TEST(ProcStatsTest, ParsesStatAndStatus) {
  // The command name may contain spaces and parentheses; utime=250, stime=50 ticks.
  const std::string stat =
      "1234 (my (odd) server) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 55 "
      "1000000 256 18446744073709551615\n";
  absl::StatusOr<ProcessStats> s = ParseProcessStats(stat, kStatus, 100);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cpu_us, 3'000'000);
  EXPECT_EQ(s->rss_bytes, 1024 * 1024);
  EXPECT_EQ(s->hwm_bytes, 2048 * 1024);
}

TEST(ProcStatsTest, RejectsUnexpectedText) {
  EXPECT_FALSE(ParseProcessStats("", kStatus, 100).ok());
  EXPECT_FALSE(ParseProcessStats("1 (x) S 1 2 3", kStatus, 100).ok());
  const std::string stat = "1 (x) S 1 1 1 0 -1 0 0 0 0 0 5 5 0 0\n";
  EXPECT_TRUE(ParseProcessStats(stat, kStatus, 100).ok());
  EXPECT_FALSE(ParseProcessStats(stat, "VmRSS:\t12 kB\n", 100).ok());  // no VmHWM
  EXPECT_FALSE(ParseProcessStats(stat, "VmRSS:\tlots kB\nVmHWM:\t1 kB\n", 100).ok());
  EXPECT_FALSE(ParseProcessStats(stat, kStatus, 0).ok());
}

TEST(ProcStatsTest, ReadsThisProcess) {
  absl::StatusOr<ProcessStats> s = ReadProcessStats(getpid());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GT(s->rss_bytes, 0);
  EXPECT_GE(s->hwm_bytes, s->rss_bytes);
  EXPECT_GE(s->cpu_us, 0);
  EXPECT_EQ(ReadProcessStats(-5).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::bench
