// An upgraded WebSocket connection; see http/websocket.h and http_server_impl.h.
#include <algorithm>

#include "common/logging.h"
#include "common/strings.h"
#include "http/http_server_impl.h"

namespace vigil {
namespace {

constexpr std::string_view kComponent = "http";
// Unread client messages kept for Receive(); clients of vigil's streams rarely send any.
constexpr size_t kMaxInbox = 64;
// Bounds the opening and the closing handshakes.
constexpr std::chrono::seconds kHandshakeTimeout{10};
// A close frame carries at most 125 bytes: the 2-byte code and the reason.
constexpr size_t kMaxCloseReason = 123;

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence (a close reason must be
// valid UTF-8).
std::string_view CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream stream, HttpServer::Impl* server,
                                   std::string remote_address, WebSocketBody body)
    : ws_(std::move(stream)),
      executor_(ws_.get_executor()),
      server_(server),
      remote_address_(std::move(remote_address)),
      body_(std::move(body)) {}

WebSocketSession::~WebSocketSession() { server_->UnregisterWebSocket(this); }

void WebSocketSession::Start(BeastRequest req) {
  upgrade_.emplace(std::move(req));
  asio::dispatch(executor_, [self = shared_from_this()] {
    const HttpServerOptions& opt = self->server_->options();
    // The WebSocket layer keeps its own timers; the TCP stream's would fire underneath it.
    beast::get_lowest_layer(self->ws_).expires_never();
    bws::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kHandshakeTimeout;
    timeouts.idle_timeout = opt.websocket_idle_timeout;
    timeouts.keep_alive_pings = true;
    self->ws_.set_option(timeouts);
    self->ws_.set_option(bws::stream_base::decorator(
        [](bws::response_type& res) { res.set(bhttp::field::server, "vigil"); }));
    self->ws_.read_message_max(opt.websocket_max_message_bytes);
    self->ws_.async_accept(*self->upgrade_,
                           beast::bind_front_handler(&WebSocketSession::OnAccept, self));
  });
}

void WebSocketSession::OnAccept(beast::error_code ec) {
  upgrade_.reset();
  if (ec) {
    LogDebug(kComponent, "WebSocket handshake failed",
             {{"remote", remote_address_}, {"error", ec.message()}});
    MarkClosed();
    return Teardown();
  }
  accepted_ = true;
  if (server_->stopping()) {
    // Stop() may already be past waiting for bodies: start none, just say goodbye.
    Close(kWsCloseGoingAway, "server stopping");
  } else {
    server_->StartWebSocketBody(shared_from_this());
  }
  Read();
  Pump();  // a close requested during the handshake (server stopping)
}

void WebSocketSession::Read() {
  if (torn_down_) return;
  ws_.async_read(read_buf_,
                 beast::bind_front_handler(&WebSocketSession::OnRead, shared_from_this()));
}

void WebSocketSession::OnRead(beast::error_code ec, size_t) {
  if (ec) {
    // bws::error::closed: the peer closed and Beast has answered its close frame. Anything
    // else (reset, idle timeout, oversized message, our own teardown) ends the connection.
    MarkClosed();
    return Teardown();
  }
  std::string msg = beast::buffers_to_string(read_buf_.data());
  read_buf_.consume(read_buf_.size());
  {
    std::lock_guard lock(mu_);
    inbox_.push_back(std::move(msg));
    if (inbox_.size() > kMaxInbox) inbox_.pop_front();
  }
  cv_.notify_all();
  Read();
}

void WebSocketSession::Pump() {
  if (!accepted_ || torn_down_ || writing_ || close_sent_) return;
  std::unique_lock lock(mu_);
  if (!outbox_.empty()) {
    // The front stays queued until written: a deque keeps references to its elements valid
    // while the body thread appends.
    const std::string& front = outbox_.front();
    asio::const_buffer buf(front.data(), front.size());
    lock.unlock();
    writing_ = true;
    ws_.text(true);
    ws_.async_write(buf, beast::bind_front_handler(&WebSocketSession::OnWrite, shared_from_this()));
    return;
  }
  if (!close_requested_) return;
  bws::close_reason reason;
  reason.code = close_code_;
  reason.reason = bws::reason_string(close_reason_.data(), close_reason_.size());
  lock.unlock();
  close_sent_ = true;
  ws_.async_close(reason,
                  beast::bind_front_handler(&WebSocketSession::OnClose, shared_from_this()));
}

void WebSocketSession::OnWrite(beast::error_code ec, size_t) {
  writing_ = false;
  {
    std::lock_guard lock(mu_);
    if (!outbox_.empty()) {
      outbox_bytes_ -= outbox_.front().size();
      outbox_.pop_front();
    }
  }
  if (ec) {
    MarkClosed();
    return Teardown();
  }
  Pump();
}

void WebSocketSession::OnClose(beast::error_code) {
  MarkClosed();
  Teardown();
}

void WebSocketSession::MarkClosed() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

void WebSocketSession::Teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  {
    // Unsent frames go; a frame being written stays until its (failing) completion, since
    // the write may still reference it.
    std::lock_guard lock(mu_);
    size_t keep = writing_ && !outbox_.empty() ? 1 : 0;
    while (outbox_.size() > keep) {
      outbox_bytes_ -= outbox_.back().size();
      outbox_.pop_back();
    }
  }
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws_).close();
}

void WebSocketSession::OnServerStop() { Close(kWsCloseGoingAway, "server stopping"); }

void WebSocketSession::ForceClose() {
  MarkClosed();
  Teardown();
}

void WebSocketSession::RunBody() {
  WebSocketBody body = std::move(body_);
  body_ = nullptr;
  try {
    if (body) body(*this);
  } catch (const std::exception& e) {
    LogError(kComponent, "WebSocket stream threw",
             {{"remote", remote_address_}, {"error", e.what()}});
    Close(kWsCloseInternalError, "internal error");
  } catch (...) {
    LogError(kComponent, "WebSocket stream threw", {{"remote", remote_address_}});
    Close(kWsCloseInternalError, "internal error");
  }
  // Release what the body holds (a concurrency slot, say) before the connection winds down.
  body = nullptr;
  Close(kWsCloseNormal, {});
}

absl::Status WebSocketSession::SendText(std::string message) {
  const HttpServerOptions& opt = server_->options();
  {
    std::lock_guard lock(mu_);
    if (closed_) return absl::FailedPreconditionError("WebSocket connection is closed");
    // One frame larger than the byte limit may go alone, else it could never be sent.
    if (outbox_.size() >= opt.websocket_max_queued_frames ||
        (!outbox_.empty() && outbox_bytes_ + message.size() > opt.websocket_max_queued_bytes)) {
      return absl::ResourceExhaustedError(StrCat("WebSocket send queue full (", outbox_.size(),
                                                 " frames, ", outbox_bytes_,
                                                 " bytes): the client reads too slowly"));
    }
    outbox_bytes_ += message.size();
    outbox_.push_back(std::move(message));
  }
  asio::post(executor_, [self = shared_from_this()] { self->Pump(); });
  return absl::OkStatus();
}

size_t WebSocketSession::QueuedFrames() const {
  std::lock_guard lock(mu_);
  return outbox_.size();
}

size_t WebSocketSession::QueuedBytes() const {
  std::lock_guard lock(mu_);
  return outbox_bytes_;
}

void WebSocketSession::Close(uint16_t code, std::string_view reason) {
  {
    std::lock_guard lock(mu_);
    if (close_requested_) return;
    close_requested_ = true;
    closed_ = true;
    close_code_ = code;
    close_reason_ = std::string(CutUtf8(reason, kMaxCloseReason));
  }
  cv_.notify_all();
  asio::post(executor_, [self = shared_from_this()] { self->Pump(); });
}

bool WebSocketSession::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

bool WebSocketSession::WaitClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return closed_; });
  return closed_;
}

std::optional<std::string> WebSocketSession::Receive(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return closed_ || !inbox_.empty(); });
  if (inbox_.empty()) return std::nullopt;
  std::string msg = std::move(inbox_.front());
  inbox_.pop_front();
  return msg;
}

}  // namespace vigil
