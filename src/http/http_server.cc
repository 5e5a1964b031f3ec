#include "http/http_server.h"

#include <algorithm>
#include <exception>

#include "common/logging.h"
#include "common/strings.h"
#include "http/compression.h"
#include "http/http_server_impl.h"

namespace vigil {
namespace {

constexpr std::string_view kComponent = "http";
constexpr size_t kGzipMinBytes = 1024;

std::string FormatEndpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) return StrCat("[", addr, "]:", ep.port());
  return StrCat(addr, ":", ep.port());
}

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

bool IsFormContentType(std::string_view ct) {
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.remove_suffix(1);
  while (!base.empty() && (base.front() == ' ' || base.front() == '\t')) base.remove_prefix(1);
  return EqualsIgnoreCase(base, "application/x-www-form-urlencoded");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HttpServer: forwards to Impl.

HttpServer::HttpServer(HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpServer::~HttpServer() { impl_->Stop(); }
Router& HttpServer::router() { return impl_->router(); }
void HttpServer::Handle(std::string_view method, std::string_view pattern, HttpHandler handler,
                        std::string handler_name) {
  impl_->router().Handle(method, pattern, std::move(handler), std::move(handler_name));
}
absl::Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
std::string HttpServer::address() const { return impl_->address(); }
void HttpServer::Stop() { impl_->Stop(); }

// ---------------------------------------------------------------------------------------------
// Lifecycle.

HttpServer::Impl::Impl(HttpServerOptions options)
    : options_(std::move(options)), ioc_(std::max(1, options_.io_threads)) {}

HttpServer::Impl::~Impl() { Stop(); }

std::string HttpServer::Impl::address() const {
  if (bound_host_.find(':') != std::string::npos) return StrCat("[", bound_host_, "]:", port());
  return StrCat(bound_host_, ":", port());
}

absl::Status HttpServer::Impl::Start() {
  if (started_) return absl::FailedPreconditionError("HTTP server already started");
  started_ = true;
  std::string host = options_.host.empty() ? "0.0.0.0" : options_.host;
  std::string where = StrCat(host, ":", options_.port);
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, std::to_string(options_.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        StrCat("HTTP listen address ", where,
               ": cannot resolve host: ", ec ? ec.message() : std::string("no addresses")));
  }
  tcp::endpoint ep = results.begin()->endpoint();
  where = FormatEndpoint(ep);
  acceptor_.emplace(asio::make_strand(ioc_));
  auto fail = [&](std::string_view step) {
    std::string msg = StrCat("HTTP listen on ", where, ": ", step, ": ", ec.message());
    beast::error_code ignored;
    acceptor_->close(ignored);
    acceptor_.reset();
    if (ec == asio::error::address_in_use) return absl::UnavailableError(msg);
    if (ec == asio::error::access_denied) return absl::PermissionDeniedError(msg);
    return absl::InternalError(msg);
  };
  acceptor_->open(ep.protocol(), ec);
  if (ec) return fail("open");
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR");
  acceptor_->bind(ep, ec);
  if (ec) return fail("bind");
  acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  tcp::endpoint local = acceptor_->local_endpoint(ec);
  if (ec) return fail("local_endpoint");
  port_.store(local.port());
  bound_host_ = local.address().to_string();

  if (options_.metrics != nullptr) {
    inflight_ = &options_.metrics->GetGauge("vigil_http_inflight_requests",
                                            "HTTP requests currently being handled.");
  }
  accept_retry_.emplace(acceptor_->get_executor());
  workers_.emplace(static_cast<size_t>(std::max(1, options_.worker_threads)));
  work_.emplace(ioc_.get_executor());
  Accept();
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          LogError(kComponent, "exception escaped an I/O handler", {{"error", e.what()}});
        }
      }
    });
  }
  running_ = true;
  LogInfo(kComponent, "listening", {{"address", address()}});
  return absl::OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor_->async_accept(asio::make_strand(ioc_),
                          [this](beast::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted || stopping_.load()) return;
                            if (ec) {
                              // Typically EMFILE: back off briefly instead of spinning on the
                              // error.
                              LogWarn(kComponent, "accept failed", {{"error", ec.message()}});
                              accept_retry_->expires_after(std::chrono::milliseconds(100));
                              accept_retry_->async_wait([this](beast::error_code wait_ec) {
                                if (!wait_ec && !stopping_.load()) Accept();
                              });
                              return;
                            }
                            auto session = std::make_shared<HttpSession>(std::move(socket), this);
                            Register(session);
                            session->Start();
                            Accept();
                          });
}

void HttpServer::Impl::Register(const std::shared_ptr<HttpSession>& session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.emplace(session.get(), session);
}

void HttpServer::Impl::Unregister(HttpSession* session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_cv_.notify_all();
}

bool HttpServer::Impl::RegisterWebSocket(const std::shared_ptr<WebSocketSession>& session) {
  std::lock_guard lock(sessions_mu_);
  // Checked under the lock: Stop() sets stopping_ before it walks the map under the same
  // lock, so no connection registers unseen.
  if (stopping_.load()) return false;
  websockets_.emplace(session.get(), session);
  return true;
}

void HttpServer::Impl::UnregisterWebSocket(WebSocketSession* session) {
  std::lock_guard lock(sessions_mu_);
  websockets_.erase(session);
  sessions_cv_.notify_all();
}

size_t HttpServer::Impl::WebSocketCount() {
  std::lock_guard lock(sessions_mu_);
  return websockets_.size();
}

void HttpServer::Impl::StartWebSocketBody(std::shared_ptr<WebSocketSession> session) {
  {
    std::lock_guard lock(sessions_mu_);
    ++websocket_bodies_;
  }
  auto finished = [this] {
    std::lock_guard lock(sessions_mu_);
    --websocket_bodies_;
    sessions_cv_.notify_all();
  };
  try {
    // Detached: Stop() waits on websocket_bodies_ instead of joining, so finished bodies
    // leave nothing behind. The thread drops its session reference before it reports.
    std::thread([session, finished]() mutable {
      session->RunBody();
      session.reset();
      finished();
    }).detach();
  } catch (const std::exception& e) {
    LogError(kComponent, "cannot start a WebSocket thread", {{"error", e.what()}});
    session->Close(kWsCloseInternalError, "server cannot start the stream");
    finished();
  }
}

void HttpServer::Impl::Stop() {
  if (!running_) return;
  running_ = false;
  stopping_.store(true);
  if (acceptor_) {
    asio::post(acceptor_->get_executor(), [this] {
      beast::error_code ec;
      acceptor_->close(ec);
      accept_retry_->cancel();
    });
  }
  auto for_each_session = [this](auto fn) {
    std::vector<std::shared_ptr<HttpSession>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [ptr, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) asio::post(s->executor(), [s, fn] { fn(*s); });
  };
  auto for_each_websocket = [this](auto fn) {
    std::vector<std::shared_ptr<WebSocketSession>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [ptr, weak] : websockets_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) asio::post(s->executor(), [s, fn] { fn(*s); });
  };
  auto all_closed = [this] {
    return sessions_.empty() && websockets_.empty() && websocket_bodies_ == 0;
  };
  auto wait_sessions = [this, &all_closed](std::chrono::milliseconds timeout) {
    std::unique_lock lock(sessions_mu_);
    return sessions_cv_.wait_for(lock, timeout, all_closed);
  };
  for_each_session([](HttpSession& s) { s.OnServerStop(); });
  for_each_websocket([](WebSocketSession& s) { s.OnServerStop(); });
  if (!wait_sessions(options_.shutdown_timeout)) {
    LogWarn(kComponent, "shutdown deadline passed; closing remaining connections");
    for_each_session([](HttpSession& s) { s.ForceClose(); });
    for_each_websocket([](WebSocketSession& s) { s.ForceClose(); });
  }
  // Handlers past the deadline still run to completion (threads cannot be cancelled); their
  // responses go to closed connections. WebSocket bodies likewise: their connections report
  // closed(), and they are waited for since they hold references into this server.
  if (workers_) workers_->join();
  {
    std::unique_lock lock(sessions_mu_);
    while (!sessions_cv_.wait_for(lock, std::chrono::seconds(10),
                                  [this] { return websocket_bodies_ == 0; })) {
      LogWarn(kComponent, "waiting for WebSocket streams to return",
              {{"running", std::to_string(websocket_bodies_)}});
    }
  }
  wait_sessions(std::chrono::seconds(2));
  work_.reset();
  ioc_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  LogInfo(kComponent, "stopped", {{"address", address()}});
}

// ---------------------------------------------------------------------------------------------
// Request execution on the worker pool.

void HttpServer::Impl::RunOnWorker(std::shared_ptr<HttpExchange> ex, asio::any_io_executor executor,
                                   std::function<void()> done) {
  if (inflight_ != nullptr) inflight_->Add(1);
  asio::post(*workers_, [this, ex = std::move(ex), executor = std::move(executor),
                         done = std::move(done)]() mutable {
    HttpRequest req;
    HttpResponse res;
    BuildRequest(*ex, req, res);
    if (res.status() == 200) {
      try {
        if (ex->route->websocket) {
          ex->ws_body = ex->route->websocket(req, res);
          if (ex->ws_body && res.status() != 200) ex->ws_body = nullptr;  // refused after all
          if (!ex->ws_body && res.status() == 200) {
            res.SetError(500, "internal",
                         StrCat("WebSocket handler ", ex->route->handler_name,
                                " neither accepted nor refused the upgrade"));
          }
        } else {
          ex->route->handler(req, res);
        }
      } catch (const std::exception& e) {
        ex->ws_body = nullptr;
        LogError(kComponent, "handler threw",
                 {{"handler", ex->route->handler_name}, {"error", e.what()}});
        res = HttpResponse();
        res.SetError(500, "internal",
                     StrCat("internal error in handler ", ex->route->handler_name, ": ", e.what()));
      } catch (...) {
        ex->ws_body = nullptr;
        LogError(kComponent, "handler threw", {{"handler", ex->route->handler_name}});
        res = HttpResponse();
        res.SetError(500, "internal",
                     StrCat("internal error in handler ", ex->route->handler_name));
      }
    }
    if (ex->ws_body) {
      // The session answers 101 with the handshake; the request stays intact for it.
      Record(ex->route->handler_name, Sv(ex->raw.method_string()), Sv(ex->raw.target()), 101,
             ex->start, ex->remote_address);
      if (inflight_ != nullptr) inflight_->Add(-1);
      asio::post(executor, std::move(done));
      return;
    }
    int code = res.status();
    bool head = ex->raw.method() == bhttp::verb::head;
    bool gzip_ok = AcceptsEncoding(Sv(ex->raw[bhttp::field::accept_encoding]), "gzip");
    try {
      ex->response = Encode(std::move(res), ex->raw.version(), ex->raw.keep_alive(), head, gzip_ok);
    } catch (const std::exception& e) {
      // A response Beast refuses to frame (for example a body on a 204): report it instead.
      HttpResponse err;
      err.SetError(500, "internal", StrCat("invalid response from handler: ", e.what()));
      code = 500;
      ex->response = Encode(std::move(err), ex->raw.version(), ex->raw.keep_alive(), head, false);
    }
    Record(ex->route->handler_name, Sv(ex->raw.method_string()), Sv(ex->raw.target()), code,
           ex->start, ex->remote_address);
    if (inflight_ != nullptr) inflight_->Add(-1);
    asio::post(executor, std::move(done));
  });
}

void HttpServer::Impl::BuildRequest(HttpExchange& ex, HttpRequest& req, HttpResponse& res) const {
  BeastRequest& raw = ex.raw;
  req.set_method(std::string(Sv(raw.method_string())));
  std::string_view target = Sv(raw.target());
  size_t q = target.find('?');
  // The router already validated the escapes of the path.
  auto path = PercentDecode(target.substr(0, q), /*plus_as_space=*/false);
  req.set_path(path.ok() ? std::move(*path) : std::string(target.substr(0, q)));
  if (q != std::string_view::npos) req.set_raw_query(std::string(target.substr(q + 1)));
  for (const auto& f : raw) {
    req.mutable_headers().Add(Sv(f.name_string()), Sv(f.value()));
  }
  req.set_remote_address(ex.remote_address);
  req.mutable_path_params() = std::move(ex.path_params);

  ContentCoding coding = ClassifyContentEncoding(req.headers().GetOr("Content-Encoding"));
  if (coding == ContentCoding::kGzip || coding == ContentCoding::kDeflate) {
    auto body = DecompressBody(coding, raw.body(), options_.max_decompressed_bytes);
    if (!body.ok()) {
      if (body.status().code() == absl::StatusCode::kResourceExhausted) {
        res.SetError(413, "bad_data",
                     StrCat("request body too large: ", ToStd(body.status().message())));
      } else {
        res.SetError(400, "bad_data", ToStd(body.status().message()));
      }
      return;
    }
    req.set_body(std::move(*body));
    req.mutable_headers().Remove("Content-Encoding");
  } else {
    req.set_body(std::move(raw.body()));
  }

  const std::string& m = req.method();
  if ((m == "POST" || m == "PUT" || m == "PATCH") &&
      IsFormContentType(req.headers().GetOr("Content-Type"))) {
    if (absl::Status st = ParseQueryString(req.body(), &req.mutable_params()); !st.ok()) {
      res.SetError(400, "bad_data", StrCat("invalid form body: ", ToStd(st.message())));
      return;
    }
  }
  if (absl::Status st = ParseQueryString(req.raw_query(), &req.mutable_params()); !st.ok()) {
    res.SetError(400, "bad_data", StrCat("invalid query string: ", ToStd(st.message())));
    return;
  }
}

BeastResponse HttpServer::Impl::Encode(HttpResponse&& res, unsigned version, bool keep_alive,
                                       bool head, bool gzip_ok) const {
  int status = res.status();
  if (status < 100 || status > 999) {
    std::string msg = StrCat("handler set invalid HTTP status ", status);
    res = HttpResponse();
    res.SetError(500, "internal", msg);
    status = 500;
  }
  BeastResponse out{static_cast<bhttp::status>(status), version};
  bool has_content_type = false;
  bool has_encoding = false;
  for (const auto& [name, value] : res.headers()) {
    // Framing is the server's job; a handler's own framing headers would contradict it.
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding")) {
      continue;
    }
    if (EqualsIgnoreCase(name, "Content-Type")) has_content_type = true;
    if (EqualsIgnoreCase(name, "Content-Encoding")) has_encoding = true;
    out.insert(beast::string_view(name.data(), name.size()),
               beast::string_view(value.data(), value.size()));
  }
  std::string body = std::move(*res.mutable_body());
  bool bodiless = status < 200 || status == 204 || status == 304;
  if (bodiless) body.clear();
  if (!has_content_type && !body.empty()) {
    out.set(bhttp::field::content_type,
            beast::string_view(kContentTypeText.data(), kContentTypeText.size()));
  }
  if (options_.compress_responses && gzip_ok && !head && !has_encoding && res.compressible() &&
      body.size() > kGzipMinBytes) {
    body = GzipCompress(body);
    out.set(bhttp::field::content_encoding, "gzip");
    out.set(bhttp::field::vary, "Accept-Encoding");
  }
  size_t length = body.size();
  out.body() = std::move(body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  if (head) {
    // A HEAD response announces the GET body's length but carries no body.
    out.body().clear();
    if (!bodiless) out.content_length(length);
  }
  return out;
}

void HttpServer::Impl::Record(std::string_view handler, std::string_view method,
                              std::string_view target, int code,
                              std::chrono::steady_clock::time_point start,
                              std::string_view remote_address) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options_.metrics != nullptr) {
    std::string code_str = std::to_string(code);
    std::string key = StrCat(handler, '\x1f', code_str);
    Counter* counter = nullptr;
    Histogram* hist = nullptr;
    {
      std::lock_guard lock(metrics_mu_);
      auto [it, inserted] = request_counters_.try_emplace(key, nullptr);
      if (inserted) {
        it->second = &options_.metrics->GetCounter(
            "vigil_http_requests_total", "HTTP requests served, by handler and status code.",
            Labels{Label{"code", code_str}, Label{"handler", std::string(handler)}});
      }
      counter = it->second;
      auto [hit, hinserted] = durations_.try_emplace(std::string(handler), nullptr);
      if (hinserted) {
        hit->second = &options_.metrics->GetHistogram(
            "vigil_http_request_duration_seconds",
            "Time from a request's header arriving to its response being ready, by handler.",
            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
            Labels{Label{"handler", std::string(handler)}});
      }
      hist = hit->second;
    }
    counter->Inc();
    hist->Observe(seconds);
  }
  if (!LogEnabled(LogLevel::kDebug)) return;
  LogDebug(kComponent, "request",
           {{"handler", std::string(handler)},
            {"method", std::string(method)},
            {"target", std::string(Truncated(target, 256))},
            {"code", std::to_string(code)},
            {"duration_seconds", StrCat(seconds)},
            {"remote", std::string(remote_address)}});
}

}  // namespace vigil
