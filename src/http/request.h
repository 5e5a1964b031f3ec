// An HTTP request as a handler sees it: already read in full, its body decoded from
// `Content-Encoding: gzip`/`deflate`, its query string and form body parsed, and the router's
// path parameters filled in. No Beast types, so handler code compiles quickly.
//
// The server builds it on an I/O thread and hands it (const) to one handler on a worker
// thread. Setters exist for the server and for tests that call handlers directly.
// A value type; not synchronized.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/headers.h"
#include "http/url.h"

namespace vigil {

class HttpRequest {
 public:
  // Upper-case method as sent ("GET", "POST", ...). HEAD requests keep "HEAD" even when a GET
  // handler serves them.
  const std::string& method() const { return method_; }
  // The percent-decoded path ("/api/v1/label/job/values").
  const std::string& path() const { return path_; }
  // The query string after '?', undecoded ("" when absent).
  const std::string& raw_query() const { return raw_query_; }
  const HttpHeaders& headers() const { return headers_; }
  std::optional<std::string_view> Header(std::string_view name) const { return headers_.Get(name); }
  // The decoded body. When the server decoded gzip/deflate it removed Content-Encoding from
  // headers(); other codings (snappy) are left in the body and the header for the handler.
  const std::string& body() const { return body_; }
  // Peer address as "ip:port" ("[::1]:port" for IPv6).
  const std::string& remote_address() const { return remote_address_; }

  // Every value of a query or form parameter: form-body values first, then query-string
  // values, each in the order sent (as Go's Request.Form, which Prometheus clients expect).
  std::vector<std::string> Params(std::string_view name) const;
  // The first value of Params(name), or nullopt when the parameter is absent.
  std::optional<std::string> Param(std::string_view name) const;
  const ParamList& params() const { return params_; }

  // A named segment (":name") or the wildcard remainder ("*") matched by the router; "" when
  // the route has no such parameter.
  std::string_view PathParam(std::string_view name) const;
  const ParamList& path_params() const { return path_params_; }

  void set_method(std::string m) { method_ = std::move(m); }
  void set_path(std::string p) { path_ = std::move(p); }
  void set_raw_query(std::string q) { raw_query_ = std::move(q); }
  HttpHeaders& mutable_headers() { return headers_; }
  void set_body(std::string b) { body_ = std::move(b); }
  std::string* mutable_body() { return &body_; }
  void set_remote_address(std::string a) { remote_address_ = std::move(a); }
  ParamList& mutable_params() { return params_; }
  ParamList& mutable_path_params() { return path_params_; }

 private:
  std::string method_;
  std::string path_;
  std::string raw_query_;
  HttpHeaders headers_;
  std::string body_;
  std::string remote_address_;
  ParamList params_;
  ParamList path_params_;
};

}  // namespace vigil
