// A deterministic trace workload: the requests of a web shop's ten services (gateway, auth,
// catalog, search, cart, checkout, payments, inventory, orders, notifications), each request
// one trace of 5 to 50 spans.
//
// A trace starts with a SERVER span at the gateway (an HTTP route), which calls other
// services as CLIENT/SERVER pairs; services reach their databases (postgres, mysql, redis,
// elasticsearch, smtp, a payment provider) through CLIENT spans and do some work in INTERNAL
// spans. Six request types (product page, search, add to cart, checkout, order status, login)
// give the trees their shapes; item and result counts vary their sizes (~19 spans on
// average). Spans carry ~8 attributes in the OpenTelemetry conventions (http.*, db.*, net.*,
// code.*) plus `user.id` (moderate cardinality) and `region` (the user's region, carried as
// baggage by every span of the trace); ~10% have an event; failures injected at the leaves
// (refused connections, timeouts, declined cards, stock shortages) mark ~3% of spans as
// errors, with an `exception` event, and propagate to their callers part of the time.
// Durations are log-normal per kind of work.
//
// Traces start in order over [start_ns, start_ns + duration_ns) (spread by span count, so the
// whole range is used whatever the mean trace size); the spans of a trace end within seconds.
// The same options always give the same traces, byte for byte.
//
// Thread-safety: a SpanGenerator has one owner at a time.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/metrics/random.h"

namespace vigil::bench {

struct SpanWorkloadOptions {
  int64_t spans = 1'000'000;  // traces are generated until at least this many spans exist
  int64_t start_ns = 1'715'670'000'000'000'000;     // 2024-05-14T07:00:00Z
  int64_t duration_ns = 30LL * 60 * 1'000'000'000;  // over which traces start
  uint64_t seed = 1;
};

// OTLP's SpanKind values.
enum class GenSpanKind : uint8_t { kInternal = 1, kServer = 2, kClient = 3 };

struct GenValue {
  enum Type : uint8_t { kString, kInt, kBool, kDouble };
  Type type = kString;
  std::string s;  // kString
  int64_t i = 0;  // kInt, kBool (0/1)
  double d = 0;   // kDouble

  // The value as text: decimal integers, true/false, doubles with up to 6 significant digits.
  std::string Text() const;
};

struct GenAttribute {
  std::string_view key;  // static storage
  GenValue value;
};

struct GenEvent {
  int64_t time_ns = 0;
  std::string_view name;
  std::vector<GenAttribute> attributes;
};

struct GenSpan {
  std::array<uint8_t, 16> trace_id{};
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;  // 0 for the root
  int resource = 0;             // into SpanGenerator::resources()
  std::string name;
  GenSpanKind kind = GenSpanKind::kInternal;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<GenAttribute> attributes;
  std::vector<GenEvent> events;
  bool error = false;  // status ERROR; otherwise the status is unset
  std::string status_message;
};

// One instance of a service: its resource attributes (service.name first) and its tracer.
struct GenResource {
  std::string_view service;
  std::vector<GenAttribute> attributes;
  std::string_view scope_name;
  std::string_view scope_version;
};

class SpanGenerator {
 public:
  static constexpr int kMinSpans = 5;
  static constexpr int kMaxSpans = 50;

  explicit SpanGenerator(const SpanWorkloadOptions& options);
  SpanGenerator(const SpanGenerator&) = delete;
  SpanGenerator& operator=(const SpanGenerator&) = delete;

  // The next trace (spans parent before child); false once options.spans spans were produced.
  bool Next(std::vector<GenSpan>* trace);

  // Every service instance; GenSpan::resource indexes this list.
  const std::vector<GenResource>& resources() const { return resources_; }
  int64_t produced_spans() const { return produced_; }

 private:
  class Builder;  // builds one trace: the request flows (span_workload.cc)

  void BuildResources();
  int Instance(int service);  // a random instance of the service

  SpanWorkloadOptions options_;
  Rng rng_;
  std::vector<GenResource> resources_;
  std::vector<std::vector<int>> instances_;  // per service: its resources
  int64_t produced_ = 0;
};

// Lowercase hex of bytes.
std::string HexBytes(const uint8_t* data, size_t n);
std::string GenSpanIdHex(uint64_t id);
std::string GenTraceIdHex(const std::array<uint8_t, 16>& id);

}  // namespace vigil::bench
