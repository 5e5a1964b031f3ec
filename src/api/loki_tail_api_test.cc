// /loki/api/v1/tail end to end: an HttpServer with the route over a LogsDb in a temp dir,
// driven by Beast's WebSocket client.
#include "api/loki_tail_api.h"

#include <thread>

#include "common/strings.h"
#include "common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "http/test_websocket_client.h"
#include "http/url.h"
#include "storage/logs/temp_logs_db.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr int64_t kSec = 1'000'000'000;

class LokiTailApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.logs.store(db_.get());
    ctx_.registry = &metrics_;
    options_.poll_interval = 100ms;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
  }

  void StartServer() {
    HttpServerOptions so;
    so.worker_threads = 2;
    so.shutdown_timeout = 5s;
    server_ = std::make_unique<HttpServer>(so);
    RegisterLokiTailApi(server_->router(), ctx_, engine_, options_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void Add(std::string_view service, int64_t ts, std::string_view line) {
    LogBatch batch;
    uint32_t s = batch.AddStream(Labels{{"service_name", std::string(service)}});
    LogBatch::Entry& e = batch.AddEntry(s);
    e.timestamp_ns = ts;
    e.body = batch.Copy(line);
    auto st = db_->Append(batch);
    ASSERT_TRUE(st.ok()) << st.status();
  }

  static std::string Target(std::string_view query, std::string_view extra = "") {
    return StrCat("/loki/api/v1/tail?query=", UrlEncode(query), extra);
  }

  // Reads frames until every one of `lines` was seen (true) or `timeout` passed; appends
  // the frames to `frames`.
  static bool ReadUntil(TestWebSocketClient& c, const std::vector<std::string>& lines,
                        std::chrono::milliseconds timeout, std::string* frames) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      bool all = true;
      for (const std::string& l : lines) all = all && frames->find(l) != std::string::npos;
      if (all) return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto msg = c.Read(left);
      if (!msg.ok()) return false;
      *frames += *msg;
    }
  }

  TempLogsDb db_;
  MetricsRegistry metrics_;
  ApiContext ctx_;
  logql::LogqlEngine engine_;
  LokiTailApiOptions options_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(LokiTailApiTest, InitialBatchThenLiveEntries) {
  StartServer();
  int64_t now = NowNs();
  Add("app", now - 3 * kSec, "history 0");
  Add("app", now - 2 * kSec, "history 1");
  Add("app", now - 1 * kSec, "history 2");
  Add("other", now - 1 * kSec, "other stream");
  TestWebSocketClient c;
  ASSERT_EQ(c.Connect(server_->port(), Target("{service_name=\"app\"}", "&limit=2")), 101);
  auto first = c.Read(5s);
  ASSERT_TRUE(first.ok()) << first.status();
  // The two newest, oldest first, in Loki's tail shape.
  EXPECT_THAT(*first, HasSubstr(StrCat("{\"streams\":[{\"stream\":{\"service_name\":\"app\"},"
                                       "\"values\":[[\"",
                                       now - 2 * kSec, "\",\"history 1\"],[\"", now - kSec,
                                       "\",\"history 2\"]]}],\"dropped_entries\":null}")));
  EXPECT_THAT(*first, Not(HasSubstr("history 0")));
  EXPECT_THAT(*first, Not(HasSubstr("other stream")));

  // Lines appended now arrive within a few seconds, each once.
  Add("app", NowNs(), "live 1");
  Add("app", NowNs(), "live 2");
  std::string frames;
  EXPECT_TRUE(ReadUntil(c, {"live 1", "live 2"}, 5s, &frames)) << frames;
  Add("app", NowNs(), "live 3");
  EXPECT_TRUE(ReadUntil(c, {"live 3"}, 5s, &frames)) << frames;
  EXPECT_EQ(frames.find("live 1"), frames.rfind("live 1"));
  EXPECT_THAT(frames, Not(HasSubstr("history")));
  EXPECT_THAT(metrics_.RenderText(), HasSubstr("vigil_loki_tail_connections 1"));

  c.CloseAsync();
  EXPECT_TRUE(c.WaitServerClose(3s));
}

TEST_F(LokiTailApiTest, FilteredQueryAndStart) {
  StartServer();
  int64_t now = NowNs();
  Add("app", now - 100 * kSec, "error: ancient");
  Add("app", now - 2 * kSec, "error: recent");
  Add("app", now - 1 * kSec, "info: recent");
  TestWebSocketClient c;
  ASSERT_EQ(c.Connect(server_->port(), Target("{service_name=\"app\"} |= \"error\"",
                                              StrCat("&start=", now - 10 * kSec))),
            101);
  std::string frames;
  EXPECT_TRUE(ReadUntil(c, {"error: recent"}, 5s, &frames)) << frames;
  Add("app", NowNs(), "info: live");
  Add("app", NowNs(), "error: live");
  EXPECT_TRUE(ReadUntil(c, {"error: live"}, 5s, &frames)) << frames;
  EXPECT_THAT(frames, Not(HasSubstr("ancient")));
  EXPECT_THAT(frames, Not(HasSubstr("info:")));
}

TEST_F(LokiTailApiTest, BadRequestsAreRefusedBeforeTheUpgrade) {
  StartServer();
  struct Case {
    std::string target;
    int status;
    std::string message;
  };
  std::vector<Case> cases = {
      {"/loki/api/v1/tail", 400, "query parameter is required"},
      {Target("sum(rate({service_name=\"app\"}[1m]))"), 400, "only log selector is supported"},
      {Target("{service_name=\"app\""), 400, "parse error"},
      {Target("{service_name=\"app\"}", "&delay_for=6"), 400, "delay_for can't be greater than 5"},
      {Target("{service_name=\"app\"}", "&delay_for=x"), 400, "invalid delay_for parameter"},
      {Target("{service_name=\"app\"}", "&limit=100000"), 400,
       "max entries limit per query exceeded"},
      {Target("{service_name=\"app\"}", "&limit=-1"), 400, "invalid limit parameter"},
      {Target("{service_name=\"app\"}", "&start=yesterday"), 400, "invalid start parameter"},
  };
  for (const Case& tc : cases) {
    TestWebSocketClient c;
    EXPECT_EQ(c.Connect(server_->port(), tc.target), tc.status) << tc.target;
    EXPECT_THAT(c.refusal_body(), HasSubstr(tc.message)) << tc.target;
  }
  // Without the upgrade headers.
  HttpClient client;
  auto res =
      client.Get(StrCat("http://127.0.0.1:", server_->port(), Target("{service_name=\"app\"}")));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("websocket upgrade required"));
}

TEST_F(LokiTailApiTest, StoreNotReadyIs503) {
  ctx_.logs.store(nullptr);
  StartServer();
  TestWebSocketClient c;
  EXPECT_EQ(c.Connect(server_->port(), Target("{service_name=\"app\"}")), 503);
}

TEST_F(LokiTailApiTest, ConcurrentTailsAreLimited) {
  options_.max_concurrent_tails = 1;
  StartServer();
  TestWebSocketClient a;
  ASSERT_EQ(a.Connect(server_->port(), Target("{service_name=\"app\"}")), 101);
  TestWebSocketClient b;
  EXPECT_EQ(b.Connect(server_->port(), Target("{service_name=\"app\"}")), 429);
  EXPECT_THAT(b.refusal_body(), HasSubstr("max concurrent tail requests limit exceeded"));
  // The place frees once the first tail is gone.
  a.CloseAsync();
  EXPECT_TRUE(a.WaitServerClose(3s));
  bool reopened = false;
  for (int i = 0; i < 100 && !reopened; ++i) {
    TestWebSocketClient again;
    reopened = again.Connect(server_->port(), Target("{service_name=\"app\"}")) == 101;
    if (!reopened) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(reopened);
}

TEST_F(LokiTailApiTest, ServerStopClosesTheTail) {
  StartServer();
  Add("app", NowNs() - kSec, "hello");
  TestWebSocketClient c;
  ASSERT_EQ(c.Connect(server_->port(), Target("{service_name=\"app\"}")), 101);
  auto first = c.Read(5s);
  ASSERT_TRUE(first.ok()) << first.status();
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(); });
  EXPECT_TRUE(c.WaitServerClose(4s));
  EXPECT_EQ(c.close_code(), kWsCloseGoingAway);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST_F(LokiTailApiTest, ClientGoingAwayEndsPolling) {
  StartServer();
  {
    TestWebSocketClient c;
    ASSERT_EQ(c.Connect(server_->port(), Target("{service_name=\"app\"}")), 101);
    std::this_thread::sleep_for(200ms);
    c.Abort();
  }
  // The tail notices and gives its place back.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = metrics_.RenderText().find("vigil_loki_tail_connections 0") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(gone) << metrics_.RenderText();
}

}  // namespace
}  // namespace vigil
