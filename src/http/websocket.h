// WebSocket endpoints (RFC 6455) on vigil's HTTP server, without Beast types.
//
// A route registered with Router::HandleWebSocket answers `GET` requests that carry
// `Connection: Upgrade` and `Upgrade: websocket`; any other request to the path gets a 400
// "websocket upgrade required". Serving one connection has two steps:
//
//   1. The WebSocketHandler runs on an HTTP worker thread with the upgrade request, like an
//      ordinary handler. It validates the request and either returns a WebSocketBody (the
//      server then completes the handshake, 101) or returns an empty body and leaves an error
//      in the HttpResponse (400, 429, 503...), which is sent as a plain HTTP answer.
//   2. After the handshake the body runs on a thread of its own with a WebSocketConnection,
//      so a long-lived stream never holds an HTTP worker. It may block; it must return soon
//      after the connection reports closed() (the client went away or the server is
//      stopping). When it returns, the server closes the connection (1000, normal) once the
//      queued frames are written.
//
// Frames are sent through a bounded queue: SendText fails with ResourceExhausted instead of
// growing without limit when the client reads slowly, so the body decides what to drop.
// Pings and pongs are answered by the server; an idle connection is pinged and closed when
// the peer stops answering (HttpServerOptions::websocket_idle_timeout).
//
// Thread-safety: every WebSocketConnection method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "http/request.h"
#include "http/response.h"

namespace vigil {

// Close codes of RFC 6455 section 7.4.1 that vigil uses.
inline constexpr uint16_t kWsCloseNormal = 1000;
inline constexpr uint16_t kWsCloseGoingAway = 1001;      // server stopping
inline constexpr uint16_t kWsClosePolicy = 1008;         // request refused after the upgrade
inline constexpr uint16_t kWsCloseInternalError = 1011;  // the server failed the stream

class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;

  // Queues one text frame. ResourceExhausted when the outgoing queue is full (the frame is
  // not queued; retry once QueuedFrames() went down), FailedPrecondition once the connection
  // is closing or closed.
  virtual absl::Status SendText(std::string message) = 0;
  // Frames (and their bytes) accepted by SendText and not yet fully written, the one being
  // written included.
  virtual size_t QueuedFrames() const = 0;
  virtual size_t QueuedBytes() const = 0;

  // Starts the closing handshake with `code` and `reason` (cut to the 123 bytes a close
  // frame can carry) after the queued frames are written. Idempotent; the first call wins.
  virtual void Close(uint16_t code = kWsCloseNormal, std::string_view reason = {}) = 0;
  // True once either side started closing, the connection failed, or the server is stopping.
  virtual bool closed() const = 0;
  // Waits up to `timeout` for closed(); returns closed().
  virtual bool WaitClosed(std::chrono::milliseconds timeout) = 0;

  // The next data message from the client (text or binary), waiting up to `timeout`;
  // nullopt on timeout or once closed and no message is left. Unread messages are kept up
  // to a small bound, beyond which the oldest is discarded.
  virtual std::optional<std::string> Receive(std::chrono::milliseconds timeout) = 0;

  // Peer address as "ip:port".
  virtual const std::string& remote_address() const = 0;
};

// Runs on the connection's own thread once the handshake completed.
using WebSocketBody = std::function<void(WebSocketConnection&)>;
// Runs on a worker thread with the upgrade request; returns the body to accept the upgrade,
// or an empty function after writing an error into `resp` to refuse it.
using WebSocketHandler = std::function<WebSocketBody(const HttpRequest&, HttpResponse& resp)>;

}  // namespace vigil
