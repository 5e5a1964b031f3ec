// trace_fetch: times trace-by-id lookups the way a tracing UI makes them, one after another on
// one keep-alive connection, for the ids of a file (span_gen --trace-ids: "<hex>\t<spans>"),
// and checks every answer holds the trace's spans. Prints one JSON object: lookups and the
// latency distribution (ms).
//
//   --system vigil       GET /api/v1/traces/<id> (the trace with its analysis)
//   --system clickhouse  two queries over the HTTP interface: the trace's time range from the
//                        trace_id_ts lookup table, then its spans from the spans table within
//                        that range (JSONEachRow), as Jaeger's and Grafana's ClickHouse
//                        backends do
//
// A failed request or a wrong span count stops the run with exit status 1 (message on stderr).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/metrics/send_result.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "http/http_client.h"
#include "http/url.h"

namespace vigil::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct TraceRef {
  std::string id;
  int64_t spans = 0;
};

// The value of the first `"key":<integer>` in a JSON text; -1 when absent.
int64_t FirstJsonInt(std::string_view json, std::string_view key) {
  const std::string needle = StrCat("\"", key, "\":");
  const size_t at = json.find(needle);
  if (at == std::string_view::npos) return -1;
  size_t end = at + needle.size();
  while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
  int64_t v = -1;
  if (!ParseInt64(json.substr(at + needle.size(), end - at - needle.size()), &v)) return -1;
  return v;
}

class Fetcher {
 public:
  Fetcher(std::string host, uint16_t port, std::chrono::milliseconds timeout)
      : conn_(std::move(host), port, Options()), timeout_(timeout) {}

  // Fetches one trace; false with *error when the answer is not the trace.
  bool Vigil(const TraceRef& t, std::string* error) {
    absl::StatusOr<HttpClientResponse> resp =
        conn_.Do("GET", StrCat("/api/v1/traces/", t.id), {}, {}, timeout_);
    if (!Check(resp, t, error)) return false;
    const int64_t n = FirstJsonInt(resp->body, "span_count");
    if (n != t.spans) {
      *error = StrCat("trace ", t.id, ": span_count ", n, ", expected ", t.spans);
      return false;
    }
    return true;
  }

  bool ClickHouse(const TraceRef& t, std::string* error) {
    absl::StatusOr<HttpClientResponse> range =
        conn_.Do("POST", "/", kText,
                 StrCat("SELECT min(start_ns), max(end_ns) FROM trace_id_ts WHERE trace_id = '",
                        t.id, "' FORMAT TabSeparated"),
                 timeout_);
    if (!Check(range, t, error)) return false;
    std::string_view body = range->body;
    while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    const size_t tab = body.find('\t');
    uint64_t start = 0, end = 0;
    if (tab == std::string_view::npos || !ParseUint64(body.substr(0, tab), &start) ||
        !ParseUint64(body.substr(tab + 1), &end) || end == 0) {
      *error = StrCat("trace ", t.id, ": unexpected time range ", QuoteString(Truncated(body)));
      return false;
    }
    absl::StatusOr<HttpClientResponse> spans =
        conn_.Do("POST", "/", kText,
                 StrCat("SELECT * FROM spans WHERE trace_id = '", t.id, "' AND start_ns >= ", start,
                        " AND start_ns <= ", end, " FORMAT JSONEachRow"),
                 timeout_);
    if (!Check(spans, t, error)) return false;
    const int64_t n = std::count(spans->body.begin(), spans->body.end(), '\n');
    if (n != t.spans) {
      *error = StrCat("trace ", t.id, ": ", n, " span rows, expected ", t.spans);
      return false;
    }
    return true;
  }

 private:
  static HttpClientOptions Options() {
    HttpClientOptions o;
    o.accept_gzip = false;
    o.user_agent = "vigil-bench-trace-fetch";
    o.max_response_bytes = 256 << 20;
    return o;
  }

  static bool Check(const absl::StatusOr<HttpClientResponse>& resp, const TraceRef& t,
                    std::string* error) {
    if (!resp.ok()) {
      *error = StrCat("trace ", t.id, ": ", ToStd(resp.status().message()));
      return false;
    }
    if (resp->status != 200) {
      *error = StrCat("trace ", t.id, ": HTTP ", resp->status, ": ", Truncated(resp->body, 2000));
      return false;
    }
    return true;
  }

  inline static const HttpHeaders kText = {{"Content-Type", "text/plain"}};
  HttpConnection conn_;
  std::chrono::milliseconds timeout_;
};

int Main(int argc, char** argv) {
  CLI::App app{"trace_fetch: times trace-by-id lookups"};
  std::string target;
  std::string system = "vigil";
  std::string ids_path;
  size_t limit = 1000;
  int64_t timeout_ms = 60000;
  app.add_option("--target", target, "host:port of the server (loopback)")->required();
  app.add_option("--system", system, "vigil or clickhouse")
      ->check(CLI::IsMember({"vigil", "clickhouse"}));
  app.add_option("--ids", ids_path, "trace ids with span counts (span_gen --trace-ids)")
      ->required();
  app.add_option("--limit", limit, "look up at most this many ids");
  app.add_option("--timeout-ms", timeout_ms, "per-request timeout");
  CLI11_PARSE(app, argc, argv);

  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(target, &host, &port).ok() || port == 0) {
    std::fprintf(stderr, "trace_fetch: --target must be host:port, got %s\n", target.c_str());
    return 2;
  }
  std::ifstream in(ids_path);
  std::vector<TraceRef> ids;
  for (std::string line; std::getline(in, line) && ids.size() < limit;) {
    const size_t tab = line.find('\t');
    TraceRef t;
    if (tab == std::string::npos || !ParseInt64(std::string_view(line).substr(tab + 1), &t.spans)) {
      std::fprintf(stderr, "trace_fetch: %s: bad line %s\n", ids_path.c_str(), line.c_str());
      return 2;
    }
    t.id = line.substr(0, tab);
    ids.push_back(std::move(t));
  }
  if (ids.empty()) {
    std::fprintf(stderr, "trace_fetch: no ids in %s\n", ids_path.c_str());
    return 2;
  }

  Fetcher f(host, port, std::chrono::milliseconds(timeout_ms));
  std::vector<double> ms;
  ms.reserve(ids.size());
  double total = 0;
  for (const TraceRef& t : ids) {
    std::string error;
    const Clock::time_point start = Clock::now();
    const bool ok = system == "vigil" ? f.Vigil(t, &error) : f.ClickHouse(t, &error);
    const double d = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!ok) {
      std::fprintf(stderr, "trace_fetch: %s\n", error.c_str());
      return 1;
    }
    ms.push_back(d);
    total += d;
  }

  std::string out;
  JsonWriter j(&out);
  j.BeginObject();
  j.Key("lookups").Int(static_cast<int64_t>(ms.size()));
  j.Key("mean_ms").Double(total / static_cast<double>(ms.size()));
  j.Key("p50_ms").Double(Percentile(&ms, 0.5));
  j.Key("p90_ms").Double(Percentile(&ms, 0.9));
  j.Key("p99_ms").Double(Percentile(&ms, 0.99));
  j.Key("max_ms").Double(Percentile(&ms, 1.0));
  j.EndObject();
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
