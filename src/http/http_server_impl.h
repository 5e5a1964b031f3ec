// Internals of HttpServer shared by http_server.cc (listener, lifecycle, worker dispatch,
// metrics) and http_session.cc (one connection). This is the only server header that pulls
// in Beast; nothing outside src/http/ includes it.
//
// Threading: each HttpSession runs on its own strand on the I/O threads; handlers run on the
// worker pool and hand their result back to the session's strand. An upgraded connection
// becomes a WebSocketSession (http_websocket.cc) on the same strand, whose body runs on a
// thread of its own.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/self_metrics.h"
#include "http/http_server.h"

namespace vigil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace bws = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

class HttpSession;
class WebSocketSession;

// What a worker needs to serve one routed request, and what it hands back.
struct HttpExchange {
  BeastRequest raw;  // moved out of the parser
  std::shared_ptr<const HttpRoute> route;
  ParamList path_params;
  std::string remote_address;
  std::chrono::steady_clock::time_point start;
  BeastResponse response;  // filled by the worker
  WebSocketBody ws_body;   // set by the worker when a WebSocket handler accepted the upgrade
};

class HttpServer::Impl {
 public:
  explicit Impl(HttpServerOptions options);
  ~Impl();

  absl::Status Start();
  void Stop();
  uint16_t port() const { return port_.load(); }
  std::string address() const;

  Router& router() { return router_; }
  const HttpServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(); }

  void Register(const std::shared_ptr<HttpSession>& session);
  void Unregister(HttpSession* session);

  // Open WebSocket connections, so Stop() can close them. Register fails (false) once the
  // server is stopping. The cap (options.max_websocket_connections) is checked before the
  // handler runs, so upgrades racing each other may pass it by at most the worker count.
  bool RegisterWebSocket(const std::shared_ptr<WebSocketSession>& session);
  size_t WebSocketCount();
  void UnregisterWebSocket(WebSocketSession* session);
  // Runs the session's body on a new thread; Stop() waits for every body to return.
  void StartWebSocketBody(std::shared_ptr<WebSocketSession> session);

  // Runs the exchange on the worker pool: builds the HttpRequest, calls the handler (catching
  // exceptions), encodes the response, records metrics, then calls `done` on `executor`.
  void RunOnWorker(std::shared_ptr<HttpExchange> ex, asio::any_io_executor executor,
                   std::function<void()> done);

  // Records one finished request in the self-metrics (no-op without a registry) and logs it
  // at debug level.
  void Record(std::string_view handler, std::string_view method, std::string_view target, int code,
              std::chrono::steady_clock::time_point start, std::string_view remote_address);

  // Turns a handler-level response into a Beast response: status, headers, optional gzip,
  // framing. `head` drops the body but keeps its Content-Length.
  BeastResponse Encode(HttpResponse&& res, unsigned version, bool keep_alive, bool head,
                       bool gzip_ok) const;

 private:
  void Accept();
  void BuildRequest(HttpExchange& ex, HttpRequest& req, HttpResponse& res) const;

  const HttpServerOptions options_;
  Router router_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  std::string bound_host_;
  bool started_ = false;  // Start() was called
  bool running_ = false;  // Start() succeeded and Stop() has not run

  // Live connections, so Stop() can close idle ones and wait for busy ones. Declared before
  // the io_context: sessions still queued in it unregister while it is destroyed.
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions_;
  std::unordered_map<WebSocketSession*, std::weak_ptr<WebSocketSession>> websockets_;
  size_t websocket_bodies_ = 0;  // body threads still running

  std::mutex metrics_mu_;
  absl::flat_hash_map<std::string, Counter*> request_counters_;
  absl::flat_hash_map<std::string, Histogram*> durations_;
  Gauge* inflight_ = nullptr;

  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> accept_retry_;
  std::optional<asio::thread_pool> workers_;
  std::vector<std::thread> io_threads_;
};

// One accepted connection: reads a request, routes it, waits for the worker, writes the
// response, and loops while keep-alive holds.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, HttpServer::Impl* server);
  ~HttpSession();

  // All of these run on the session's strand.
  void Start();
  void OnServerStop();  // close now if idle, else after the current response
  void ForceClose();

  asio::any_io_executor executor() { return executor_; }

 private:
  enum class State { kReadingHeader, kReadingBody, kHandling, kWriting, kDraining, kClosed };

  void ReadHeader();
  void OnHeader(beast::error_code ec, size_t bytes);
  void ReadBody();
  void OnBody(beast::error_code ec, size_t bytes);
  void Route();
  // Hands the connection to a WebSocketSession after the handler accepted the upgrade.
  void Upgrade(const std::shared_ptr<HttpExchange>& ex);
  // Answers without a handler (404, 405, 400, 413, ...); `close` ends the connection after.
  void SendError(int status, std::string_view error_type, std::string_view message, bool close,
                 const HttpHeaders& extra = {});
  void Write(BeastResponse res, bool close);
  void OnWrite(bool close, beast::error_code ec, size_t bytes);
  // Closes after an error response: stop sending, then drain what the client is still
  // uploading for a short while, so its kernel does not turn our close into a reset that
  // destroys the error response before the client reads it.
  void LingeringClose();
  void Drain();
  void Close();

  beast::tcp_stream stream_;
  asio::any_io_executor executor_;  // the strand; kept apart since stream_ moves on upgrade
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  BeastResponse response_;
  std::string remote_address_;
  State state_ = State::kReadingHeader;
  bool stop_requested_ = false;
  bool linger_after_write_ = false;
  std::chrono::steady_clock::time_point request_start_;
  std::chrono::steady_clock::time_point drain_deadline_;
  size_t drained_ = 0;
  std::vector<char> drain_buf_;
};

// One upgraded connection. I/O runs on the strand inherited from the HttpSession: one read
// always pending (it answers pings and notices the peer's close), one write at a time from
// the outgoing queue, then the closing handshake. The body runs on its own thread and talks
// to the strand through the mutex-guarded queue and flags below.
class WebSocketSession final : public WebSocketConnection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, HttpServer::Impl* server, std::string remote_address,
                   WebSocketBody body);
  ~WebSocketSession() override;

  // Accepts the upgrade `req` (on the strand), then starts reading and the body.
  void Start(BeastRequest req);
  // Called by the server on the strand.
  void OnServerStop();
  void ForceClose();
  // Runs the body on the calling thread, then closes normally; called once, by the body
  // thread.
  void RunBody();
  asio::any_io_executor executor() { return executor_; }

  absl::Status SendText(std::string message) override;
  size_t QueuedFrames() const override;
  size_t QueuedBytes() const override;
  void Close(uint16_t code, std::string_view reason) override;
  bool closed() const override;
  bool WaitClosed(std::chrono::milliseconds timeout) override;
  std::optional<std::string> Receive(std::chrono::milliseconds timeout) override;
  const std::string& remote_address() const override { return remote_address_; }

 private:
  void OnAccept(beast::error_code ec);
  void Read();
  void OnRead(beast::error_code ec, size_t bytes);
  // Starts the next write or the close frame if nothing is in flight (strand).
  void Pump();
  void OnWrite(beast::error_code ec, size_t bytes);
  void OnClose(beast::error_code ec);
  // Marks the connection closed and wakes the body (any thread).
  void MarkClosed();
  // Closes the socket (strand).
  void Teardown();

  bws::stream<beast::tcp_stream> ws_;
  asio::any_io_executor executor_;
  HttpServer::Impl* server_;
  const std::string remote_address_;
  WebSocketBody body_;
  std::optional<BeastRequest> upgrade_;  // kept alive while the handshake runs
  beast::flat_buffer read_buf_;

  // Strand-only state.
  bool accepted_ = false;
  bool writing_ = false;
  bool close_sent_ = false;
  bool torn_down_ = false;

  // Shared with the body thread.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> outbox_;  // front: being written
  size_t outbox_bytes_ = 0;
  std::deque<std::string> inbox_;
  bool closed_ = false;
  bool close_requested_ = false;
  uint16_t close_code_ = kWsCloseNormal;
  std::string close_reason_;
};

}  // namespace vigil
