// promql_query: the query client of `scripts/bench promql`. Runs a fixed set of dashboard
// queries as range queries over the last hour and the last day of the loaded data against one
// server, each several times over one keep-alive connection, and prints one JSON object per
// (query, range) with the median and minimum latency and the result's size, then one with the
// server's peak resident memory during the query phase (VmHWM, reset through
// /proc/<pid>/clear_refs before the first query).
//
// Any transport error, non-200 answer or error status stops the run (exit status 1), so a
// benchmark never times an error page.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/metrics/proc_stats.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "http/http_client.h"
#include "http/url.h"
#include "simdjson.h"

namespace vigil::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct NamedQuery {
  const char* name;
  const char* expr;
};

// What a service dashboard over this fleet asks for.
constexpr NamedQuery kQueries[] = {
    {"sum_rate", "sum by (job) (rate(http_requests_total[5m]))"},
    {"histogram_p99",
     "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"},
    {"topk", "topk(10, sum by (pod) (rate(http_requests_total[5m])))"},
    {"regex_selector",
     "sum by (job) (rate(http_requests_total{status_code=~\"5..\", route=~\"/api/.*|/v1/.*\"}[5m]))"},
    {"subquery", "max_over_time(sum by (job) (rate(http_requests_total[5m]))[1h:1m])"},
};

struct Range {
  const char* name;
  int64_t length_ms;
  int64_t step_ms;
};
constexpr Range kRanges[] = {{"1h", 3600 * 1000, 15 * 1000}, {"24h", 86400 * 1000, 60 * 1000}};

struct ResultSize {
  int64_t series = 0;
  int64_t points = 0;
};

// Checks a query_range answer and counts its series and points.
absl::StatusOr<ResultSize> Inspect(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return absl::InternalError("answer is not JSON");
  std::string_view status;
  if (doc["status"].get(status) || status != "success") {
    return absl::InternalError(StrCat("query failed: ", Truncated(body, 300)));
  }
  simdjson::dom::array result;
  if (doc["data"]["result"].get(result)) return absl::InternalError("no data.result array");
  ResultSize size;
  for (simdjson::dom::element s : result) {
    simdjson::dom::array values;
    if (s["values"].get(values)) return absl::InternalError("series without values");
    ++size.series;
    size.points += static_cast<int64_t>(values.size());
  }
  return size;
}

int Main(int argc, char** argv) {
  CLI::App app{"Times dashboard PromQL queries against one server"};
  std::string target;
  int64_t end_ms = 0;
  int repeats = 5;
  int server_pid = 0;
  app.add_option("--target", target, "host:port of the server (loopback)")->required();
  app.add_option("--end-ms", end_ms, "end of the loaded data (ms since the epoch)")->required();
  app.add_option("--repeats", repeats, "timed runs of each query (after one warm-up run)");
  app.add_option("--server-pid", server_pid, "report this process' peak RSS (/proc)");
  CLI11_PARSE(app, argc, argv);

  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(target, &host, &port).ok() || port == 0) {
    std::fprintf(stderr, "promql_query: --target must be host:port, got %s\n", target.c_str());
    return 2;
  }
  if (server_pid > 0) {
    // Resets VmHWM so the peak covers the query phase only, not ingestion.
    std::ofstream clear(StrCat("/proc/", server_pid, "/clear_refs"));
    clear << "5";
    if (!clear.flush()) {
      std::fprintf(stderr, "promql_query: cannot reset the peak RSS of pid %d\n", server_pid);
      return 1;
    }
  }
  HttpClientOptions copts;
  // Plain JSON from every system: the engines are measured, not their compressors.
  copts.accept_gzip = false;
  HttpConnection conn(host, port, copts);
  // Seconds with millisecond precision, as the API takes them.
  auto seconds = [](int64_t ms) { return StrCat(ms / 1000, ".", (ms % 1000 + 1000) % 1000); };
  for (const Range& range : kRanges) {
    for (const NamedQuery& q : kQueries) {
      const std::string path =
          StrCat("/api/v1/query_range?query=", UrlEncode(q.expr), "&start=",
                 seconds(end_ms - range.length_ms), "&end=", seconds(end_ms),
                 "&step=", range.step_ms / 1000);
      std::vector<double> ms;
      ResultSize size;
      for (int i = 0; i <= repeats; ++i) {
        const Clock::time_point start = Clock::now();
        absl::StatusOr<HttpClientResponse> r = conn.Do("GET", path, {}, {}, std::chrono::minutes(10));
        const double elapsed =
            std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!r.ok() || r->status != 200) {
          std::fprintf(stderr, "promql_query: %s (%s): %s\n", q.name, range.name,
                       r.ok() ? Truncated(r->body, 300).data()
                              : std::string(r.status().message()).c_str());
          return 1;
        }
        absl::StatusOr<ResultSize> s = Inspect(r->body);
        if (!s.ok()) {
          std::fprintf(stderr, "promql_query: %s (%s): %s\n", q.name, range.name,
                       std::string(s.status().message()).c_str());
          return 1;
        }
        size = *s;
        if (i > 0) ms.push_back(elapsed);  // the first run warms caches
      }
      std::sort(ms.begin(), ms.end());
      std::string out;
      JsonWriter j(&out);
      j.BeginObject().KV("query", q.name).KV("range", range.name);
      j.Key("median_ms").Double(ms[ms.size() / 2]).Key("min_ms").Double(ms.front());
      j.Key("series").Int(size.series).Key("points").Int(size.points);
      j.EndObject();
      std::printf("%s\n", out.c_str());
      std::fflush(stdout);
    }
  }
  if (server_pid > 0) {
    absl::StatusOr<ProcessStats> st = ReadProcessStats(server_pid);
    if (!st.ok()) {
      std::fprintf(stderr, "promql_query: %s\n", std::string(st.status().message()).c_str());
      return 1;
    }
    std::string out;
    JsonWriter j(&out);
    j.BeginObject().Key("peak_rss_bytes").Int(st->hwm_bytes).Key("rss_bytes").Int(st->rss_bytes);
    j.EndObject();
    std::printf("%s\n", out.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
