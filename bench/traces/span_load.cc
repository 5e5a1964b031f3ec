// span_load: the load client of the trace benchmark. Reads a file of length-prefixed OTLP
// ExportTraceServiceRequest protobufs (span_gen --otlp-out) into memory, counts their spans
// before the clock starts, then POSTs them in file order to --path (default /v1/traces,
// Content-Type application/x-protobuf) over --connections keep-alive connections (one thread
// each, each taking the next request) and prints one JSON object on stdout: spans, requests,
// bytes, the send phase's wall time and rate, request latencies and, with --server-pid, the
// server's CPU time and resident memory around the send phase (from /proc).
//
// Any transport error, non-2xx answer, or an OTLP partial_success that rejected spans stops the
// run: the first failure is printed on stderr and the exit status is 1, so no figure is
// reported for data a server refused.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/metrics/proc_stats.h"
#include "bench/metrics/post_all.h"
#include "bench/traces/span_otlp.h"
#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"
#include "http/url.h"

namespace vigil::bench {
namespace {


// Spans in one ExportTraceServiceRequest (resource_spans=1 > scope_spans=2 > spans=2); -1 when
// the request does not parse.
int64_t CountSpans(std::string_view request) {
  int64_t n = 0;
  proto::WireReader req(request);
  uint32_t f;
  proto::WireType t;
  while (req.NextField(&f, &t)) {
    std::string_view rs;
    if (f != 1 || t != proto::kLengthDelimited) {
      if (!req.Skip(t)) return -1;
      continue;
    }
    if (!req.ReadBytes(&rs)) return -1;
    proto::WireReader r(rs);
    while (r.NextField(&f, &t)) {
      std::string_view ss;
      if (f != 2 || t != proto::kLengthDelimited) {
        if (!r.Skip(t)) return -1;
        continue;
      }
      if (!r.ReadBytes(&ss)) return -1;
      proto::WireReader s(ss);
      while (s.NextField(&f, &t)) {
        if (f == 2 && t == proto::kLengthDelimited) ++n;
        if (!s.Skip(t)) return -1;
      }
      if (s.failed()) return -1;
    }
    if (r.failed()) return -1;
  }
  return req.failed() ? -1 : n;
}

// The rejection an OTLP protobuf answer reports (ExportTraceServiceResponse.partial_success=1:
// rejected_spans=1, error_message=2); empty when none was rejected.
std::string Rejection(std::string_view body) {
  proto::WireReader r(body);
  uint32_t f;
  proto::WireType t;
  while (r.NextField(&f, &t)) {
    std::string_view ps;
    if (f != 1 || t != proto::kLengthDelimited) {
      if (!r.Skip(t)) break;
      continue;
    }
    if (!r.ReadBytes(&ps)) break;
    proto::WireReader p(ps);
    uint64_t rejected = 0;
    std::string_view message;
    while (p.NextField(&f, &t)) {
      if (f == 1 && t == proto::kVarint) {
        if (!p.ReadVarint(&rejected)) break;
      } else if (f == 2 && t == proto::kLengthDelimited) {
        if (!p.ReadBytes(&message)) break;
      } else if (!p.Skip(t)) {
        break;
      }
    }
    if (rejected > 0) return StrCat(rejected, " spans rejected: ", Truncated(message, 2000));
  }
  return "";
}

int Main(int argc, char** argv) {
  CLI::App app{"span_load: sends a file of OTLP trace requests to one server"};
  std::string target = "127.0.0.1:8080";
  std::string path = "/v1/traces";
  std::string file;
  int connections = 4;
  int server_pid = 0;
  int64_t timeout_ms = 120000;
  app.add_option("--target", target, "host:port of the server (loopback)");
  app.add_option("--path", path, "request target");
  app.add_option("--file", file, "the length-prefixed requests (span_gen --otlp-out)")->required();
  app.add_option("--connections", connections, "keep-alive connections, one thread each")
      ->check(CLI::Range(1, 256));
  app.add_option("--timeout-ms", timeout_ms, "per-request timeout");
  app.add_option("--server-pid", server_pid, "measure this process' CPU and RSS (/proc)");
  CLI11_PARSE(app, argc, argv);

  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(target, &host, &port).ok() || port == 0) {
    std::fprintf(stderr, "span_load: --target must be host:port, got %s\n", target.c_str());
    return 2;
  }
  std::string data, error;
  std::vector<std::string_view> requests;
  if (!ReadFramedFile(file, &data, &requests, &error)) {
    std::fprintf(stderr, "span_load: %s\n", error.c_str());
    return 2;
  }
  int64_t spans = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const int64_t n = CountSpans(requests[i]);
    if (n < 0) {
      std::fprintf(stderr, "span_load: request %zu does not parse as OTLP\n", i);
      return 2;
    }
    spans += n;
  }
  const HttpHeaders headers = {{"Content-Type", "application/x-protobuf"}};

  PostOptions post;
  post.host = host;
  post.port = port;
  post.path = path;
  post.headers = headers;
  post.connections = connections;
  post.timeout = std::chrono::milliseconds(timeout_ms);
  post.user_agent = "vigil-bench-span-load";
  post.rejection = Rejection;
  absl::StatusOr<MeasuredSend> sent = MeasuredPostAll(requests, post, server_pid);
  if (!sent.ok()) {
    std::fprintf(stderr, "span_load: %s\n", std::string(sent.status().message()).c_str());
    return 1;
  }

  std::string out;
  JsonWriter j(&out);
  j.BeginObject();
  j.Key("spans").Int(spans).Key("bytes").Int(static_cast<int64_t>(data.size()));
  j.Key("requests").Int(static_cast<int64_t>(requests.size()));
  j.Key("connections").Int(connections);
  WriteSendFigures(j, "span", spans, static_cast<int64_t>(data.size()), sent->seconds,
                   &sent->result, sent->before ? &*sent->before : nullptr,
                   sent->after ? &*sent->after : nullptr);
  j.EndObject();
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
