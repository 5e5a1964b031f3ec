// Internal to the log workload (log_workload.cc, log_flows.cc): the fleet's constants and
// LogGenerator::Trace, which collects the lines of one request before they are scheduled.
//
// Thread-safety: as LogGenerator's.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/logs/log_workload.h"
#include "bench/metrics/random.h"
#include "common/strings.h"

namespace vigil::bench {

// The fleet (internal to the log workload).
enum Service : int {
  kGateway,
  kAuth,
  kCheckout,
  kPayments,
  kOrders,
  kInventory,
  kSearch,
  kNotifications,
  kServices
};
static_assert(kServices == 8);
inline constexpr std::array<std::string_view, kServices> kServiceNames = {
    "gateway", "auth", "checkout", "payments", "orders", "inventory", "search", "notifications"};
inline constexpr std::array<int, kServices> kProdPods = {6, 3, 4, 3, 4, 3, 5, 2};

inline constexpr std::string_view kDebug = "debug";
inline constexpr std::string_view kInfo = "info";
inline constexpr std::string_view kWarn = "warn";
inline constexpr std::string_view kError = "error";

// A uniformly drawn integer in [lo, hi) as decimal text.
inline std::string Digits(Rng& rng, uint64_t lo, uint64_t hi) {
  return StrCat(lo + rng.Below(hi - lo));
}

// The lines of one request: a cursor in time, one host and span per service touched.
class LogGenerator::Trace {
 public:
  Trace(LogGenerator* g, int64_t t0, std::string_view env, bool traced)
      : g_(g), t0_(t0), now_(t0), env_(env) {
    if (traced) trace_id_ = g->Hex(32);
  }

  // Moves the cursor by a random duration of [lo_ms, hi_ms).
  void Advance(double lo_ms, double hi_ms) {
    now_ += static_cast<int64_t>((lo_ms + (hi_ms - lo_ms) * g_->Chance()) * 1e6);
  }
  int64_t now() const { return now_; }
  double ElapsedMs() const { return static_cast<double>(now_ - t0_) / 1e6; }
  const std::string& trace_id() const { return trace_id_; }
  std::string_view env() const { return env_; }

  // A new line of `service` at the cursor; valid until the next Line call.
  LogRecord& Line(int service, std::string_view level, std::string message) {
    Touch(service);
    lines_.push_back({now_, service, LogRecord{}});
    LogRecord& r = lines_.back().record;
    r.level = level;
    r.service = kServiceNames[service];
    r.env = env_;
    r.message = std::move(message);
    if (!trace_id_.empty()) {
      r.trace_id = trace_id_;
      r.span_id = spans_[service];
    }
    r.attributes.push_back({"host", hosts_[service]->name});
    return r;
  }

  // Hands the lines to the generator; returns how many there were.
  int64_t Flush() {
    for (Scheduled& s : lines_) g_->Emit(s.true_ns, *hosts_[s.service], std::move(s.record));
    return static_cast<int64_t>(lines_.size());
  }

 private:
  struct Scheduled {
    int64_t true_ns;
    int service;
    LogRecord record;
  };
  void Touch(int service) {
    if (hosts_[service] != nullptr) return;
    hosts_[service] = &g_->PickHost(service, env_);
    if (!trace_id_.empty()) spans_[service] = g_->Hex(16);
  }

  LogGenerator* g_;
  int64_t t0_;
  int64_t now_;
  std::string_view env_;
  std::string trace_id_;
  std::array<const Host*, kServices> hosts_{};
  std::array<std::string, kServices> spans_;
  std::vector<Scheduled> lines_;
};

}  // namespace vigil::bench
