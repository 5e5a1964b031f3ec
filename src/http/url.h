// URL pieces shared by the HTTP server and client: percent-encoding and decoding,
// `application/x-www-form-urlencoded` / query-string parsing, and splitting an
// `http://host:port/path?query` URL.
//
// All input is treated as hostile: an invalid escape ("%zz", a truncated "%4") is an
// InvalidArgument error that quotes the offending bytes, never a crash. Output size is bounded
// by input size. Pure functions; safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil {

// Ordered name/value pairs; a name may repeat (`match[]=a&match[]=b`).
using ParamList = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~).
// Space becomes %20, so the result is safe both in a path segment and in a query component.
std::string UrlEncode(std::string_view s);

// Decodes %XX escapes. With `plus_as_space` (query strings and form bodies) '+' becomes a
// space; in paths it stays '+'. Fails on '%' not followed by two hex digits.
absl::StatusOr<std::string> PercentDecode(std::string_view s, bool plus_as_space);

// Parses `a=1&b=2&a=3` (a query string without '?', or a form body), appending decoded pairs
// to `out` in order. Empty pieces (`a=1&&b=2`) are skipped; a piece without '=' has an empty
// value. On error `out` may hold the pairs decoded before the bad piece.
absl::Status ParseQueryString(std::string_view query, ParamList* out);

// The inverse: `name=value&...` with both sides UrlEncode'd.
std::string EncodeQueryString(const ParamList& params);

// A parsed absolute `http://` URL.
struct HttpUrl {
  std::string host;    // without brackets for IPv6 literals
  uint16_t port = 80;  // 80 when the URL has none
  std::string target;  // path plus "?query", at least "/"; the fragment is dropped
};

// Accepts `http://host[:port][/path][?query][#fragment]`, host being a name, an IPv4 address
// or a bracketed IPv6 address. Rejects other schemes (https is not supported), userinfo,
// empty hosts, bad ports and control characters or spaces in the URL.
absl::StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

// "host:port" → host and port, accepting "[::1]:9090" and ":9090" (all interfaces, given
// as 0.0.0.0). Port 0 is allowed (listen on any free port).
absl::Status SplitHostPort(std::string_view listen, std::string* host, uint16_t* port);

}  // namespace vigil
