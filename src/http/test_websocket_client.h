// For tests: a blocking WebSocket client (Beast) with timeouts, to drive the server's
// WebSocket endpoints over loopback.
//
//   TestWebSocketClient c;
//   int status = c.Connect(port, "/path?x=1");  // 101 on success, else the HTTP status
//   auto msg = c.Read(2s);                      // a text frame, or an error status
//
// Read keeps a timed-out read pending and resumes it on the next call, so a timeout never
// leaves the stream unusable. Not thread-safe: one test thread drives it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/strings.h"

namespace vigil {

class TestWebSocketClient {
 public:
  using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  TestWebSocketClient() : ws_(ioc_) {}
  ~TestWebSocketClient() {
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).socket().close(ec);
  }

  // Opens a connection to 127.0.0.1:`port` and sends the upgrade for `target`. Returns 101
  // when the server accepted it, else the HTTP status of its answer (body in
  // refusal_body()), or 0 when the connection failed.
  int Connect(uint16_t port, const std::string& target) {
    namespace beast = boost::beast;
    beast::error_code ec;
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(ws_).socket().connect(ep, ec);
    if (ec) return 0;
    // The asynchronous handshake also hands back a refused answer (the synchronous one
    // drops it).
    boost::beast::websocket::response_type res;
    bool done = false;
    ws_.async_handshake(res, StrCat("127.0.0.1:", port), target, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && std::chrono::steady_clock::now() < deadline) ioc_.run_one_until(deadline);
    if (!done) return 0;
    refusal_body_ = res.body();
    if (ec) return res.result_int() == 0 ? 0 : static_cast<int>(res.result_int());
    return static_cast<int>(res.result_int());
  }
  const std::string& refusal_body() const { return refusal_body_; }

  // The next message; DeadlineExceeded after `timeout` (the read stays pending), Cancelled
  // with the close code and reason once the server closed, Unavailable on other errors.
  absl::StatusOr<std::string> Read(std::chrono::milliseconds timeout) {
    namespace beast = boost::beast;
    if (!reading_) {
      reading_ = true;
      done_ = false;
      ws_.async_read(buf_, [this](beast::error_code ec, size_t) {
        ec_ = ec;
        done_ = true;
      });
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    ioc_.restart();
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      ioc_.run_one_until(deadline);
    }
    if (!done_) return absl::DeadlineExceededError("no message before the timeout");
    reading_ = false;
    if (ec_ == boost::beast::websocket::error::closed) {
      close_code_ = ws_.reason().code;
      return absl::CancelledError(
          StrCat("closed by the server: ", ws_.reason().code, " ",
                 std::string(ws_.reason().reason.data(), ws_.reason().reason.size())));
    }
    if (ec_) return absl::UnavailableError(ec_.message());
    std::string out = beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    return out;
  }

  // Reads until the server closes the connection or `timeout` passes; true when it closed.
  bool WaitServerClose(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto msg = Read(left);
      if (msg.ok()) continue;
      return !absl::IsDeadlineExceeded(msg.status());
    }
  }

  bool Send(const std::string& text) {
    boost::beast::error_code ec;
    ws_.text(true);
    ws_.write(boost::asio::buffer(text), ec);
    return !ec;
  }

  // Starts the closing handshake from the client side without waiting for the answer.
  void CloseAsync() {
    ws_.async_close(boost::beast::websocket::close_code::normal, [](boost::beast::error_code) {});
    ioc_.restart();
    ioc_.poll();
  }

  // Drops the TCP connection without a close frame.
  void Abort() {
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).socket().close(ec);
  }

  // The close code of the server's close frame (after Read returned Cancelled).
  uint16_t close_code() const { return close_code_; }

 private:
  boost::asio::io_context ioc_;
  Ws ws_;
  boost::beast::flat_buffer buf_;
  std::string refusal_body_;
  bool reading_ = false;
  bool done_ = false;
  boost::beast::error_code ec_;
  uint16_t close_code_ = 0;
};

}  // namespace vigil
