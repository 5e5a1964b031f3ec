#include "http/url.h"

#include "common/strings.h"

namespace vigil {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::string> PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 1 < s.size() ? HexDigitValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexDigitValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        // Quote what follows the '%' (at most the two bytes that should have been hex).
        return absl::InvalidArgumentError(
            StrCat("invalid URL escape ", QuoteString(s.substr(i, 3)), " at offset ", i));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::Status ParseQueryString(std::string_view query, ParamList* out) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view piece = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view raw_name = piece.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    auto name = PercentDecode(raw_name, /*plus_as_space=*/true);
    if (!name.ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid query parameter name: ", ToStd(name.status().message())));
    }
    auto value = PercentDecode(raw_value, /*plus_as_space=*/true);
    if (!value.ok()) {
      return absl::InvalidArgumentError(StrCat("invalid value for query parameter ",
                                               QuoteString(Truncated(*name)), ": ",
                                               ToStd(value.status().message())));
    }
    out->emplace_back(std::move(*name), std::move(*value));
  }
  return absl::OkStatus();
}

std::string EncodeQueryString(const ParamList& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    StrAppend(&out, UrlEncode(name), '=', UrlEncode(value));
  }
  return out;
}

absl::StatusOr<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        StrCat("invalid URL ", QuoteString(Truncated(url)), ": ", why));
  };
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return bad("contains a space or control character");
  }
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("missing scheme (want http://)");
  std::string scheme(url.substr(0, colon));
  for (char& c : scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (scheme == "https") return bad("https is not supported");
  if (scheme != "http") return bad(StrCat("unsupported scheme ", QuoteString(scheme)));
  std::string_view rest = url.substr(colon + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view target = auth_end == std::string_view::npos ? "" : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad("userinfo (user:password@) is not supported");
  }

  HttpUrl out;
  std::string_view port_str;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated '[' in IPv6 host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected characters after IPv6 host");
      port_str = after.substr(1);
      if (port_str.empty()) return bad("empty port");
    }
  } else {
    size_t pc = authority.rfind(':');
    if (pc != std::string_view::npos) {
      port_str = authority.substr(pc + 1);
      if (port_str.empty()) return bad("empty port");
      authority = authority.substr(0, pc);
    }
    if (authority.find(':') != std::string_view::npos) {
      return bad("IPv6 hosts must be in brackets");
    }
    out.host = std::string(authority);
  }
  if (out.host.empty()) return bad("empty host");
  if (!port_str.empty()) {
    uint64_t port = 0;
    if (!ParseUint64(port_str, &port) || port == 0 || port > 65535) {
      return bad(StrCat("invalid port ", QuoteString(port_str)));
    }
    out.port = static_cast<uint16_t>(port);
  }
  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = StrCat("/", target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

absl::Status SplitHostPort(std::string_view listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("listen address ", QuoteString(listen), " must be host:port"));
  }
  std::string_view h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  uint64_t p;
  if (!ParseUint64(listen.substr(colon + 1), &p) || p > 65535) {
    return absl::InvalidArgumentError(StrCat("invalid port in listen address ", QuoteString(listen)));
  }
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  *port = static_cast<uint16_t>(p);
  return absl::OkStatus();
}

}  // namespace vigil
