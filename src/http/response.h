// The response a handler fills in: status, headers, body. The server adds Content-Length and
// connection headers, and gzips a body over 1 KiB when the client sent
// `Accept-Encoding: gzip` and the handler did not set a Content-Encoding of its own.
//
// A value type; one handler writes it, then the server reads it. Not synchronized.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "http/headers.h"

namespace vigil {

inline constexpr std::string_view kContentTypeJson = "application/json";
inline constexpr std::string_view kContentTypeText = "text/plain; charset=utf-8";

class HttpResponse {
 public:
  int status() const { return status_; }
  void set_status(int status) { status_ = status; }

  HttpHeaders& headers() { return headers_; }
  const HttpHeaders& headers() const { return headers_; }

  const std::string& body() const { return body_; }
  std::string* mutable_body() { return &body_; }
  void set_body(std::string body) { body_ = std::move(body); }

  std::string_view content_type() const { return headers_.GetOr("Content-Type"); }
  void set_content_type(std::string_view type) { headers_.Set("Content-Type", type); }

  // Whether the server may gzip this body (true by default; off for already-compressed
  // payloads or streaming-sensitive content).
  bool compressible() const { return compressible_; }
  void set_compressible(bool c) { compressible_ = c; }

  // Sets status, body and `Content-Type: application/json`.
  void SetJson(int status, std::string json);
  // Sets status, body and `Content-Type: text/plain; charset=utf-8`.
  void SetText(int status, std::string text);
  // A Prometheus-style API error: `{"status":"error","errorType":"<type>","error":"<msg>"}`.
  void SetError(int status, std::string_view error_type, std::string_view message);

 private:
  int status_ = 200;
  HttpHeaders headers_;
  std::string body_;
  bool compressible_ = true;
};

// The JSON body of an API error, as SetError writes it.
std::string ErrorJson(std::string_view error_type, std::string_view message);

}  // namespace vigil
