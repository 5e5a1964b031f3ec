// vigil's HTTP/1.1 server (Boost.Beast underneath, kept out of this header).
//
// I/O runs on `io_threads` threads; handlers run on a separate pool of `worker_threads`
// because they may block (a WAL fsync, a long query). Each connection serves one request at a
// time, with keep-alive and pipelined requests handled in order. The server enforces the body
// limits, decodes gzip/deflate request bodies, answers 404/405/413/400 with Prometheus-style
// JSON errors, turns a handler exception into a 500, and gzips large responses for clients
// that accept it. WebSocket routes (Router::HandleWebSocket, http/websocket.h) upgrade the
// connection and run their body on a thread of its own.
//
// Lifecycle: register routes (router()), Start(), ..., Stop() (also run by the destructor).
// No globals: several servers can run in one process. Start/Stop must not be called
// concurrently with each other; router() may be used from any thread at any time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "http/router.h"

namespace vigil {

class MetricsRegistry;

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // "0.0.0.0" or "::" for every interface
  uint16_t port = 0;               // 0: the OS picks a free port (see HttpServer::port())
  int io_threads = 2;
  int worker_threads = 8;
  size_t max_body_bytes = 64 << 20;           // as received (compressed); over it: 413
  size_t max_decompressed_bytes = 256 << 20;  // after gzip/deflate decoding; over it: 413
  size_t max_header_bytes = 1 << 20;          // request line plus headers; over it: 431
  // How long a keep-alive connection may sit without a new request (also bounds a slow
  // request header).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds body_read_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds write_timeout{std::chrono::minutes(5)};
  // Stop() waits this long for in-flight requests before closing their connections.
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(10)};
  bool compress_responses = true;
  // WebSocket connections: at most this many open at once (further upgrades get 503), each
  // with at most `websocket_max_queued_bytes` of outgoing frames not yet written and
  // incoming messages of at most `websocket_max_message_bytes`. A connection with no traffic
  // is pinged after half of `websocket_idle_timeout` and closed if the peer stays silent.
  size_t max_websocket_connections = 1024;
  size_t websocket_max_queued_bytes = 16 << 20;
  size_t websocket_max_queued_frames = 1024;
  size_t websocket_max_message_bytes = 1 << 20;
  std::chrono::milliseconds websocket_idle_timeout{std::chrono::seconds(60)};
  // When set, the server exports vigil_http_requests_total{handler,code},
  // vigil_http_request_duration_seconds{handler} and vigil_http_inflight_requests.
  MetricsRegistry* metrics = nullptr;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Router& router();
  // Shorthand for router().Handle(...).
  void Handle(std::string_view method, std::string_view pattern, HttpHandler handler,
              std::string handler_name);

  // Binds and starts serving. Errors (address in use, unresolvable host, permission denied)
  // come back as a Status naming the address. Call at most once.
  absl::Status Start();
  // The bound port (the real one when options.port was 0); 0 before Start.
  uint16_t port() const;
  // "host:port" of the bound socket, e.g. "127.0.0.1:43121" or "[::1]:9090".
  std::string address() const;

  // Stops accepting, closes idle keep-alive connections and starts closing WebSocket
  // connections (1001, going away), lets in-flight requests finish for up to
  // options.shutdown_timeout (their connections then close), force-closes what remains and
  // joins all threads. A handler or WebSocket body still running past the deadline is waited
  // for, but its output is dropped. Idempotent.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
