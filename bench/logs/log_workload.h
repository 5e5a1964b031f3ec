// A deterministic log workload: the structured JSON logs of a small web-shop fleet (gateway,
// auth, checkout, payments, orders, inventory, search, notifications; prod and staging).
//
// Traffic arrives as requests. Each request is one trace: the gateway's access line plus the
// lines of the services it touches (a checkout walks auth, checkout, inventory, payments,
// orders and notifications), all sharing one trace_id, one span_id per service. Failures are
// injected where they happen in real shops (declined cards, provider timeouts, stock
// shortages, refused connections to redis/smtp, rate limiting) and give `error` lines with an
// error_code, ~3% of all lines; a short incident in the second half of the range makes redis
// refuse connections more often. A few percent of lines are background jobs without a trace.
//
// Lines come out in time order as the fleet wrote them; the recorded timestamp adds each
// host's small clock skew (a few ms), so neighbouring lines of different hosts may be out of
// order by that much, as in any collected log. Timestamps spread over `duration_ns` from
// `start_ns`, with a gentle rate wave.
//
// The same options always give the same lines, byte for byte.
//
// Thread-safety: a LogGenerator has one owner at a time.
#pragma once

#include <array>
#include <cstdint>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "bench/metrics/random.h"

namespace vigil::bench {

struct LogWorkloadOptions {
  int64_t lines = 2'000'000;
  int64_t start_ns = 1'715'670'000'000'000'000;     // 2024-05-14T07:00:00Z
  int64_t duration_ns = 90LL * 60 * 1'000'000'000;  // at least 1 s (smaller is raised)
  uint64_t seed = 1;
};

// A field outside the common ones: host, client_ip, user_agent, user_id, order_id, cart_id, sku.
struct LogAttribute {
  std::string_view key;  // points to static storage
  std::string value;
};

// One log line before formatting. Absent optional fields: empty strings, duration_ms < 0,
// status_code 0.
struct LogRecord {
  int64_t time_ns = 0;  // as recorded (with the host's clock skew)
  std::string_view level;
  std::string_view service;
  std::string_view env;
  std::string message;
  std::string trace_id;         // 32 lowercase hex digits; empty for background jobs
  std::string span_id;          // 16 lowercase hex digits; empty with trace_id
  std::string_view error_code;  // set on error lines only
  double duration_ms = -1;      // a multiple of 0.1
  std::string_view http_method;
  std::string_view http_route;  // the route template, "/api/orders/{id}"
  int status_code = 0;
  std::vector<LogAttribute> attributes;
};

class LogGenerator {
 public:
  explicit LogGenerator(const LogWorkloadOptions& options);
  LogGenerator(const LogGenerator&) = delete;
  LogGenerator& operator=(const LogGenerator&) = delete;

  // The next line; false once options.lines lines were produced.
  bool Next(LogRecord* out);

  // The trace the benchmark searches for: the first checkout (~9 lines over 5 services)
  // starting at or after the middle of the range. Known before any of its lines is produced
  // (empty until then).
  const std::string& needle_trace_id() const { return needle_trace_id_; }

 private:
  struct Pending {
    int64_t true_ns;  // ordering key: when the host wrote the line
    uint64_t seq;     // ties keep creation order
    LogRecord record;
  };
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.true_ns != b.true_ns ? a.true_ns > b.true_ns : a.seq > b.seq;
    }
  };
  struct Host {
    std::string name;
    int64_t skew_ns;
  };
  class Trace;

  // Schedules the lines of the next request (or background job).
  void ScheduleNext();
  int64_t WarpedTime(double fraction) const;
  void Emit(int64_t true_ns, const Host& host, LogRecord record);

  // Flows; each schedules its lines through a Trace.
  void Browse(Trace& t);
  void Search(Trace& t);
  void OrderStatus(Trace& t);
  void Login(Trace& t);
  void Checkout(Trace& t);
  void Background(int64_t t0);
  void ValidateToken(Trace& t, const std::string& user);
  // The gateway's access line closing a request.
  void Access(Trace& t, std::string_view method, std::string_view route, std::string path,
              int status, const std::string& client_ip);

  static constexpr int kServiceCount = 8;
  const Host& PickHost(int service, std::string_view env);
  std::string Hex(int digits);
  int64_t Jitter(int64_t max_ns) { return static_cast<int64_t>(rng_.Below(max_ns)); }
  double Chance() { return rng_.Uniform(); }
  // The product of two uniform draws, in [0, 1) and skewed to small values (latencies). Every
  // draw is its own statement so the sequence does not depend on evaluation order.
  double SkewedChance() {
    const double a = Chance();
    return a * Chance();
  }
  bool InIncident(int64_t t) const;

  LogWorkloadOptions options_;
  Rng rng_;
  std::array<std::array<std::vector<Host>, kServiceCount>, 2> hosts_;  // [prod, staging][service]
  std::priority_queue<Pending, std::vector<Pending>, Later> pending_;
  uint64_t seq_ = 0;
  int64_t produced_ = 0;
  int64_t scheduled_ = 0;  // lines scheduled so far (drives the clock)
  int64_t next_start_ns_ = 0;
  std::string needle_trace_id_;
};

}  // namespace vigil::bench
