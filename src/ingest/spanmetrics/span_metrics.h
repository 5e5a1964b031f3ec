// RED metrics derived from ingested spans, written into the metrics store so PromQL, dashboards
// and alert rules can use them:
//   traces_spanmetrics_calls_total{service, span_name, span_kind, status_code}
//   traces_spanmetrics_latency_bucket{…, le}, _sum, _count   (seconds; exemplars on buckets)
// Label values follow OTLP's enum names (span_kind="SPAN_KIND_SERVER",
// status_code="STATUS_CODE_ERROR"), as other span-metrics generators spell them.
//
// Add aggregates spans into cumulative counters in memory (no per-span allocation once a
// series exists); Flush appends every series' current values at one timestamp, plus on each
// bucket the newest exemplar seen since the last flush (labels trace_id and span_id), so a
// point on a latency panel leads to a trace. The series count is capped (`max_series`): spans
// of new label sets beyond it are counted in `dropped_spans()` and logged once, not stored.
// Counters restart from zero when vigil restarts (PromQL's rate() handles resets).
//
// Thread-safety: Add and Flush may be called concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "storage/metrics_store.h"
#include "storage/span_record.h"

namespace vigil {

struct SpanMetricsOptions {
  bool enabled = true;
  // Latency bucket bounds in seconds (ascending); +Inf is implied.
  std::vector<double> buckets = {0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2,
                                 0.4,   0.8,   1,     1.4,   2,    5,    10,  15};
  size_t max_series = 10000;  // distinct (service, span_name, span_kind, status_code)
  int64_t flush_interval_ns = 15'000'000'000;
};

class SpanMetrics {
 public:
  explicit SpanMetrics(SpanMetricsOptions options);
  ~SpanMetrics();  // stops flushing (with a last flush)

  // Flushes into `store` every flush_interval on a thread of its own until StopFlushing.
  void StartFlushing(MetricsStore* store);
  void StopFlushing();

  // Counts the spans of `batch` except those at the indices in `skip` (ascending).
  void Add(const SpanBatch& batch, std::span<const uint32_t> skip = {});
  // Writes every series at `now_ms`. Nothing to write is not an error.
  absl::Status Flush(MetricsStore& store, int64_t now_ms);

  uint64_t dropped_spans() const { return dropped_.load(std::memory_order_relaxed); }
  size_t series() const;

 private:
  struct LastExemplar {
    TraceId trace_id;
    SpanId span_id = 0;
    double value = 0;
    int64_t time_ms = 0;
    bool set = false;
  };
  struct Series {
    std::string service, span_name;
    SpanKind kind;
    SpanStatus status;
    uint64_t calls = 0;
    double sum_seconds = 0;
    std::vector<uint64_t> bucket_counts;  // per bucket (not cumulative), +Inf last
    std::vector<LastExemplar> exemplars;      // per bucket, since the last flush
  };

  const SpanMetricsOptions options_;
  mutable std::mutex mu_;
  // Key: service \0 span_name \0 kind status.
  absl::flat_hash_map<std::string, size_t> index_;
  std::vector<Series> series_;
  std::atomic<uint64_t> dropped_{0};
  bool warned_ = false;
  std::string key_;  // scratch, under mu_

  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  bool stop_ = false;
  MetricsStore* flush_store_ = nullptr;
  std::thread flusher_;
};

}  // namespace vigil
