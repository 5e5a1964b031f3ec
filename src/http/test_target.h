// For tests: an HTTP server on a free loopback port that answers one path with whatever the
// test sets (body, status, content type, a delay) and remembers the last request it got.
// A scrape target, a health endpoint, or any peer a test needs to talk to.
//
// Thread-safety: setters and getters may be called while requests are served.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/strings.h"
#include "http/http_server.h"

namespace vigil {

class TestHttpTarget {
 public:
  explicit TestHttpTarget(const std::string& path) {
    HttpServerOptions so;
    so.worker_threads = 4;
    so.shutdown_timeout = std::chrono::seconds(2);
    server_ = std::make_unique<HttpServer>(so);
    server_->Handle(
        "GET", path,
        [this](const HttpRequest& req, HttpResponse& resp) {
          int delay;
          {
            std::lock_guard<std::mutex> l(mu_);
            ++requests_;
            last_ = req;
            resp.set_status(status_);
            resp.set_body(body_);
            resp.set_content_type(content_type_);
            delay = delay_ms_;
          }
          if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        },
        "test_target");
    start_ = server_->Start();
  }
  ~TestHttpTarget() { server_->Stop(); }
  // Stops answering (a target that went away).
  void Stop() { server_->Stop(); }

  // OK once the server listens.
  const absl::Status& status() const { return start_; }
  std::string address() const { return StrCat("127.0.0.1:", server_->port()); }

  void Serve(std::string body, int status = 200, std::string content_type = "text/plain; version=0.0.4") {
    std::lock_guard<std::mutex> l(mu_);
    body_ = std::move(body);
    status_ = status;
    content_type_ = std::move(content_type);
  }
  void SetDelay(int ms) {
    std::lock_guard<std::mutex> l(mu_);
    delay_ms_ = ms;
  }
  int requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  // The most recent request (a copy).
  HttpRequest last_request() const {
    std::lock_guard<std::mutex> l(mu_);
    return last_;
  }

 private:
  std::unique_ptr<HttpServer> server_;
  absl::Status start_;
  mutable std::mutex mu_;
  std::string body_;
  int status_ = 200;
  std::string content_type_ = "text/plain; version=0.0.4";
  int delay_ms_ = 0;
  int requests_ = 0;
  HttpRequest last_;
};

}  // namespace vigil
