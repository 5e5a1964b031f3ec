// A deterministic remote_write workload shaped like what a Prometheus server scraping a
// Kubernetes fleet sends upstream: node-exporter targets, Go service pods (HTTP and gRPC
// counters, latency histograms with `le`, process_* and go_* gauges) and kube-state-metrics
// series per pod, about a hundred metric names in all.
//
// Counters grow monotonically (integer request counts, 0.01-quantized CPU seconds); gauges
// walk randomly inside bounds, a few stay constant (`*_info`, limits, totals). Every target has
// its own scrape phase inside the interval and all of its series share a timestamp per scrape,
// as they do in a real Prometheus.
//
// Requests are cut like Prometheus' remote_write queue cuts them: the series are sharded over
// the senders by label hash, each sender sends time-ordered rounds, and one request carries
// `samples_per_request` samples (by default one sample per series). So a series is only ever
// sent by one sender, in time order, and every request is valid on its own.
//
// The same options and seed always give the same label sets and values; only timestamps move
// with `end_ms`.
//
// Thread-safety: plain functions over values; BuildWorkload is not shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/metrics/random.h"
#include "common/labels.h"

namespace vigil::bench {

struct WorkloadOptions {
  int64_t series = 100000;
  int64_t samples_per_series = 60;
  int64_t interval_ms = 15000;
  // Every timestamp is below this (ms since the epoch); the last scrape round starts one
  // interval before it.
  int64_t end_ms = 0;
  int64_t samples_per_request = 2000;
  // Consecutive samples of one series inside one request (Prometheus sends 1 when it keeps
  // up, more when it catches up on a backlog).
  int64_t samples_per_series_per_request = 1;
  int senders = 4;
  uint64_t seed = 1;
};

// How one series' values evolve from scrape to scrape.
struct ValueModel {
  enum class Kind : uint8_t { kCounter, kGauge };
  Kind kind = Kind::kGauge;
  double start = 0;
  // Counter: mean increment per scrape. Gauge: random-walk step (0 = constant).
  double step = 0;
  // Values are multiples of this (0 = continuous), as exporters print them.
  double quantum = 0;
  // Gauge bounds; the walk reflects at them.
  double min = 0;
  double max = 0;
};

struct SeriesSpec {
  Labels labels;
  ValueModel model;
  int64_t phase_ms = 0;  // the target's scrape offset (taken modulo the interval)
};

// The first `n` series of an endless fleet (nodes, each with its pods), deterministic in `seed`.
std::vector<SeriesSpec> GenerateSeries(int64_t n, uint64_t seed);

// The value stream of one series: starts at model.start with its own random state.
class ValueStream {
 public:
  ValueStream(const ValueModel& model, uint64_t seed);
  // The next scrape's value.
  double Next();

 private:
  ValueModel model_;
  double value_;
  Rng rng_;
  bool first_ = true;
};

struct WriteRequestBody {
  std::string snappy;  // the POST body: a snappy-compressed prompb.WriteRequest
  int32_t round = 0;   // the sender's round (one round = one scrape of each of its series)
  int32_t samples = 0;
};

struct Workload {
  std::vector<std::vector<WriteRequestBody>> per_sender;  // each in send order
  int64_t series = 0;
  int64_t samples = 0;
  int64_t requests = 0;
  int64_t raw_bytes = 0;     // protobuf before compression
  int64_t snappy_bytes = 0;  // what goes on the wire
  int64_t min_t = 0;
  int64_t max_t = 0;
  int64_t counters = 0;  // series counts by kind
  int64_t gauges = 0;
  int64_t metric_names = 0;
};

// Builds and compresses every request up front, so sending costs the client almost nothing.
absl::StatusOr<Workload> BuildWorkload(const WorkloadOptions& options);

}  // namespace vigil::bench
