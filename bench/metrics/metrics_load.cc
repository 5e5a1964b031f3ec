// metrics_load: the load client of `scripts/bench metrics`. It builds a remote_write workload
// (bench/metrics/workload.h) entirely before the clock starts, then sends it to one server over
// --senders keep-alive connections (one thread each) and prints one JSON object on stdout:
// the workload's size, the send phase's wall time and ingest rate, request latencies and, with
// --server-pid, the server's CPU time and resident memory around the send phase (read from
// /proc, so the server must run on this machine).
//
// Any transport error or non-2xx answer stops the run: the body is printed on stderr and the
// exit status is 1, so a benchmark never reports numbers for data the server refused.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/metrics/proc_stats.h"
#include "bench/metrics/send_result.h"
#include "bench/metrics/workload.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "http/http_client.h"
#include "http/url.h"

namespace vigil::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct SendOptions {
  std::string host;
  uint16_t port = 0;
  std::string path;
  int max_round_lead = 8;
  std::chrono::milliseconds timeout{60000};
};

// Sends every request of every sender; returns once all are acknowledged or one failed.
SendResult SendAll(const Workload& w, const SendOptions& o) {
  const size_t senders = w.per_sender.size();
  // progress[s]: the round sender s is sending now (INT64_MAX once done). A sender waits while
  // it is more than max_round_lead rounds ahead of the slowest one, so the newest timestamp a
  // server has seen never runs far ahead of what the others still send, as with Prometheus'
  // shards, which all drain one WAL.
  auto progress = std::make_unique<std::atomic<int64_t>[]>(senders);
  for (size_t s = 0; s < senders; ++s) progress[s].store(0);
  std::atomic<bool> failed{false};
  std::mutex mu;
  SendResult total;

  auto run = [&](size_t s) {
    HttpClientOptions copts;
    copts.accept_gzip = false;
    copts.user_agent = "vigil-bench-metrics-load";
    HttpConnection conn(o.host, o.port, copts);
    const HttpHeaders headers = {{"Content-Type", "application/x-protobuf"},
                                 {"Content-Encoding", "snappy"},
                                 {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    std::vector<double> latencies;
    latencies.reserve(w.per_sender[s].size());
    std::string error;
    for (const WriteRequestBody& req : w.per_sender[s]) {
      progress[s].store(req.round);
      for (;;) {
        int64_t slowest = INT64_MAX;
        for (size_t i = 0; i < senders; ++i) slowest = std::min(slowest, progress[i].load());
        if (req.round - slowest <= o.max_round_lead || failed.load()) break;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      if (failed.load()) break;
      const Clock::time_point start = Clock::now();
      absl::StatusOr<HttpClientResponse> resp =
          conn.Do("POST", o.path, headers, req.snappy, o.timeout);
      if (!resp.ok()) {
        error = StrCat("sender ", s, ": ", std::string(resp.status().message()));
      } else if (resp->status / 100 != 2) {
        error = StrCat("sender ", s, ": HTTP ", resp->status, " for a request of round ", req.round,
                       ": ", Truncated(resp->body, 2000));
      }
      if (!error.empty()) {
        failed.store(true);
        break;
      }
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    progress[s].store(INT64_MAX);
    std::lock_guard<std::mutex> lock(mu);
    total.Add(latencies, conn.connects(), error);
  };

  std::vector<std::thread> threads;
  for (size_t s = 0; s < senders; ++s) threads.emplace_back(run, s);
  for (std::thread& t : threads) t.join();
  return total;
}


int Main(int argc, char** argv) {
  CLI::App app{"metrics_load: sends a pre-built remote_write workload to one server"};
  std::string target = "127.0.0.1:9400";
  WorkloadOptions wopts;
  SendOptions sopts;
  sopts.path = "/api/v1/write";
  int server_pid = 0;
  int64_t end_ago_ms = 30000;
  int64_t timeout_ms = 60000;
  bool build_only = false;
  app.add_option("--target", target, "host:port of the server (loopback)");
  app.add_option("--path", sopts.path, "remote_write path");
  app.add_option("--series", wopts.series, "number of series");
  app.add_option("--samples", wopts.samples_per_series, "samples per series");
  app.add_option("--interval-ms", wopts.interval_ms, "scrape interval between samples");
  app.add_option("--end-ms", wopts.end_ms, "timestamps end before this (default: now - end-ago)");
  app.add_option("--end-ago-ms", end_ago_ms, "default end: this long before now");
  app.add_option("--samples-per-request", wopts.samples_per_request, "samples in one request");
  app.add_option("--samples-per-series-per-request", wopts.samples_per_series_per_request,
                 "consecutive samples of one series inside one request");
  app.add_option("--senders", wopts.senders, "sender threads, one keep-alive connection each");
  app.add_option("--seed", wopts.seed, "workload seed");
  app.add_option("--max-round-lead", sopts.max_round_lead,
                 "how many rounds a sender may run ahead of the slowest");
  app.add_option("--timeout-ms", timeout_ms, "per-request timeout");
  app.add_option("--server-pid", server_pid, "measure this process' CPU and RSS (/proc)");
  app.add_flag("--build-only", build_only, "build the workload, print its size, send nothing");
  CLI11_PARSE(app, argc, argv);

  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(target, &host, &port).ok() || port == 0) {
    std::fprintf(stderr, "metrics_load: --target must be host:port, got %s\n", target.c_str());
    return 2;
  }
  sopts.host = host;
  sopts.port = port;
  sopts.timeout = std::chrono::milliseconds(timeout_ms);
  if (wopts.end_ms == 0) {
    wopts.end_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() -
                   end_ago_ms;
  }

  const Clock::time_point build_start = Clock::now();
  absl::StatusOr<Workload> w = BuildWorkload(wopts);
  if (!w.ok()) {
    std::fprintf(stderr, "metrics_load: %s\n", std::string(w.status().message()).c_str());
    return 2;
  }
  const double build_seconds = Seconds(Clock::now() - build_start);

  std::string out;
  JsonWriter j(&out);
  j.BeginObject();
  j.Key("series").Int(w->series).Key("samples").Int(w->samples).Key("requests").Int(w->requests);
  j.Key("senders").Int(wopts.senders).Key("metric_names").Int(w->metric_names);
  j.Key("counters").Int(w->counters).Key("gauges").Int(w->gauges);
  j.Key("raw_bytes").Int(w->raw_bytes).Key("snappy_bytes").Int(w->snappy_bytes);
  j.Key("min_t").Int(w->min_t).Key("max_t").Int(w->max_t);
  j.Key("build_seconds").Double(build_seconds);

  if (!build_only) {
    absl::StatusOr<ProcessStats> before = ProcessStats{};
    if (server_pid > 0) before = ReadProcessStats(server_pid);
    if (!before.ok()) {
      std::fprintf(stderr, "metrics_load: %s\n", std::string(before.status().message()).c_str());
      return 1;
    }
    const Clock::time_point start = Clock::now();
    SendResult r = SendAll(*w, sopts);
    const double seconds = Seconds(Clock::now() - start);
    absl::StatusOr<ProcessStats> after = ProcessStats{};
    if (server_pid > 0) after = ReadProcessStats(server_pid);
    if (!r.error.empty()) {
      std::fprintf(stderr, "metrics_load: %s\n", r.error.c_str());
      return 1;
    }
    if (!after.ok()) {
      std::fprintf(stderr, "metrics_load: %s\n", std::string(after.status().message()).c_str());
      return 1;
    }
    j.Key("send_seconds").Double(seconds);
    j.Key("samples_per_second").Double(static_cast<double>(w->samples) / seconds);
    j.Key("acknowledged").Int(r.requests);  // 2xx answers: all of them, or the run failed
    j.Key("connects").Int(r.connects);
    j.Key("latency_p50_ms").Double(Percentile(&r.latencies_ms, 0.5));
    j.Key("latency_p99_ms").Double(Percentile(&r.latencies_ms, 0.99));
    j.Key("latency_max_ms").Double(Percentile(&r.latencies_ms, 1.0));
    if (server_pid > 0) {
      const int64_t cpu = after->cpu_us - before->cpu_us;
      j.Key("server_cpu_us").Int(cpu);
      j.Key("server_cpu_us_per_sample").Double(static_cast<double>(cpu) / w->samples);
      j.Key("server_rss_before_bytes").Int(before->rss_bytes);
      j.Key("server_rss_after_bytes").Int(after->rss_bytes);
      j.Key("server_rss_peak_bytes").Int(after->hwm_bytes);
    }
  }
  j.EndObject();
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
