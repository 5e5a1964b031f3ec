// log_load: the load client of the log benchmark. Reads a file of newline-terminated lines
// (NDJSON, or ClickHouse JSONEachRow rows) into memory, cuts it into batches of --batch-lines
// lines before the clock starts, then POSTs the batches in file order to one server over
// --connections keep-alive connections (one thread each, each taking the next batch) and
// prints one JSON object on stdout: lines, bytes, batches, the send phase's wall time and
// rate, request latencies and, with --server-pid, the server's CPU time and resident memory
// around the send phase (from /proc: the server must run on this machine).
//
// Any transport error or non-2xx answer stops the run: the first failure's body is printed
// on stderr and the exit status is 1, so no figure is reported for data a server refused.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/logs/line_batches.h"
#include "bench/metrics/proc_stats.h"
#include "bench/metrics/post_all.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "http/url.h"

namespace vigil::bench {
namespace {



int Main(int argc, char** argv) {
  CLI::App app{"log_load: sends a file of log lines to one server in batches"};
  std::string target = "127.0.0.1:8123";
  std::string path = "/api/v1/logs/ingest";
  std::string content_type = "application/x-ndjson";
  std::vector<std::string> extra_headers;
  std::string file;
  int64_t batch_lines = 1000;
  int connections = 4;
  int server_pid = 0;
  int64_t timeout_ms = 120000;
  app.add_option("--target", target, "host:port of the server (loopback)");
  app.add_option("--path", path, "request target: path and query string");
  app.add_option("--content-type", content_type, "Content-Type of the batches");
  app.add_option("--header", extra_headers, "extra header 'Name: value' (repeatable)");
  app.add_option("--file", file, "the lines to send")->required();
  app.add_option("--batch-lines", batch_lines, "lines per request")->check(CLI::PositiveNumber);
  app.add_option("--connections", connections, "keep-alive connections, one thread each")
      ->check(CLI::Range(1, 256));
  app.add_option("--timeout-ms", timeout_ms, "per-request timeout");
  app.add_option("--server-pid", server_pid, "measure this process' CPU and RSS (/proc)");
  CLI11_PARSE(app, argc, argv);

  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(target, &host, &port).ok() || port == 0) {
    std::fprintf(stderr, "log_load: --target must be host:port, got %s\n", target.c_str());
    return 2;
  }
  HttpHeaders headers = {{"Content-Type", content_type}};
  for (const std::string& h : extra_headers) {
    const size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::fprintf(stderr, "log_load: --header must be 'Name: value', got %s\n", h.c_str());
      return 2;
    }
    std::string_view value = std::string_view(h).substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.Add(std::string_view(h).substr(0, colon), value);
  }

  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  if (!in || !(content << in.rdbuf())) {
    std::fprintf(stderr, "log_load: cannot read %s\n", file.c_str());
    return 2;
  }
  const std::string data = std::move(content).str();
  const std::vector<LineBatch> batches = CutLineBatches(data, batch_lines);
  int64_t lines = 0;
  for (const LineBatch& b : batches) lines += b.lines;

  std::vector<std::string_view> bodies;
  for (const LineBatch& b : batches) bodies.push_back(b.body);
  PostOptions post;
  post.host = host;
  post.port = port;
  post.path = path;
  post.headers = headers;
  post.connections = connections;
  post.timeout = std::chrono::milliseconds(timeout_ms);
  post.user_agent = "vigil-bench-log-load";
  absl::StatusOr<MeasuredSend> sent = MeasuredPostAll(bodies, post, server_pid);
  if (!sent.ok()) {
    std::fprintf(stderr, "log_load: %s\n", std::string(sent.status().message()).c_str());
    return 1;
  }

  std::string out;
  JsonWriter j(&out);
  j.BeginObject();
  j.Key("lines").Int(lines).Key("bytes").Int(static_cast<int64_t>(data.size()));
  j.Key("batches").Int(static_cast<int64_t>(batches.size())).Key("batch_lines").Int(batch_lines);
  j.Key("connections").Int(connections);
  WriteSendFigures(j, "line", lines, static_cast<int64_t>(data.size()), sent->seconds,
                   &sent->result, sent->before ? &*sent->before : nullptr,
                   sent->after ? &*sent->after : nullptr);
  j.EndObject();
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
