#include "bench/logs/log_workload.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "bench/logs/log_trace.h"
#include "common/strings.h"

namespace vigil::bench {

LogGenerator::LogGenerator(const LogWorkloadOptions& options)
    : options_(options), rng_(MixSeed(options.seed, 0x10657)) {
  // Below a second the clock could not move past the longest request (3 s) in reasonable
  // time; lines < 0 means none.
  options_.duration_ns = std::max<int64_t>(options_.duration_ns, 1'000'000'000);
  constexpr std::string_view kAlnum = "bcdfghjklmnpqrstvwxz2456789";
  for (int env = 0; env < 2; ++env) {
    for (int s = 0; s < kServices; ++s) {
      std::string deployment = Hex(9);
      const int pods = env == 0 ? kProdPods[s] : 1 + static_cast<int>(rng_.Below(2));
      std::vector<Host>& hosts = hosts_[env][s];
      for (int p = 0; p < pods; ++p) {
        std::string name = StrCat(kServiceNames[s], "-", deployment, "-");
        for (int i = 0; i < 5; ++i) name.push_back(kAlnum[rng_.Below(kAlnum.size())]);
        hosts.push_back({std::move(name), static_cast<int64_t>(rng_.Below(4'000'001)) - 2'000'000});
      }
    }
  }
  next_start_ns_ = options_.start_ns;
}

bool LogGenerator::Next(LogRecord* out) {
  if (produced_ >= options_.lines) return false;
  // Every request scheduled later starts at or after next_start_ns_, so whatever is pending
  // before that time is complete and can go out in order.
  while (pending_.empty() || pending_.top().true_ns > next_start_ns_) ScheduleNext();
  // priority_queue::top is const; the element is popped right after, so moving is safe.
  Pending& top = const_cast<Pending&>(pending_.top());
  *out = std::move(top.record);
  pending_.pop();
  ++produced_;
  return true;
}

int64_t LogGenerator::WarpedTime(double f) const {
  // Two slow waves of traffic over the range: the clock runs ±25% faster than average.
  constexpr double kTwoPi = 6.283185307179586;
  const double warped = f + 0.25 * std::sin(kTwoPi * 2 * f) / (kTwoPi * 2);
  return options_.start_ns +
         static_cast<int64_t>(warped * static_cast<double>(options_.duration_ns));
}

bool LogGenerator::InIncident(int64_t t) const {
  const int64_t d = options_.duration_ns;
  return t >= options_.start_ns + d / 100 * 62 && t < options_.start_ns + d / 100 * 66;
}

void LogGenerator::ScheduleNext() {
  const double f =
      static_cast<double>(scheduled_) / static_cast<double>(std::max<int64_t>(1, options_.lines));
  const int64_t t0 = std::max(next_start_ns_, WarpedTime(f) + Jitter(2'000'000));
  next_start_ns_ = t0;
  if (Chance() < 0.025) {
    Background(t0);
    return;
  }
  const std::string_view env = Chance() < 0.9 ? "prod" : "staging";
  Trace t(this, t0, env, true);
  const double pick = Chance();
  bool checkout = false;
  if (pick < 0.30) {
    Browse(t);
  } else if (pick < 0.55) {
    Search(t);
  } else if (pick < 0.70) {
    OrderStatus(t);
  } else if (pick < 0.80) {
    Login(t);
  } else {
    Checkout(t);
    checkout = true;
  }
  if (checkout && needle_trace_id_.empty() && t0 >= options_.start_ns + options_.duration_ns / 2) {
    needle_trace_id_ = t.trace_id();
  }
  scheduled_ += t.Flush();
}

void LogGenerator::Emit(int64_t true_ns, const Host& host, LogRecord record) {
  record.time_ns = true_ns + host.skew_ns;
  pending_.push({true_ns, seq_++, std::move(record)});
}

const LogGenerator::Host& LogGenerator::PickHost(int service, std::string_view env) {
  const std::vector<Host>& hosts = hosts_[env == "prod" ? 0 : 1][service];
  return hosts[rng_.Below(hosts.size())];
}

std::string LogGenerator::Hex(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(digits);
  uint64_t bits = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng_.Next();
    s.push_back(kHex[bits & 15]);
    bits >>= 4;
  }
  return s;
}

}  // namespace vigil::bench
