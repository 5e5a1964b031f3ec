// WebSocket routes end to end: a real HttpServer on a loopback port, driven by Beast's
// WebSocket client (test_websocket_client.h) and HttpClient.
#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "http/test_websocket_client.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class WebSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.shutdown_timeout = 5s;
    options_.worker_threads = 2;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  void StartServer() {
    server_ = std::make_unique<HttpServer>(options_);
    Router& r = server_->router();
    // Greets with the `name` parameter, then echoes every message until the client closes.
    r.HandleWebSocket(
        "/ws/echo",
        [this](const HttpRequest& req, HttpResponse&) -> WebSocketBody {
          std::string name = req.Param("name").value_or("anonymous");
          return [this, name](WebSocketConnection& conn) {
            ++bodies_started_;
            EXPECT_TRUE(conn.SendText("hello " + name).ok());
            while (!conn.closed()) {
              auto msg = conn.Receive(100ms);
              if (msg) (void)conn.SendText("echo:" + *msg);
            }
            ++bodies_finished_;
          };
        },
        "ws_echo");
    // Refuses unless `ok=1`.
    r.HandleWebSocket(
        "/ws/guarded",
        [](const HttpRequest& req, HttpResponse& resp) -> WebSocketBody {
          if (req.Param("ok").value_or("") != "1") {
            resp.SetError(400, "bad_data", "parameter ok must be 1");
            return nullptr;
          }
          return [](WebSocketConnection& conn) { conn.WaitClosed(10s); };
        },
        "ws_guarded");
    // Waits until closed (by the client or by the server stopping).
    r.HandleWebSocket(
        "/ws/wait",
        [this](const HttpRequest&, HttpResponse&) -> WebSocketBody {
          return [this](WebSocketConnection& conn) {
            ++bodies_started_;
            while (!conn.WaitClosed(1h)) {
            }
            ++bodies_finished_;
          };
        },
        "ws_wait");
    // Sends 256 KiB frames until the queue refuses one, then reports what it saw.
    r.HandleWebSocket(
        "/ws/flood",
        [this](const HttpRequest&, HttpResponse&) -> WebSocketBody {
          return [this](WebSocketConnection& conn) {
            std::string frame(256 << 10, 'x');
            for (int i = 0; i < 400 && !conn.closed(); ++i) {
              absl::Status st = conn.SendText(frame);
              if (absl::IsResourceExhausted(st)) {
                flood_refused_ = true;
                flood_queued_bytes_ = conn.QueuedBytes();
                break;
              }
            }
            conn.WaitClosed(10s);
          };
        },
        "ws_flood");
    r.HandleWebSocket(
        "/ws/throws",
        [](const HttpRequest&, HttpResponse&) -> WebSocketBody {
          throw std::runtime_error("boom");
        },
        "ws_throws");
    r.HandleWebSocket(
        "/ws/silent", [](const HttpRequest&, HttpResponse&) -> WebSocketBody { return nullptr; },
        "ws_silent");
    ASSERT_TRUE(server_->Start().ok());
  }

  bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 3s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (cond()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return cond();
  }

  HttpServerOptions options_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> bodies_started_{0};
  std::atomic<int> bodies_finished_{0};
  std::atomic<bool> flood_refused_{false};
  std::atomic<size_t> flood_queued_bytes_{0};
};

TEST_F(WebSocketTest, UpgradeSendReceiveAndClientClose) {
  StartServer();
  TestWebSocketClient c;
  ASSERT_EQ(c.Connect(server_->port(), "/ws/echo?name=ann"), 101);
  auto hello = c.Read(3s);
  ASSERT_TRUE(hello.ok()) << hello.status();
  EXPECT_EQ(*hello, "hello ann");
  for (const std::string& m : std::vector<std::string>{"one", "two", std::string(100000, 'z')}) {
    ASSERT_TRUE(c.Send(m));
    auto echo = c.Read(3s);
    ASSERT_TRUE(echo.ok()) << echo.status();
    EXPECT_EQ(*echo, "echo:" + m);
  }
  // The client's close reaches the body, which returns.
  c.CloseAsync();
  EXPECT_TRUE(c.WaitServerClose(3s));
  EXPECT_TRUE(WaitFor([&] { return bodies_finished_ == 1; }));
}

TEST_F(WebSocketTest, ClientDisappearingEndsTheBody) {
  StartServer();
  {
    TestWebSocketClient c;
    ASSERT_EQ(c.Connect(server_->port(), "/ws/wait"), 101);
    ASSERT_TRUE(WaitFor([&] { return bodies_started_ == 1; }));
    c.Abort();  // no close frame
  }
  EXPECT_TRUE(WaitFor([&] { return bodies_finished_ == 1; }));
}

TEST_F(WebSocketTest, PlainRequestToWebSocketRouteIs400) {
  StartServer();
  HttpClient client;
  auto res = client.Get(StrCat("http://127.0.0.1:", server_->port(), "/ws/echo"));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("websocket upgrade required"));
  // POST is not a method of the route.
  auto post = client.Do("POST", StrCat("http://127.0.0.1:", server_->port(), "/ws/echo"), {}, "x");
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->status, 405);
}

TEST_F(WebSocketTest, HandlerRefusesWithHttpError) {
  StartServer();
  TestWebSocketClient refused;
  EXPECT_EQ(refused.Connect(server_->port(), "/ws/guarded?ok=0"), 400);
  EXPECT_THAT(refused.refusal_body(), HasSubstr("parameter ok must be 1"));
  TestWebSocketClient accepted;
  EXPECT_EQ(accepted.Connect(server_->port(), "/ws/guarded?ok=1"), 101);
}

TEST_F(WebSocketTest, HandlerFailuresAre500) {
  StartServer();
  TestWebSocketClient throws;
  EXPECT_EQ(throws.Connect(server_->port(), "/ws/throws"), 500);
  EXPECT_THAT(throws.refusal_body(), HasSubstr("boom"));
  TestWebSocketClient silent;
  EXPECT_EQ(silent.Connect(server_->port(), "/ws/silent"), 500);
  EXPECT_THAT(silent.refusal_body(), HasSubstr("neither accepted nor refused"));
}

TEST_F(WebSocketTest, StopClosesOpenConnectionsPromptly) {
  StartServer();
  TestWebSocketClient a, b;
  ASSERT_EQ(a.Connect(server_->port(), "/ws/wait"), 101);
  ASSERT_EQ(b.Connect(server_->port(), "/ws/echo"), 101);
  ASSERT_TRUE(WaitFor([&] { return bodies_started_ == 2; }));
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(); });
  // Clients keep reading, as real ones do, and so answer the close handshake.
  EXPECT_TRUE(a.WaitServerClose(4s));
  EXPECT_EQ(a.close_code(), kWsCloseGoingAway);
  EXPECT_TRUE(b.WaitServerClose(4s));
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);  // well before shutdown_timeout
  EXPECT_EQ(bodies_finished_, 2);
}

TEST_F(WebSocketTest, StopForceClosesClientsThatDoNotAnswer) {
  options_.shutdown_timeout = 500ms;
  StartServer();
  TestWebSocketClient c;
  ASSERT_EQ(c.Connect(server_->port(), "/ws/wait"), 101);
  ASSERT_TRUE(WaitFor([&] { return bodies_started_ == 1; }));
  auto start = std::chrono::steady_clock::now();
  server_->Stop();  // the client never reads, so never answers the close frame
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_EQ(bodies_finished_, 1);
}

TEST_F(WebSocketTest, OutgoingQueueIsBounded) {
  options_.websocket_max_queued_bytes = 1 << 20;
  StartServer();
  TestWebSocketClient c;
  ASSERT_EQ(c.Connect(server_->port(), "/ws/flood"), 101);
  // The client does not read: once the socket buffers fill, the queue refuses frames.
  ASSERT_TRUE(WaitFor([&] { return flood_refused_.load(); }, 10s));
  EXPECT_LE(flood_queued_bytes_.load(), size_t{1} << 20);
  // The connection still works: the queued frames arrive.
  auto first = c.Read(3s);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), size_t{256} << 10);
  c.Abort();
}

TEST_F(WebSocketTest, ConnectionLimit) {
  options_.max_websocket_connections = 1;
  StartServer();
  TestWebSocketClient a;
  ASSERT_EQ(a.Connect(server_->port(), "/ws/wait"), 101);
  ASSERT_TRUE(WaitFor([&] { return bodies_started_ == 1; }));
  TestWebSocketClient b;
  EXPECT_EQ(b.Connect(server_->port(), "/ws/wait"), 503);
  EXPECT_THAT(b.refusal_body(), HasSubstr("too many WebSocket connections"));
  a.CloseAsync();
  EXPECT_TRUE(a.WaitServerClose(3s));
  // The slot frees once the first connection is gone.
  EXPECT_TRUE(WaitFor([&] {
    TestWebSocketClient again;
    return again.Connect(server_->port(), "/ws/guarded?ok=1") == 101;
  }));
}

TEST(WebSocketRouterTest, WebSocketRoutesMatchAsGet) {
  Router r;
  r.HandleWebSocket(
      "/tail/:name", [](const HttpRequest&, HttpResponse&) -> WebSocketBody { return nullptr; },
      "tail");
  auto m = r.Find("GET", "/tail/x");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->outcome, Router::Outcome::kFound);
  EXPECT_TRUE(m->route->websocket != nullptr);
  EXPECT_TRUE(m->route->handler == nullptr);
  EXPECT_EQ(m->route->handler_name, "tail");
  EXPECT_EQ(r.Find("PUT", "/tail/x")->outcome, Router::Outcome::kMethodNotAllowed);
}

}  // namespace
}  // namespace vigil
