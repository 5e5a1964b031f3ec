// One server connection; see http_server_impl.h.
#include <algorithm>
#include <climits>

#include "common/strings.h"
#include "http/http_server_impl.h"

namespace vigil {
namespace {

// After an error response, how long and how much to keep reading (and discarding) what the
// client is still sending before the socket is closed.
constexpr std::chrono::seconds kDrainTime{2};
constexpr size_t kDrainMaxBytes = size_t{1} << 30;

// Beast reads at most the buffer's free capacity per call (512 bytes when it is full). The
// buffer stays small after a header, so a 40 KiB remote_write body took about 80 reads, each
// a syscall, a reactor round and a timer re-arm. Room for the body, up to this much, takes
// it in one or a few. The buffer keeps its size for the connection's next requests.
constexpr size_t kBodyReadChunk = 256 << 10;

std::string FormatRemote(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) return StrCat("[", addr, "]:", ep.port());
  return StrCat(addr, ":", ep.port());
}

bool IsHttpProtocolError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

// Errors that mean the peer went away or the connection was shut down; nothing to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == beast::error::timeout;
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, HttpServer::Impl* server)
    : stream_(std::move(socket)), executor_(stream_.get_executor()), server_(server) {
  remote_address_ = FormatRemote(stream_.socket());
}

HttpSession::~HttpSession() { server_->Unregister(this); }

void HttpSession::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void HttpSession::OnServerStop() {
  stop_requested_ = true;
  // Only a connection waiting for its next request is closed now; one that is reading,
  // handling or answering a request finishes it and then closes (see Write).
  if (state_ == State::kReadingHeader) Close();
}

void HttpSession::ForceClose() { Close(); }

void HttpSession::ReadHeader() {
  if (state_ == State::kClosed) return;
  if (stop_requested_ || server_->stopping()) return Close();
  state_ = State::kReadingHeader;
  const HttpServerOptions& opt = server_->options();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(opt.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(static_cast<uint64_t>(opt.max_body_bytes));
  stream_.expires_after(opt.idle_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
}

void HttpSession::OnHeader(beast::error_code ec, size_t) {
  if (state_ == State::kClosed) return;
  request_start_ = std::chrono::steady_clock::now();
  const HttpServerOptions& opt = server_->options();
  if (ec == bhttp::error::body_limit) {
    return SendError(413, "bad_data",
                     StrCat("request body too large: Content-Length exceeds the limit of ",
                            opt.max_body_bytes, " bytes"),
                     /*close=*/true);
  }
  if (ec == bhttp::error::header_limit) {
    return SendError(
        431, "bad_data",
        StrCat("request header too large: over the limit of ", opt.max_header_bytes, " bytes"),
        /*close=*/true);
  }
  if (ec && IsDisconnect(ec)) return Close();
  if (ec && IsHttpProtocolError(ec)) {
    return SendError(400, "bad_data", StrCat("malformed HTTP request: ", ec.message()),
                     /*close=*/true);
  }
  if (ec) return Close();

  state_ = State::kReadingBody;
  if (parser_->is_done()) return Route();
  auto& req = parser_->get();
  beast::string_view expect = req[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    // The client waits for this before uploading the body (curl does for large bodies).
    continue_.emplace(bhttp::status::continue_, req.version());
    stream_.expires_after(opt.write_timeout);
    bhttp::async_write(stream_, *continue_,
                       [self = shared_from_this()](beast::error_code wec, size_t) {
                         if (wec) return self->Close();
                         self->ReadBody();
                       });
    return;
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  if (state_ == State::kClosed) return;
  auto length = parser_->content_length();  // boost::optional
  size_t want = std::min<uint64_t>(length ? *length : kBodyReadChunk, kBodyReadChunk);
  if (buffer_.capacity() - buffer_.size() < want) buffer_.reserve(buffer_.size() + want);
  stream_.expires_after(server_->options().body_read_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
}

void HttpSession::OnBody(beast::error_code ec, size_t) {
  if (state_ == State::kClosed) return;
  if (ec == bhttp::error::body_limit) {
    return SendError(413, "bad_data",
                     StrCat("request body too large: over the limit of ",
                            server_->options().max_body_bytes, " bytes"),
                     /*close=*/true);
  }
  if (ec && IsDisconnect(ec)) return Close();
  if (ec && IsHttpProtocolError(ec)) {
    return SendError(400, "bad_data", StrCat("malformed HTTP request body: ", ec.message()),
                     /*close=*/true);
  }
  if (ec) return Close();
  Route();
}

void HttpSession::Route() {
  state_ = State::kHandling;
  stream_.expires_never();
  auto& req = parser_->get();
  std::string_view method(req.method_string().data(), req.method_string().size());
  std::string_view target(req.target().data(), req.target().size());
  std::string_view raw_path = target.substr(0, target.find('?'));
  auto match = server_->router().Find(method, raw_path);
  if (!match.ok()) {
    return SendError(400, "bad_data", ToStd(match.status().message()), /*close=*/false);
  }
  if (match->outcome == Router::Outcome::kNotFound) {
    return SendError(404, "not_found",
                     StrCat("no handler for ", method, " ", QuoteString(Truncated(raw_path))),
                     /*close=*/false);
  }
  if (match->outcome == Router::Outcome::kMethodNotAllowed) {
    HttpHeaders allow{{"Allow", match->allow}};
    return SendError(405, "method_not_allowed",
                     StrCat("method ", method, " not allowed for ",
                            QuoteString(Truncated(raw_path)), "; allowed: ", match->allow),
                     /*close=*/false, allow);
  }
  if (match->route->websocket) {
    if (!bws::is_upgrade(req)) {
      return SendError(400, "bad_data", "websocket upgrade required", /*close=*/false);
    }
    if (server_->stopping()) {
      return SendError(503, "unavailable", "server is shutting down", /*close=*/true);
    }
    if (server_->WebSocketCount() >= server_->options().max_websocket_connections) {
      return SendError(503, "unavailable",
                       StrCat("too many WebSocket connections (limit ",
                              server_->options().max_websocket_connections, ")"),
                       /*close=*/false);
    }
  }
  auto ex = std::make_shared<HttpExchange>();
  ex->raw = parser_->release();
  parser_.reset();
  ex->route = std::move(match->route);
  ex->path_params = std::move(match->path_params);
  ex->remote_address = remote_address_;
  ex->start = request_start_;
  server_->RunOnWorker(ex, executor(), [self = shared_from_this(), ex] {
    if (ex->ws_body) return self->Upgrade(ex);
    self->Write(std::move(ex->response), /*close=*/false);
  });
}

void HttpSession::Upgrade(const std::shared_ptr<HttpExchange>& ex) {
  WebSocketBody body = std::move(ex->ws_body);
  if (state_ == State::kClosed) return;  // force-closed while the handler ran
  if (stop_requested_ || server_->stopping()) return Close();
  // From here the socket belongs to the WebSocket session; this session only unregisters.
  state_ = State::kClosed;
  auto ws = std::make_shared<WebSocketSession>(std::move(stream_), server_, remote_address_,
                                               std::move(body));
  if (!server_->RegisterWebSocket(ws)) return ws->ForceClose();
  ws->Start(std::move(ex->raw));
}

void HttpSession::SendError(int status, std::string_view error_type, std::string_view message,
                            bool close, const HttpHeaders& extra) {
  unsigned version = 11;
  bool keep_alive = !close;
  std::string method = "-";
  std::string target = "-";
  if (parser_ && parser_->is_header_done()) {
    const auto& req = parser_->get();
    version = req.version();
    keep_alive = keep_alive && req.keep_alive();
    method.assign(req.method_string().data(), req.method_string().size());
    target.assign(req.target().data(), req.target().size());
  }
  HttpResponse res;
  res.SetError(status, error_type, message);
  for (const auto& [n, v] : extra) res.headers().Add(n, v);
  BeastResponse out = server_->Encode(std::move(res), version, keep_alive,
                                      /*head=*/method == "HEAD", /*gzip_ok=*/false);
  server_->Record("unmatched", method, target, status, request_start_, remote_address_);
  linger_after_write_ = close;
  Write(std::move(out), close);
}

void HttpSession::Write(BeastResponse res, bool close) {
  if (state_ == State::kClosed) return;  // force-closed while the handler ran
  bool keep = !close && res.keep_alive() && !stop_requested_ && !server_->stopping();
  res.keep_alive(keep);
  response_ = std::move(res);
  state_ = State::kWriting;
  stream_.expires_after(server_->options().write_timeout);
  bhttp::async_write(stream_, response_,
                     beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this(), !keep));
}

void HttpSession::OnWrite(bool close, beast::error_code ec, size_t) {
  response_ = {};
  if (state_ == State::kClosed) return;
  if (ec) return Close();
  if (close) {
    if (linger_after_write_) return LingeringClose();
    return Close();
  }
  ReadHeader();
}

void HttpSession::LingeringClose() {
  state_ = State::kDraining;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  drain_deadline_ = std::chrono::steady_clock::now() + kDrainTime;
  drain_buf_.resize(64 * 1024);
  Drain();
}

void HttpSession::Drain() {
  if (state_ == State::kClosed) return;
  stream_.expires_at(drain_deadline_);
  stream_.async_read_some(asio::buffer(drain_buf_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kDrainMaxBytes) return self->Close();
                            self->Drain();
                          });
}

void HttpSession::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace vigil
