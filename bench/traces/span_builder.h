// Internal to the span workload (span_workload.cc, span_flows.cc): builds one trace. The
// primitives (spans, database calls, service calls, work in-process) lay spans out in time and
// keep the tree within SpanGenerator::kMaxSpans; the flows (span_flows.cc) compose them into
// the shop's six request types.
//
// Thread-safety: one Builder per trace, on the generator's thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/traces/span_workload.h"

namespace vigil::bench {

// The shop's services, indexes into the service table (span_workload.cc).
enum Service : int {
  kGateway,
  kAuth,
  kCatalog,
  kSearch,
  kCart,
  kCheckout,
  kPayments,
  kInventory,
  kOrders,
  kNotifications,
  kServiceCount
};

// How a call ended: when, with which HTTP status (0 for non-HTTP work), and whether it failed
// in a way the caller sees as its own failure (a 5xx, a refused connection, a timeout).
struct Outcome {
  int64_t end_ns = 0;
  int status = 0;
  bool failed = false;
};

// A database or remote-system call made through a client library.
struct DbCall {
  std::string_view system;     // db.system: postgresql, mysql, redis, elasticsearch; or "smtp"
  std::string_view db_name;    // db.name (SQL, elasticsearch index)
  std::string_view operation;  // SELECT, HGETALL, search, ...
  std::string_view table;      // db.sql.table (SQL only)
  std::string statement;       // db.statement
  std::string_view peer;       // net.peer.name
  int port = 0;
  double median_ms = 1;
  double sigma = 0.6;
  double failure = 0.002;  // chance of a refused connection or a timeout
};

class SpanGenerator::Builder {
 public:
  Builder(SpanGenerator& gen, std::vector<GenSpan>* spans, int64_t start_ns);

  // One request, root span first: picks a request type and runs its flow.
  void Run();

 private:
  Rng& rng() { return gen_.rng_; }
  double Chance() { return rng().Uniform(); }
  // Log-normal work time with the given median (ms), plus a rare slow tail.
  int64_t Work(double median_ms, double sigma);
  bool Room(size_t n) const { return spans_->size() + n <= static_cast<size_t>(kMaxSpans); }

  size_t Open(size_t parent, int resource, GenSpanKind kind, std::string name, int64_t start_ns);
  GenSpan& span(size_t i) { return (*spans_)[i]; }
  int ResourceOf(size_t i) const { return (*spans_)[i].resource; }
  void Attr(size_t i, std::string_view key, std::string value);
  void Attr(size_t i, std::string_view key, int64_t value);
  void AttrBool(size_t i, std::string_view key, bool value);
  void AttrDouble(size_t i, std::string_view key, double value);
  // user.id (when known) and region, on every span of the trace.
  void Baggage(size_t i);
  // Marks span i (its end set) as failed, with an `exception` event.
  void Fail(size_t i, std::string_view type, std::string message);
  // ~10% of spans: one event inside span i (its end set), by kind of span.
  void MaybeEvent(size_t i);

  // A CLIENT span of parent's service to a database (or remote system); skipped (ending at
  // `at`) when the trace is full.
  Outcome Db(size_t parent, int64_t at, DbCall call);
  // An INTERNAL span of parent's service lasting one log-normal work time.
  Outcome Internal(size_t parent, int64_t at, std::string name, std::string_view function,
                   double median_ms, double sigma);

  // A CLIENT span in parent's service and the SERVER span of `service` it reaches, whose
  // children `body(server, t)` adds from t on, returning the server's outcome. A failed body
  // makes the server answer 500 most of the time (else it degrades and answers 200). Skipped
  // when the trace has no room for both spans.
  template <typename Body>
  Outcome Call(size_t parent, int64_t at, int service, std::string_view method,
               std::string_view route, std::string target, Body body);
  void HttpServerAttrs(size_t i, std::string_view method, std::string_view route,
                       const std::string& target, int status);

  // The request types (span_flows.cc). Each gets the gateway's root span and returns the
  // status the gateway answers.
  Outcome ProductPage(size_t root, int64_t t);
  Outcome SearchPage(size_t root, int64_t t);
  Outcome AddToCart(size_t root, int64_t t);
  Outcome Checkout(size_t root, int64_t t);
  Outcome OrderStatus(size_t root, int64_t t);
  Outcome Login(size_t root, int64_t t);
  // Pieces several flows share.
  Outcome ValidateSession(size_t parent, int64_t at);
  Outcome ProductLookup(size_t parent, int64_t at, int64_t product);
  Outcome StockCheck(size_t parent, int64_t at, int64_t product);
  Outcome RateLimit(size_t root, int64_t at);

  int64_t Product();  // a product id, popular ones more often
  std::string Hex(int digits);

  SpanGenerator& gen_;
  std::vector<GenSpan>* spans_;
  std::array<uint8_t, 16> trace_id_{};
  int64_t start_ns_;
  std::string user_;  // "u004211"; empty for anonymous requests
  std::string_view region_;
  // What the request is about (the gateway's target names them): the product viewed or added
  // to the cart, the search term, the order looked up.
  int64_t product_ = 0;
  std::string_view term_;
  int64_t order_ = 0;
};

}  // namespace vigil::bench
