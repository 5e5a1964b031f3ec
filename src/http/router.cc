#include "http/router.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "common/strings.h"

namespace vigil {
namespace {

enum SegmentKind : uint8_t { kLiteral = 0, kParam = 1, kWildcard = 2 };

struct Segment {
  SegmentKind kind;
  std::string text;  // the literal, or the parameter name
};

// Splits "/a/b/" into {"a", "b", ""}; "/" gives {""}. `path` starts with '/'.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (;;) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

[[noreturn]] void BadPattern(std::string_view pattern, std::string_view why) {
  std::string msg =
      StrCat("vigil: invalid HTTP route pattern ", QuoteString(pattern), ": ", why, "\n");
  std::fputs(msg.c_str(), stderr);
  std::abort();
}

}  // namespace

struct Router::Entry {
  std::shared_ptr<const HttpRoute> route;
  std::vector<Segment> segments;
  std::vector<uint8_t> specificity;  // segment kinds; lexicographically smaller is more specific
};

Router::Router() = default;
Router::~Router() = default;

void Router::Handle(std::string_view method, std::string_view pattern, HttpHandler handler,
                    std::string handler_name) {
  auto route = std::make_shared<HttpRoute>();
  route->method = std::string(method);
  route->pattern = std::string(pattern);
  route->handler_name = std::move(handler_name);
  route->handler = std::move(handler);
  Add(std::move(route));
}

void Router::HandleWebSocket(std::string_view pattern, WebSocketHandler handler,
                             std::string handler_name) {
  auto route = std::make_shared<HttpRoute>();
  route->method = "GET";
  route->pattern = std::string(pattern);
  route->handler_name = std::move(handler_name);
  route->websocket = std::move(handler);
  Add(std::move(route));
}

void Router::Add(std::shared_ptr<HttpRoute> route) {
  const std::string& method = route->method;
  std::string_view pattern = route->pattern;
  if (pattern.empty() || pattern.front() != '/') BadPattern(pattern, "must start with '/'");
  if (method.empty()) BadPattern(pattern, "empty method");
  auto entry = std::make_shared<Entry>();
  std::vector<std::string_view> parts = SplitPath(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p == "*") {
      if (i + 1 != parts.size()) BadPattern(pattern, "'*' must be the last segment");
      entry->segments.push_back({kWildcard, "*"});
    } else if (!p.empty() && p.front() == ':') {
      if (p.size() == 1) BadPattern(pattern, "empty parameter name");
      entry->segments.push_back({kParam, std::string(p.substr(1))});
    } else {
      if (p.find_first_of("*:") != std::string_view::npos) {
        BadPattern(pattern, "'*' and ':' may only start a segment");
      }
      entry->segments.push_back({kLiteral, std::string(p)});
    }
    entry->specificity.push_back(entry->segments.back().kind);
  }
  entry->route = std::move(route);

  std::unique_lock lock(mu_);
  for (auto& e : entries_) {
    if (e->route->method == entry->route->method && e->route->pattern == entry->route->pattern) {
      e = std::move(entry);
      return;
    }
  }
  entries_.push_back(std::move(entry));
}

absl::StatusOr<Router::Match> Router::Find(std::string_view method,
                                           std::string_view raw_path) const {
  if (raw_path.empty() || raw_path.front() != '/') {
    return absl::InvalidArgumentError(
        StrCat("request path ", QuoteString(Truncated(raw_path)), " does not start with '/'"));
  }
  std::vector<std::string> segs;
  for (std::string_view raw : SplitPath(raw_path)) {
    auto decoded = PercentDecode(raw, /*plus_as_space=*/false);
    if (!decoded.ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid request path: ", ToStd(decoded.status().message())));
    }
    segs.push_back(std::move(*decoded));
  }

  Match result;
  const Entry* best = nullptr;
  std::vector<std::string> allowed;
  std::shared_lock lock(mu_);
  for (const auto& e : entries_) {
    const auto& pat = e->segments;
    bool wildcard = pat.back().kind == kWildcard;
    size_t fixed = wildcard ? pat.size() - 1 : pat.size();
    if (wildcard ? segs.size() <= fixed : segs.size() != fixed) continue;
    bool ok = true;
    for (size_t i = 0; i < fixed && ok; ++i) {
      if (pat[i].kind == kLiteral) {
        ok = pat[i].text == segs[i];
      } else {
        ok = !segs[i].empty();
      }
    }
    if (!ok) continue;
    const std::string& m = e->route->method;
    bool method_ok = m == "*" || m == method || (m == "GET" && method == "HEAD");
    if (!method_ok) {
      allowed.push_back(m);
      if (m == "GET") allowed.push_back("HEAD");
      continue;
    }
    if (best == nullptr || e->specificity < best->specificity ||
        (e->specificity == best->specificity && best->route->method == "*" && m != "*")) {
      best = e.get();
    }
  }
  if (best == nullptr) {
    if (allowed.empty()) return result;
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    result.outcome = Outcome::kMethodNotAllowed;
    for (const auto& m : allowed) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += m;
    }
    return result;
  }
  result.outcome = Outcome::kFound;
  result.route = best->route;
  const auto& pat = best->segments;
  for (size_t i = 0; i < pat.size(); ++i) {
    if (pat[i].kind == kParam) {
      result.path_params.emplace_back(pat[i].text, std::move(segs[i]));
    } else if (pat[i].kind == kWildcard) {
      std::string rest;
      for (size_t j = i; j < segs.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest += segs[j];
      }
      result.path_params.emplace_back("*", std::move(rest));
    }
  }
  return result;
}

}  // namespace vigil
