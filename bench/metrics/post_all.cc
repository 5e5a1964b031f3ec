#include "bench/metrics/post_all.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "http/http_client.h"

namespace vigil::bench {

SendResult PostAll(std::span<const std::string_view> bodies, const PostOptions& o) {
  using Clock = std::chrono::steady_clock;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  SendResult total;
  auto run = [&](int c) {
    HttpClientOptions copts;
    copts.accept_gzip = false;
    copts.user_agent = o.user_agent;
    HttpConnection conn(o.host, o.port, copts);
    std::vector<double> latencies;
    std::string error;
    while (!failed.load()) {
      const size_t i = next.fetch_add(1);
      if (i >= bodies.size()) break;
      const Clock::time_point start = Clock::now();
      absl::StatusOr<HttpClientResponse> resp = conn.Do("POST", o.path, o.headers, bodies[i], o.timeout);
      if (!resp.ok()) {
        error = StrCat("connection ", c, ", request ", i, ": ", ToStd(resp.status().message()));
      } else if (resp->status / 100 != 2) {
        error = StrCat("connection ", c, ", request ", i, ": HTTP ", resp->status, ": ",
                       Truncated(resp->body, 2000));
      } else if (o.rejection) {
        if (std::string r = o.rejection(resp->body); !r.empty()) {
          error = StrCat("connection ", c, ", request ", i, ": ", r);
        }
      }
      if (!error.empty()) {
        failed.store(true);
        break;
      }
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::lock_guard<std::mutex> lock(mu);
    total.Add(latencies, conn.connects(), error);
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) threads.emplace_back(run, c);
  for (std::thread& t : threads) t.join();
  return total;
}

void WriteSendFigures(JsonWriter& j, std::string_view unit, int64_t items, int64_t bytes,
                      double seconds, SendResult* r, const ProcessStats* before,
                      const ProcessStats* after) {
  j.Key("connects").Int(r->connects);
  j.Key("acknowledged").Int(r->requests);
  j.Key("send_seconds").Double(seconds);
  j.Key(StrCat(unit, "s_per_second")).Double(static_cast<double>(items) / seconds);
  j.Key("bytes_per_second").Double(static_cast<double>(bytes) / seconds);
  j.Key("latency_p50_ms").Double(Percentile(&r->latencies_ms, 0.5));
  j.Key("latency_p99_ms").Double(Percentile(&r->latencies_ms, 0.99));
  j.Key("latency_max_ms").Double(Percentile(&r->latencies_ms, 1.0));
  if (before != nullptr && after != nullptr) {
    const int64_t cpu = after->cpu_us - before->cpu_us;
    j.Key("server_cpu_us").Int(cpu);
    j.Key(StrCat("server_cpu_us_per_", unit))
        .Double(items > 0 ? static_cast<double>(cpu) / static_cast<double>(items) : 0);
    j.Key("server_rss_before_bytes").Int(before->rss_bytes);
    j.Key("server_rss_after_bytes").Int(after->rss_bytes);
    j.Key("server_rss_peak_bytes").Int(after->hwm_bytes);
  }
}

absl::StatusOr<MeasuredSend> MeasuredPostAll(std::span<const std::string_view> bodies,
                                             const PostOptions& options, int server_pid) {
  MeasuredSend out;
  if (server_pid > 0) {
    absl::StatusOr<ProcessStats> before = ReadProcessStats(server_pid);
    if (!before.ok()) return before.status();
    out.before = *before;
  }
  const auto start = std::chrono::steady_clock::now();
  out.result = PostAll(bodies, options);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (server_pid > 0) {
    absl::StatusOr<ProcessStats> after = ReadProcessStats(server_pid);
    if (!after.ok()) return after.status();
    out.after = *after;
  }
  if (!out.result.error.empty()) return absl::InternalError(out.result.error);
  return out;
}

}  // namespace vigil::bench
