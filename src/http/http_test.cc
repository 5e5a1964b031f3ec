// End-to-end tests: a real HttpServer on an ephemeral loopback port, driven by HttpClient,
// HttpConnection and raw sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/self_metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/compression.h"
#include "http/http_client.h"
#include "http/http_server.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// Sends `data` on a fresh loopback connection and reads until the server closes it or
// `max_wait` passes.
std::string RawExchange(uint16_t port, std::string_view data,
                        std::chrono::milliseconds max_wait = 3s) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{0, 100 * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[8192];
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

size_t CountOccurrences(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos;
       pos = hay.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.metrics = &metrics_;
    options_.max_body_bytes = 64 << 10;
    options_.max_decompressed_bytes = 1 << 20;
    options_.shutdown_timeout = 2s;
  }

  void StartServer() {
    server_ = std::make_unique<HttpServer>(options_);
    server_->Handle(
        "GET", "/hello", [](const HttpRequest&, HttpResponse& res) { res.SetText(200, "hello"); },
        "hello");
    server_->Handle(
        "GET", "/api/v1/label/:name/values",
        [](const HttpRequest& req, HttpResponse& res) {
          res.SetJson(200, "{\"name\":\"" + std::string(req.PathParam("name")) + "\",\"path\":\"" +
                               req.path() + "\"}");
        },
        "label_values");
    server_->Handle(
        "*", "/params",
        [](const HttpRequest& req, HttpResponse& res) {
          std::string out;
          for (const auto& v : req.Params("match[]")) out += v + "|";
          out += "q=" + req.Param("q").value_or("<none>");
          res.SetText(200, out);
        },
        "params");
    server_->Handle(
        "POST", "/echo",
        [](const HttpRequest& req, HttpResponse& res) {
          res.SetText(200, req.body());
          res.headers().Set("X-Had-Content-Encoding",
                            req.Header("Content-Encoding").value_or("none"));
          res.headers().Set("X-Remote", req.remote_address());
        },
        "echo");
    server_->Handle(
        "GET", "/big",
        [](const HttpRequest&, HttpResponse& res) { res.SetText(200, std::string(100000, 'b')); },
        "big");
    server_->Handle(
        "GET", "/throw",
        [](const HttpRequest&, HttpResponse&) { throw std::runtime_error("boom"); }, "throw");
    server_->Handle(
        "GET", "/slow",
        [this](const HttpRequest&, HttpResponse& res) {
          slow_started_.store(true);
          std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms_.load()));
          res.SetText(200, "slow done");
        },
        "slow");
    server_->Handle(
        "GET", "/ui/*",
        [](const HttpRequest& req, HttpResponse& res) {
          res.SetText(200, "ui:" + std::string(req.PathParam("*")));
        },
        "ui");
    absl::Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st;
    ASSERT_NE(server_->port(), 0);
  }

  std::string Url(std::string_view target) {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }

  MetricsRegistry metrics_;
  HttpServerOptions options_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> slow_started_{false};
  std::atomic<int> slow_ms_{500};
  HttpClient client_;
};

TEST_F(HttpServerTest, RoutesWithPathParams) {
  StartServer();
  auto r = client_.Get(Url("/hello"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->headers.GetOr("content-type"), kContentTypeText);

  r = client_.Get(Url("/api/v1/label/job/values"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, R"({"name":"job","path":"/api/v1/label/job/values"})");
  EXPECT_EQ(r->headers.GetOr("Content-Type"), kContentTypeJson);

  r = client_.Get(Url("/api/v1/label/a%20b/values"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, R"({"name":"a b","path":"/api/v1/label/a b/values"})");

  r = client_.Get(Url("/ui/js/app.js"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "ui:js/app.js");
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowedAreJson) {
  StartServer();
  auto r = client_.Get(Url("/nope"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers.GetOr("Content-Type"), kContentTypeJson);
  EXPECT_THAT(r->body, HasSubstr(R"("status":"error","errorType":"not_found")"));

  r = client_.Do("DELETE", Url("/hello"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers.GetOr("Allow"), "GET, HEAD");
  EXPECT_THAT(r->body, HasSubstr(R"("errorType":"method_not_allowed")"));

  r = client_.Get(Url("/hello%zz"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("invalid URL escape"));
}

TEST_F(HttpServerTest, HeadIsServedByGet) {
  StartServer();
  auto r = client_.Do("HEAD", Url("/hello"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->headers.GetOr("Content-Length"), "5");
}

TEST_F(HttpServerTest, QueryAndFormParamsWithRepeats) {
  StartServer();
  auto r = client_.Get(Url("/params?match[]=up&match%5B%5D=a+b&q=x"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "up|a b|q=x");

  HttpHeaders form{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r = client_.Do("POST", Url("/params?match[]=fromquery&q=query"), form,
                 "match[]=f1&match[]=%7Bjob%3D%22x%22%7D&q=form");
  ASSERT_TRUE(r.ok());
  // Form values come first, as in Go's Request.Form.
  EXPECT_EQ(r->body, "f1|{job=\"x\"}|fromquery|q=form");

  // A body that is not a form is not parsed as one.
  r = client_.Do("POST", Url("/params"), {{"Content-Type", "text/plain"}}, "match[]=x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "q=<none>");

  r = client_.Get(Url("/params?q=%zz"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("invalid query string"));
  r = client_.Do("POST", Url("/params"), form, "q=%4");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("invalid form body"));
}

TEST_F(HttpServerTest, DecodesCompressedRequestBodies) {
  StartServer();
  std::string data(20000, 'z');
  auto r = client_.Do("POST", Url("/echo"), {{"Content-Encoding", "gzip"}}, GzipCompress(data));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, data);
  EXPECT_EQ(r->headers.GetOr("X-Had-Content-Encoding"), "none");

  // Codings the HTTP layer does not own reach the handler untouched.
  r = client_.Do("POST", Url("/echo"), {{"Content-Encoding", "snappy"}}, "raw-bytes");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "raw-bytes");
  EXPECT_EQ(r->headers.GetOr("X-Had-Content-Encoding"), "snappy");

  r = client_.Do("POST", Url("/echo"), {{"Content-Encoding", "gzip"}}, "definitely not gzip");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("invalid gzip body"));
}

TEST_F(HttpServerTest, GzipBombIs413) {
  StartServer();
  std::string bomb = GzipCompress(std::string(8 << 20, '\0'), 9);
  ASSERT_LT(bomb.size(), options_.max_body_bytes);
  auto r = client_.Do("POST", Url("/echo"), {{"Content-Encoding", "gzip"}}, bomb);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr(R"("errorType":"bad_data","error":"request body too large: )"));
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  StartServer();
  auto r = client_.Do("POST", Url("/echo"), {}, std::string(200 << 10, 'x'));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(
      r->body,
      HasSubstr(R"({"status":"error","errorType":"bad_data","error":"request body too large: )"));
  // Chunked uploads are bounded too.
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 100; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  std::string raw = RawExchange(server_->port(), chunked);
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 413"));
  // The server still serves afterwards.
  EXPECT_EQ(client_.Get(Url("/hello"))->status, 200);
}

TEST_F(HttpServerTest, MalformedHttpIs400AndClose) {
  StartServer();
  std::string raw = RawExchange(server_->port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(raw, HasSubstr("malformed HTTP request"));
  EXPECT_THAT(raw, HasSubstr("Connection: close"));
  raw = RawExchange(server_->port(), "GET /hello HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 400"));
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  std::string raw = RawExchange(server_->port(),
                                "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                                "GET /ui/one HTTP/1.1\r\nHost: x\r\n\r\n"
                                "GET /ui/two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(CountOccurrences(raw, "HTTP/1.1 200"), 3u) << raw;
  size_t a = raw.find("hello"), b = raw.find("ui:one"), c = raw.find("ui:two");
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartServer();
  std::string raw = RawExchange(server_->port(),
                                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                "Content-Length: 3\r\nConnection: close\r\n\r\nabc");
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 100 Continue"));
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(raw, HasSubstr("\r\n\r\nabc"));
}

TEST_F(HttpServerTest, GzipsLargeResponsesForClientsThatAsk) {
  StartServer();
  std::string raw = RawExchange(server_->port(),
                                "GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                                "Connection: close\r\n\r\n");
  EXPECT_THAT(raw, HasSubstr("Content-Encoding: gzip"));
  EXPECT_LT(raw.size(), 5000u);
  raw = RawExchange(server_->port(), "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(raw, Not(HasSubstr("Content-Encoding")));
  EXPECT_GT(raw.size(), 100000u);
  // Small bodies are never compressed.
  raw = RawExchange(server_->port(),
                    "GET /hello HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                    "Connection: close\r\n\r\n");
  EXPECT_THAT(raw, Not(HasSubstr("Content-Encoding")));
  // The client decodes transparently.
  auto r = client_.Get(Url("/big"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, std::string(100000, 'b'));
  EXPECT_FALSE(r->headers.Has("Content-Encoding"));
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  HttpConnection conn("127.0.0.1", server_->port());
  std::string remote;
  for (int i = 0; i < 200; ++i) {
    auto r = conn.Do("POST", "/echo", {}, "body " + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->body, "body " + std::to_string(i));
    if (i == 0) remote = r->headers.GetOr("X-Remote");
    ASSERT_EQ(r->headers.GetOr("X-Remote"), remote);
  }
  EXPECT_EQ(conn.connects(), 1);
  EXPECT_TRUE(conn.connected());
}

TEST_F(HttpServerTest, ConnectionReconnectsAfterServerClosesIdleSocket) {
  options_.idle_timeout = 150ms;
  StartServer();
  HttpConnection conn("127.0.0.1", server_->port());
  ASSERT_TRUE(conn.Do("GET", "/hello").ok());
  std::this_thread::sleep_for(400ms);
  auto r = conn.Do("GET", "/hello");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(conn.connects(), 2);
}

TEST_F(HttpServerTest, ConcurrentClients) {
  options_.worker_threads = 4;
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection conn("127.0.0.1", server_->port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(t) + ":" + std::to_string(i);
        auto r = (i % 5 == 0) ? client_.Do("POST", Url("/echo"), {}, body)
                              : conn.Do("POST", "/echo", {}, body);
        if (r.ok() && r->status == 200 && r->body == body) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST_F(HttpServerTest, HandlerExceptionIs500) {
  StartServer();
  auto r = client_.Get(Url("/throw"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_THAT(r->body, HasSubstr(R"("status":"error")"));
  EXPECT_THAT(r->body, HasSubstr("boom"));
  EXPECT_EQ(client_.Get(Url("/hello"))->status, 200);
}

TEST_F(HttpServerTest, ClientTimeout) {
  slow_ms_ = 1500;
  StartServer();
  auto start = std::chrono::steady_clock::now();
  auto r = client_.Get(Url("/slow"), 100ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("timeout"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
}

TEST_F(HttpServerTest, ClientResponseLimit) {
  StartServer();
  HttpClient small(HttpClientOptions{.max_response_bytes = 1000});
  auto r = small.Get(Url("/big"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  // Also after gzip decoding (the compressed body is far under the limit).
  HttpClient medium(HttpClientOptions{.max_response_bytes = 50000});
  r = medium.Get(Url("/big"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(HttpServerTest, ClientErrors) {
  StartServer();
  uint16_t port = server_->port();
  server_->Stop();
  auto r = client_.Get("http://127.0.0.1:" + std::to_string(port) + "/hello", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("connect"));
  r = client_.Get("https://127.0.0.1/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HttpServerTest, StopWaitsForInFlightRequest) {
  StartServer();
  absl::StatusOr<HttpClientResponse> slow_result;
  std::thread t([&] { slow_result = client_.Get(Url("/slow"), 5s); });
  while (!slow_started_.load()) std::this_thread::sleep_for(1ms);
  // An idle keep-alive connection must not hold Stop up.
  HttpConnection idle("127.0.0.1", server_->port());
  ASSERT_TRUE(idle.Do("GET", "/hello").ok());
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  auto took = std::chrono::steady_clock::now() - start;
  t.join();
  ASSERT_TRUE(slow_result.ok()) << slow_result.status();
  EXPECT_EQ(slow_result->status, 200);
  EXPECT_EQ(slow_result->body, "slow done");
  EXPECT_LT(took, 1500ms);
  // Nothing is served after Stop.
  EXPECT_FALSE(idle.Do("GET", "/hello", {}, {}, 1s).ok());
}

TEST_F(HttpServerTest, StopDeadlineClosesStuckRequests) {
  options_.shutdown_timeout = 100ms;
  slow_ms_ = 800;
  StartServer();
  absl::StatusOr<HttpClientResponse> slow_result;
  std::thread t([&] { slow_result = client_.Get(Url("/slow"), 5s); });
  while (!slow_started_.load()) std::this_thread::sleep_for(1ms);
  server_->Stop();  // waits for the handler thread but drops its response
  t.join();
  EXPECT_FALSE(slow_result.ok());
}

TEST_F(HttpServerTest, SelfMetrics) {
  StartServer();
  ASSERT_TRUE(client_.Get(Url("/hello")).ok());
  ASSERT_TRUE(client_.Get(Url("/hello")).ok());
  ASSERT_TRUE(client_.Get(Url("/nope")).ok());
  ASSERT_TRUE(client_.Get(Url("/throw")).ok());
  std::string text = metrics_.RenderText();
  EXPECT_THAT(text, HasSubstr(R"(vigil_http_requests_total{code="200",handler="hello"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(vigil_http_requests_total{code="404",handler="unmatched"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(vigil_http_requests_total{code="500",handler="throw"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(vigil_http_request_duration_seconds_count{handler="hello"} 2)"));
  EXPECT_THAT(text, HasSubstr("vigil_http_inflight_requests 0"));
}

TEST(HttpServerStandaloneTest, TwoServersInOneProcess) {
  HttpServer a(HttpServerOptions{});
  HttpServer b(HttpServerOptions{});
  a.Handle(
      "GET", "/who", [](const HttpRequest&, HttpResponse& r) { r.SetText(200, "a"); }, "who");
  b.Handle(
      "GET", "/who", [](const HttpRequest&, HttpResponse& r) { r.SetText(200, "b"); }, "who");
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  EXPECT_NE(a.port(), b.port());
  HttpClient c;
  EXPECT_EQ(c.Get("http://" + a.address() + "/who")->body, "a");
  EXPECT_EQ(c.Get("http://" + b.address() + "/who")->body, "b");
  a.Stop();
  EXPECT_EQ(c.Get("http://" + b.address() + "/who")->body, "b");
}

TEST(HttpServerStandaloneTest, AddressInUse) {
  HttpServer a(HttpServerOptions{});
  ASSERT_TRUE(a.Start().ok());
  HttpServerOptions o;
  o.port = a.port();
  HttpServer b(o);
  absl::Status st = b.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(st.message(), HasSubstr("in use"));
  EXPECT_THAT(st.message(), HasSubstr(std::to_string(a.port())));
}

TEST(HttpServerStandaloneTest, BadHostAndDestroyWithoutStart) {
  HttpServerOptions o;
  o.host = "not a valid host name!";
  HttpServer s(o);
  absl::Status st = s.Start();
  EXPECT_FALSE(st.ok());
  HttpServer never_started(HttpServerOptions{});
}

}  // namespace
}  // namespace vigil
