// Maps (method, path) to a handler.
//
// Patterns:
//   "/api/v1/query"               exact path
//   "/api/v1/label/:name/values"  ":name" matches one non-empty path segment
//   "/ui/*"                       trailing wildcard: any path starting with "/ui/"; the rest
//                                 is the path parameter "*"
// Methods are matched exactly ("GET", "POST", ...) or "*" for any; a GET route also serves
// HEAD. When several routes match, the most specific wins, comparing segment by segment
// (a literal beats ":param", which beats "*"); then a route for the exact method beats "*".
// A path matched only by routes for other methods gives MethodNotAllowed with the Allow list.
//
// Path segments are percent-decoded one by one, so an escaped "%2F" stays inside its segment.
// WebSocket routes (HandleWebSocket, see http/websocket.h) are GET routes whose HttpRoute
// carries `websocket` instead of `handler`; they take part in matching like any GET route.
//
// Registering the same (method, pattern) twice replaces the earlier handler. A malformed
// pattern is a programming error and aborts with a message.
//
// Thread-safe: Handle may be called while Match runs on other threads.
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "http/request.h"
#include "http/response.h"
#include "http/websocket.h"

namespace vigil {

// Handlers run synchronously on a server worker thread and may block.
using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

struct HttpRoute {
  std::string method;  // "GET", "POST", ... or "*"
  std::string pattern;
  std::string handler_name;    // the `handler` label of vigil_http_* metrics
  HttpHandler handler;         // ordinary routes
  WebSocketHandler websocket;  // WebSocket routes (then `handler` is empty)
};

class Router {
 public:
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    std::shared_ptr<const HttpRoute> route;  // set when kFound
    ParamList path_params;                   // set when kFound
    std::string allow;                       // "GET, HEAD, POST" when kMethodNotAllowed
  };

  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void Handle(std::string_view method, std::string_view pattern, HttpHandler handler,
              std::string handler_name);
  // A WebSocket endpoint at `pattern` (method GET); see http/websocket.h.
  void HandleWebSocket(std::string_view pattern, WebSocketHandler handler,
                       std::string handler_name);

  // `raw_path` is the request path as sent (still percent-encoded, without the query).
  // InvalidArgument when it holds an invalid escape.
  absl::StatusOr<Match> Find(std::string_view method, std::string_view raw_path) const;

 private:
  struct Entry;
  void Add(std::shared_ptr<HttpRoute> route);
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<const Entry>> entries_;
};

}  // namespace vigil
