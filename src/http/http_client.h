// A small synchronous HTTP/1.1 client (plain HTTP, no TLS) for the scraper, health probes,
// benchmarks and tests. Beast stays inside http_client.cc.
//
// HttpConnection keeps one TCP connection to one host:port and reuses it across requests
// (keep-alive). If a reused connection turns out to have been closed by the server before any
// byte of the response arrived, the request is retried once on a fresh connection.
// HttpClient::Do is a one-shot request to a URL.
//
// Every request has a deadline covering name resolution, connect, write and read; running past
// it is a DeadlineExceeded error whose message contains "timeout". Responses with
// `Content-Encoding: gzip` or `deflate` are decoded (the header is then removed), and bodies are
// bounded by max_response_bytes before and after decoding (ResourceExhausted beyond it).
//
// Thread-safety: HttpClient is stateless and safe to share; an HttpConnection must be used by
// one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "http/headers.h"

namespace vigil {

struct HttpClientResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;  // decoded when the server sent gzip/deflate
};

struct HttpClientOptions {
  size_t max_response_bytes = 64 << 20;
  // Send `Accept-Encoding: gzip` unless the caller set an Accept-Encoding header.
  bool accept_gzip = true;
  std::string user_agent = "vigil";
};

inline constexpr std::chrono::milliseconds kDefaultHttpTimeout{std::chrono::seconds(30)};

class HttpConnection {
 public:
  HttpConnection(std::string host, uint16_t port, HttpClientOptions options = {});
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `method target` (target = "/path?query") with `headers` and `body` (a non-empty body
  // gets a Content-Length; set Content-Type yourself). Host, User-Agent and framing headers
  // are added.
  absl::StatusOr<HttpClientResponse> Do(std::string_view method, std::string_view target,
                                        const HttpHeaders& headers = {}, std::string_view body = {},
                                        std::chrono::milliseconds timeout = kDefaultHttpTimeout);

  // Closes the socket; the next Do reconnects.
  void Close();
  bool connected() const;
  // TCP connections opened so far (1 for a connection that was reused throughout).
  int connects() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {}) : options_(std::move(options)) {}

  // One request to an absolute "http://host:port/path?query" URL on a fresh connection.
  absl::StatusOr<HttpClientResponse> Do(
      std::string_view method, std::string_view url, const HttpHeaders& headers = {},
      std::string_view body = {}, std::chrono::milliseconds timeout = kDefaultHttpTimeout) const;
  absl::StatusOr<HttpClientResponse> Get(
      std::string_view url, std::chrono::milliseconds timeout = kDefaultHttpTimeout) const {
    return Do("GET", url, {}, {}, timeout);
  }

 private:
  HttpClientOptions options_;
};

}  // namespace vigil
