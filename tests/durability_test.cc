// Crash safety: every sample vigil acknowledged (2xx) before a kill -9 is there after restart.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/strings.h"
#include "common/time_util.h"
#include "tests/test_client.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

TEST(DurabilityTest, KillNineLosesNothingAcknowledged) {
  TempDir dir;
  VigilProcess vigil;
  ASSERT_TRUE(vigil.Start(dir.path()).ok()) << vigil.log();
  constexpr int kWriters = 4, kSeriesPerWriter = 50;
  const int64_t t0 = NowMs() - 60000;
  std::atomic<bool> stop{false};
  // Per writer: how many rounds were acknowledged. Round r writes t0 + r*10ms, value r.
  std::vector<std::atomic<int>> acked(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpConnection conn(vigil.host(), vigil.port());
      for (int round = 0; !stop.load(); ++round) {
        std::vector<WriteSeries> batch;
        for (int s = 0; s < kSeriesPerWriter; ++s) {
          batch.push_back({Labels({{"__name__", "durable"}, {"s", std::to_string(s)},
                                   {"w", std::to_string(w)}}),
                           {{t0 + round * 10, double(round)}},
                           {}});
        }
        auto r = conn.Do("POST", "/api/v1/write", RemoteWriteHeaders(), RemoteWriteBody(batch),
                         std::chrono::seconds(10));
        if (!r.ok() || r->status != 204) return;  // the server is gone
        acked[w].store(round + 1);
      }
    });
  }
  // Let load build up, then crash the server in the middle of it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  vigil.Kill();
  stop.store(true);
  for (auto& t : writers) t.join();
  int total_rounds = 0;
  for (auto& a : acked) total_rounds += a.load();
  ASSERT_GT(total_rounds, 0) << "no write was acknowledged before the kill";

  VigilProcess again;
  ASSERT_TRUE(again.Start(dir.path()).ok()) << again.log();
  auto data = ExportAll(again, "durable");
  for (int w = 0; w < kWriters; ++w) {
    for (int s = 0; s < kSeriesPerWriter; ++s) {
      std::string key = StrCat("durable{s=\"", s, "\", w=\"", w, "\"}");
      const auto& got = data[key];
      ASSERT_GE(got.size(), size_t(acked[w].load())) << key;
      for (int r = 0; r < acked[w].load(); ++r) {
        ASSERT_EQ(got[r].first, t0 + r * 10) << key << " round " << r;
        ASSERT_EQ(got[r].second, double(r)) << key << " round " << r;
      }
    }
  }
  // WAL replay is logged with what it found.
  EXPECT_NE(again.log().find("\"msg\":\"WAL replayed\""), std::string::npos);
}

TEST(DurabilityTest, GracefulShutdownOnSigterm) {
  TempDir dir;
  VigilProcess vigil;
  ASSERT_TRUE(vigil.Start(dir.path()).ok()) << vigil.log();
  int64_t now = NowMs();
  std::vector<WriteSeries> batch = {{Labels({{"__name__", "graceful"}}), {{now, 42}}, {}}};
  ASSERT_EQ(vigil.Post("/api/v1/write", RemoteWriteBody(batch), RemoteWriteHeaders())->status, 204);
  int status = vigil.Terminate();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(vigil.log().find("\"msg\":\"stopped\""), std::string::npos) << vigil.log();
  VigilProcess again;
  ASSERT_TRUE(again.Start(dir.path()).ok());
  auto data = ExportAll(again, "graceful");
  ASSERT_EQ(data["graceful"].size(), 1u);
  EXPECT_EQ(data["graceful"][0].second, 42);
}

}  // namespace
}  // namespace vigil::testing
