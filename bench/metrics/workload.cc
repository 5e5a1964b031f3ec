// ValueStream and BuildWorkload: turns the fleet's series into pre-compressed remote_write
// requests, sharded over the senders and cut into time-ordered rounds.
#include "bench/metrics/workload.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

#include "bench/metrics/random.h"
#include "common/strings.h"
#include "ingest/remote_write/write_request.h"

namespace vigil::bench {

ValueStream::ValueStream(const ValueModel& model, uint64_t seed)
    : model_(model), value_(model.start), rng_(seed) {}

double ValueStream::Next() {
  if (first_) {
    first_ = false;
    return value_;
  }
  if (model_.step == 0) return value_;
  const double q = model_.quantum;
  if (model_.kind == ValueModel::Kind::kCounter) {
    // Increments average `step`; stochastic rounding to the quantum keeps that average even
    // for counters that move less than one quantum per scrape (error counts).
    const double inc = model_.step * 2 * rng_.Uniform();
    if (q > 0) {
      const double quanta = std::floor(inc / q + rng_.Uniform());
      // Accumulate in quanta so the value stays an exact multiple, as an exporter prints it.
      value_ = (std::round(value_ / q) + quanta) * q;
    } else {
      value_ += inc;
    }
    return value_;
  }
  // Gauge: a random walk that reflects at the bounds.
  const double normal = rng_.Normal();
  double v = value_ + model_.step * normal;
  if (v > model_.max) v = 2 * model_.max - v;
  if (v < model_.min) v = 2 * model_.min - v;
  v = std::clamp(v, model_.min, model_.max);
  if (q > 0) v = std::round(v / q) * q;
  value_ = v;
  return value_;
}

absl::StatusOr<Workload> BuildWorkload(const WorkloadOptions& o) {
  if (o.series <= 0 || o.samples_per_series <= 0 || o.interval_ms <= 0 ||
      o.samples_per_request <= 0 || o.samples_per_series_per_request <= 0 || o.senders <= 0) {
    return absl::InvalidArgumentError(
        "series, samples per series, interval, samples per request, samples per series per "
        "request and senders must all be positive");
  }
  if (o.end_ms <= o.samples_per_series * o.interval_ms) {
    return absl::InvalidArgumentError("end_ms must leave room for every sample after the epoch");
  }
  std::vector<SeriesSpec> specs = GenerateSeries(o.series, o.seed);
  Workload w;
  w.series = static_cast<int64_t>(specs.size());
  std::set<std::string_view> names;
  for (const SeriesSpec& s : specs) {
    names.insert(s.labels.MetricName());
    (s.model.kind == ValueModel::Kind::kCounter ? w.counters : w.gauges)++;
  }
  w.metric_names = static_cast<int64_t>(names.size());

  // Shard by label hash, as Prometheus' remote_write queue does; keep generation order (which
  // is scrape order) inside a shard.
  std::vector<std::vector<size_t>> shard(static_cast<size_t>(o.senders));
  for (size_t i = 0; i < specs.size(); ++i) {
    shard[specs[i].labels.Hash() % static_cast<uint64_t>(o.senders)].push_back(i);
  }
  std::vector<ValueStream> streams;
  streams.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    streams.emplace_back(specs[i].model, MixSeed(o.seed, i));
  }

  const int64_t k = std::min(o.samples_per_series_per_request, o.samples_per_series);
  const int64_t series_per_request = std::max<int64_t>(1, o.samples_per_request / k);
  const int64_t rounds = (o.samples_per_series + k - 1) / k;
  const int64_t start_ms = o.end_ms - o.samples_per_series * o.interval_ms;
  w.min_t = INT64_MAX;
  w.max_t = INT64_MIN;
  w.per_sender.resize(shard.size());
  std::string raw;
  for (size_t s = 0; s < shard.size(); ++s) {
    // The request payloads of this shard: labels copied once, samples refilled every round.
    struct Chunk {
      std::vector<size_t> index;
      std::vector<WriteSeries> series;
    };
    std::vector<Chunk> chunks;
    for (size_t i = 0; i < shard[s].size(); i += static_cast<size_t>(series_per_request)) {
      Chunk c;
      const size_t end = std::min(shard[s].size(), i + static_cast<size_t>(series_per_request));
      for (size_t j = i; j < end; ++j) {
        c.index.push_back(shard[s][j]);
        c.series.push_back({specs[shard[s][j]].labels, {}, {}});
      }
      chunks.push_back(std::move(c));
    }
    for (int64_t round = 0; round < rounds; ++round) {
      const int64_t first = round * k;
      const int64_t last = std::min(o.samples_per_series, first + k);
      for (Chunk& c : chunks) {
        int32_t samples = 0;
        for (size_t j = 0; j < c.index.size(); ++j) {
          std::vector<Sample>& out = c.series[j].samples;
          out.clear();
          for (int64_t n = first; n < last; ++n) {
            const int64_t t =
                start_ms + n * o.interval_ms + specs[c.index[j]].phase_ms % o.interval_ms;
            out.push_back({t, streams[c.index[j]].Next()});
            w.min_t = std::min(w.min_t, t);
            w.max_t = std::max(w.max_t, t);
            ++samples;
          }
        }
        raw.clear();
        EncodeWriteRequest(c.series, &raw);
        WriteRequestBody body{SnappyCompress(raw), static_cast<int32_t>(round), samples};
        body.snappy.shrink_to_fit();  // snappy sizes its output for the worst case
        w.raw_bytes += static_cast<int64_t>(raw.size());
        w.snappy_bytes += static_cast<int64_t>(body.snappy.size());
        w.samples += samples;
        ++w.requests;
        w.per_sender[s].push_back(std::move(body));
      }
    }
  }
  return w;
}

}  // namespace vigil::bench
