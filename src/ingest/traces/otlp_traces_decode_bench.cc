// In-process OTLP traces protobuf decode benchmark (not a test): builds one
// ExportTraceServiceRequest of N spans with 8 attributes each (5 strings, 2 ints, a bool, as
// HTTP server instrumentation records them), decodes it repeatedly into a fresh SpanBatch as
// the HTTP handler does, and prints nanoseconds and heap allocations per span.
//   otlp_traces_decode_bench [spans=10000] [iterations=200]
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "ingest/traces/otlp_traces_proto.h"
#include "ingest/traces/otlp_traces_test_util.h"

namespace {

std::atomic<uint64_t> g_allocations{0};

std::string BigEndian(uint64_t v, int bytes) {
  std::string out;
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(v >> shift));
  }
  return out;
}

}  // namespace

// Counts heap allocations, to show the decoder's steady state allocates (almost) nothing per
// span.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

int main(int argc, char** argv) {
  using namespace vigil;
  using namespace vigil::testing_traces;
  // As the server sets them (src/server/main.cc), so buffers are reused as they are there.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 200;
  const uint64_t t0 = 1714564800000000000;
  std::vector<std::string> spans;
  spans.reserve(n);
  static const char* kRoutes[] = {"/api/cart", "/api/checkout", "/api/products/{id}", "/health"};
  for (size_t i = 0; i < n; ++i) {
    SpanSpec s;
    s.trace_id = BigEndian(0x4bf92f3577b34da6ULL + i / 8, 8) + BigEndian(0xa3ce929d0e0e4736ULL, 8);
    s.span_id = BigEndian(0x00f067aa0ba902b7ULL + i, 8);
    if (i % 8 != 0) s.parent_span_id = BigEndian(0x00f067aa0ba902b7ULL + i - 1, 8);
    const char* route = kRoutes[i % 4];
    s.name = std::string("GET ") + route;
    s.kind = 2;
    s.start = t0 + i * 1000;
    s.end = s.start + 250000 + i % 1000;
    s.attrs = {KV("http.request.method", Str("GET")),
               KV("http.route", Str(route)),
               KV("url.path", Str(std::string(route) + "/" + std::to_string(i % 100))),
               KV("server.address", Str("shop.example.com")),
               KV("user_agent.original", Str("Mozilla/5.0 (X11; Linux x86_64)")),
               KV("http.response.status_code", Int(i % 50 == 0 ? 500 : 200)),
               KV("server.port", Int(8080)),
               KV("error", Bool(i % 50 == 0))};
    s.status_code = i % 50 == 0 ? 2 : 0;
    s.flags = 1;
    spans.push_back(EncodeSpan(s));
  }
  const std::string body = Request({Resource(
      {KV("service.name", Str("checkout")), KV("service.version", Str("1.4.2")),
       KV("deployment.environment", Str("prod")), KV("host.name", Str("node-7")),
       KV("telemetry.sdk.language", Str("go"))},
      {Scope("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "0.49.0", spans)})});
  OtlpTracesProtoDecoder decoder;
  // Warm up: the decoder's scratch vectors reach their steady-state size.
  for (int i = 0; i < 3; ++i) {
    SpanBatch batch;
    SpanDecodeResult r = decoder.Decode(body, &batch);
    if (!r.ok() || batch.size() != n) {
      std::fprintf(stderr, "decode failed: %s\n", r.Summary().c_str());
      return 1;
    }
  }
  const uint64_t allocs_before = g_allocations.load();
  const int64_t cpu_before = ProcessCpuNs();
  const auto wall_before = std::chrono::steady_clock::now();
  size_t decoded = 0;
  for (int i = 0; i < iterations; ++i) {
    SpanBatch batch;
    decoded += decoder.Decode(body, &batch).accepted();
  }
  const double wall_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wall_before)
          .count();
  const int64_t cpu_ns = ProcessCpuNs() - cpu_before;
  const uint64_t allocs = g_allocations.load() - allocs_before;
  std::printf("%zu spans x %d iterations, %zu bytes per request (%.0f bytes/span)\n", n, iterations,
              body.size(), static_cast<double>(body.size()) / n);
  std::printf(
      "decode: %.1f ns/span wall, %.1f ns/span cpu, %.3f heap allocations/span "
      "(batch growth and rendered numbers included)\n",
      wall_ns / decoded, static_cast<double>(cpu_ns) / decoded,
      static_cast<double>(allocs) / decoded);
  return 0;
}
