#include "http/http_client.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <climits>
#include <optional>

#include "common/strings.h"
#include "http/compression.h"
#include "http/url.h"

namespace vigil {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kMaxResponseHeaderBytes = 1 << 20;

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view Bv(std::string_view s) { return {s.data(), s.size()}; }

// Failures of a reused keep-alive connection that the server closed while it sat idle.
bool IsStaleConnectionError(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == bhttp::error::partial_message;
}

}  // namespace

class HttpConnection::Impl {
 public:
  Impl(std::string host, uint16_t port, HttpClientOptions options)
      : host_(std::move(host)), port_(port), options_(std::move(options)), stream_(ioc_) {
    host_header_ = host_.find(':') != std::string::npos ? StrCat("[", host_, "]:", port_)
                                                        : StrCat(host_, ":", port_);
  }

  absl::StatusOr<HttpClientResponse> Do(std::string_view method, std::string_view target,
                                        const HttpHeaders& headers, std::string_view body,
                                        std::chrono::milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    std::string what = StrCat("HTTP ", method, " ", host_header_, Truncated(target, 256));
    // One retry, only when a reused connection failed before any response byte arrived.
    for (int attempt = 0;; ++attempt) {
      bool reused = connected_;
      bool got_response_bytes = false;
      auto result =
          Attempt(method, target, headers, body, timeout, deadline, what, &got_response_bytes);
      if (result.ok() || !reused || got_response_bytes || attempt > 0 || !stale_failure_) {
        return result;
      }
    }
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  bool connected() const { return connected_; }
  int connects() const { return connects_; }

 private:
  // Runs the io_context until the operation started by `start` completes.
  template <typename Start>
  beast::error_code Run(Start&& start) {
    beast::error_code result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  absl::Status Fail(std::string_view what, std::string_view step, const beast::error_code& ec,
                    std::chrono::milliseconds timeout) {
    if (ec == beast::error::timeout || ec == asio::error::timed_out) {
      return absl::DeadlineExceededError(
          StrCat(what, ": timeout after ", timeout.count(), "ms (", step, ")"));
    }
    return absl::UnavailableError(StrCat(what, ": ", step, ": ", ec.message()));
  }

  absl::Status Connect(Clock::time_point deadline, std::string_view what,
                       std::chrono::milliseconds timeout) {
    Close();
    if (Clock::now() >= deadline) {
      return Fail(what, "resolving host", beast::error::timeout, timeout);
    }
    // The resolver has no timeout of its own: race it against a timer.
    tcp::resolver resolver(ioc_);
    asio::steady_timer timer(ioc_);
    bool timed_out = false;
    beast::error_code resolve_ec;
    tcp::resolver::results_type endpoints;
    timer.expires_at(deadline);
    timer.async_wait([&](beast::error_code ec) {
      if (!ec) {
        timed_out = true;
        resolver.cancel();
      }
    });
    resolver.async_resolve(host_, std::to_string(port_), tcp::resolver::numeric_service,
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             resolve_ec = ec;
                             endpoints = std::move(r);
                             timer.cancel();
                           });
    ioc_.restart();
    ioc_.run();
    if (timed_out) return Fail(what, "resolving host", beast::error::timeout, timeout);
    if (resolve_ec) return Fail(what, "resolving host", resolve_ec, timeout);

    stream_.expires_at(deadline);
    beast::error_code ec = Run([&](auto handler) { stream_.async_connect(endpoints, handler); });
    if (ec) return Fail(what, "connect", ec, timeout);
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    connected_ = true;
    ++connects_;
    return absl::OkStatus();
  }

  absl::StatusOr<HttpClientResponse> Attempt(std::string_view method, std::string_view target,
                                             const HttpHeaders& headers, std::string_view body,
                                             std::chrono::milliseconds timeout,
                                             Clock::time_point deadline, std::string_view what,
                                             bool* got_response_bytes) {
    stale_failure_ = false;
    if (!connected_) {
      if (absl::Status st = Connect(deadline, what, timeout); !st.ok()) return st;
    }
    bhttp::request<bhttp::string_body> req;
    bhttp::verb verb = bhttp::string_to_verb(Bv(method));
    if (verb == bhttp::verb::unknown) {
      req.method_string(Bv(method));
    } else {
      req.method(verb);
    }
    req.target(Bv(target));
    req.version(11);
    req.set(bhttp::field::host, host_header_);
    req.set(bhttp::field::user_agent, options_.user_agent);
    if (options_.accept_gzip && !headers.Has("Accept-Encoding")) {
      req.set(bhttp::field::accept_encoding, "gzip");
    }
    for (const auto& [n, v] : headers) {
      if (EqualsIgnoreCase(n, "Content-Length") || EqualsIgnoreCase(n, "Transfer-Encoding")) {
        continue;
      }
      req.set(Bv(n), Bv(v));
    }
    req.body().assign(body.data(), body.size());
    req.prepare_payload();

    stream_.expires_at(deadline);
    beast::error_code ec = Run([&](auto handler) { bhttp::async_write(stream_, req, handler); });
    if (ec) {
      stale_failure_ = IsStaleConnectionError(ec);
      Close();
      return Fail(what, "writing request", ec, timeout);
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(static_cast<uint64_t>(options_.max_response_bytes));
    if (verb == bhttp::verb::head) parser.skip(true);
    stream_.expires_at(deadline);
    ec = Run([&](auto handler) { bhttp::async_read(stream_, buffer_, parser, handler); });
    *got_response_bytes = parser.got_some();
    if (ec) {
      stale_failure_ = IsStaleConnectionError(ec);
      Close();
      if (ec == bhttp::error::body_limit) {
        return absl::ResourceExhaustedError(StrCat(what, ": response body exceeds the limit of ",
                                                   options_.max_response_bytes, " bytes"));
      }
      return Fail(what, "reading response", ec, timeout);
    }
    stream_.expires_never();
    auto& res = parser.get();
    if (!res.keep_alive()) Close();

    HttpClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.Add(Sv(f.name_string()), Sv(f.value()));
    ContentCoding coding = ClassifyContentEncoding(out.headers.GetOr("Content-Encoding"));
    if (coding == ContentCoding::kGzip || coding == ContentCoding::kDeflate) {
      auto decoded = DecompressBody(coding, res.body(), options_.max_response_bytes);
      if (!decoded.ok()) {
        return absl::Status(decoded.status().code(),
                            StrCat(what, ": response body: ", ToStd(decoded.status().message())));
      }
      out.body = std::move(*decoded);
      out.headers.Remove("Content-Encoding");
    } else {
      out.body = std::move(res.body());
    }
    return out;
  }

  const std::string host_;
  const uint16_t port_;
  const HttpClientOptions options_;
  std::string host_header_;
  asio::io_context ioc_{1};
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
  bool stale_failure_ = false;
  int connects_ = 0;
};

HttpConnection::HttpConnection(std::string host, uint16_t port, HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(options))) {}
HttpConnection::~HttpConnection() = default;

absl::StatusOr<HttpClientResponse> HttpConnection::Do(std::string_view method,
                                                      std::string_view target,
                                                      const HttpHeaders& headers,
                                                      std::string_view body,
                                                      std::chrono::milliseconds timeout) {
  return impl_->Do(method, target, headers, body, timeout);
}
void HttpConnection::Close() { impl_->Close(); }
bool HttpConnection::connected() const { return impl_->connected(); }
int HttpConnection::connects() const { return impl_->connects(); }

absl::StatusOr<HttpClientResponse> HttpClient::Do(std::string_view method, std::string_view url,
                                                  const HttpHeaders& headers, std::string_view body,
                                                  std::chrono::milliseconds timeout) const {
  auto parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status();
  HttpConnection conn(parsed->host, parsed->port, options_);
  HttpHeaders with_close = headers;
  if (!with_close.Has("Connection")) with_close.Add("Connection", "close");
  return conn.Do(method, parsed->target, with_close, body, timeout);
}

}  // namespace vigil
