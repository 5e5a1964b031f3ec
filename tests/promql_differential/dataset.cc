#include "tests/promql_differential/dataset.h"

#include <algorithm>
#include <cmath>

#include "common/strings.h"

namespace vigil::testing::promql_diff {
namespace {

constexpr int64_t kStepMs = 15000;
constexpr int64_t kSpanMs = 6 * 3600 * 1000;

// splitmix64: fixed output for a fixed seed everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Exponential(double mean) { return -std::log(1.0 - Uniform()) * mean; }

 private:
  uint64_t s_;
};

const char* const kJobs[] = {"api", "web"};
const char* const kInstances[] = {"10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080",
                                  "10.0.0.4:8080"};
const char* const kCodes[] = {"200", "404", "500"};
const char* const kMethods[] = {"GET", "POST"};
const char* const kBuckets[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                "0.25",  "0.5",  "1",     "2.5",  "+Inf"};

Labels Make(std::string_view name, std::vector<Label> rest) {
  rest.push_back({std::string(kMetricName), std::string(name)});
  return Labels::FromUnsorted(std::move(rest));
}

void AppendLabels(std::string* out, const Labels& l) {
  out->append(l.MetricName());
  bool first = true;
  for (const LabelView& lv : l) {
    if (lv.name == kMetricName) continue;
    out->push_back(first ? '{' : ',');
    first = false;
    StrAppend(out, lv.name, "=\"");
    for (char c : lv.value) {
      if (c == '\\' || c == '"') out->push_back('\\');
      if (c == '\n') {
        out->append("\\n");
        continue;
      }
      out->push_back(c);
    }
    out->push_back('"');
  }
  if (!first) out->push_back('}');
}

}  // namespace

size_t Dataset::SampleCount() const {
  size_t n = 0;
  for (const auto& s : series) n += s.samples.size();
  return n;
}

Dataset GenerateDataset(uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.end_ms = kDataEndMs;
  d.start_ms = kDataEndMs - kSpanMs;
  d.step_ms = kStepMs;
  const int steps = static_cast<int>(kSpanMs / kStepMs) + 1;
  auto t_of = [&](int k) { return d.start_ms + k * kStepMs; };

  // Counters: a per-series rate, integer increments, rare resets (and one certain reset).
  for (const char* job : kJobs) {
    for (const char* inst : kInstances) {
      for (const char* code : kCodes) {
        for (const char* method : kMethods) {
          DataSeries s{
              Make("http_requests_total",
                   {{"job", job}, {"instance", inst}, {"status_code", code}, {"method", method}}),
              {}};
          double rate = std::string_view(code) == "200"   ? 5 + 15 * rng.Uniform()
                        : std::string_view(code) == "404" ? 0.1 + rng.Uniform()
                                                          : 0.01 + 0.5 * rng.Uniform();
          if (std::string_view(method) == "POST") rate /= 3;
          bool forced = std::string_view(job) == "web" && std::string_view(code) == "500" &&
                        std::string_view(method) == "POST" && inst == kInstances[1];
          double v = std::floor(1000 * rng.Uniform());
          for (int k = 0; k < steps; ++k) {
            if ((forced && k == 700) || rng.Uniform() < 1.0 / 2000) v = 0;
            v += std::floor(rate * 15 * (0.5 + rng.Uniform()));
            s.samples.push_back({t_of(k), v});
          }
          d.series.push_back(std::move(s));
        }
      }
    }
  }

  // A classic histogram per job and instance.
  for (const char* job : kJobs) {
    for (const char* inst : kInstances) {
      std::vector<double> counts(std::size(kBuckets), 0);
      double sum = 0, count = 0;
      std::vector<DataSeries> buckets;
      for (const char* le : kBuckets) {
        buckets.push_back({Make("http_request_duration_seconds_bucket",
                                {{"job", job}, {"instance", inst}, {"le", le}}),
                           {}});
      }
      DataSeries sum_s{
          Make("http_request_duration_seconds_sum", {{"job", job}, {"instance", inst}}), {}};
      DataSeries count_s{
          Make("http_request_duration_seconds_count", {{"job", job}, {"instance", inst}}), {}};
      double mean = std::string_view(job) == "api" ? 0.08 : 0.3;
      for (int k = 0; k < steps; ++k) {
        int n = static_cast<int>(10 + 20 * rng.Uniform());
        for (int i = 0; i < n; ++i) {
          double lat = rng.Exponential(mean);
          sum += lat;
          count += 1;
          for (size_t b = 0; b < std::size(kBuckets); ++b) {
            double bound = b + 1 == std::size(kBuckets) ? INFINITY : std::stod(kBuckets[b]);
            if (lat <= bound) counts[b] += 1;
          }
        }
        for (size_t b = 0; b < buckets.size(); ++b)
          buckets[b].samples.push_back({t_of(k), counts[b]});
        sum_s.samples.push_back({t_of(k), sum});
        count_s.samples.push_back({t_of(k), count});
      }
      for (auto& b : buckets) d.series.push_back(std::move(b));
      d.series.push_back(std::move(sum_s));
      d.series.push_back(std::move(count_s));
    }
  }

  // Gauges.
  for (const char* inst : kInstances) {
    for (int cpu = 0; cpu < 4; ++cpu) {
      DataSeries s{
          Make("node_cpu_utilisation", {{"job", "node"}, {"instance", inst}, {"cpu", StrCat(cpu)}}),
          {}};
      double v = rng.Uniform();
      for (int k = 0; k < steps; ++k) {
        v = std::clamp(v + 0.1 * (rng.Uniform() - 0.5), 0.0, 1.0);
        s.samples.push_back({t_of(k), v});
      }
      d.series.push_back(std::move(s));
    }
  }
  for (const char* job : kJobs) {
    for (const char* inst : kInstances) {
      DataSeries mem{Make("process_resident_memory_bytes", {{"job", job}, {"instance", inst}}), {}};
      DataSeries up{Make("up", {{"job", job}, {"instance", inst}}), {}};
      double v = std::floor(1e8 + 5e7 * rng.Uniform());
      bool down = std::string_view(job) == "web" && inst == kInstances[3];
      for (int k = 0; k < steps; ++k) {
        v = std::max(1e6, v + std::floor(2e6 * (rng.Uniform() - 0.48)));
        mem.samples.push_back({t_of(k), v});
        up.samples.push_back({t_of(k), down && k >= 500 && k < 560 ? 0.0 : 1.0});
      }
      d.series.push_back(std::move(mem));
      d.series.push_back(std::move(up));
    }
  }
  for (int sensor = 0; sensor < 4; ++sensor) {
    DataSeries s{Make("temperature_celsius", {{"sensor", StrCat("s", sensor)}}), {}};
    double base = -10 + 10 * sensor;
    for (int k = 0; k < steps; ++k) {
      double v = base + 8 * std::sin(k / 120.0 + sensor) + 2 * (rng.Uniform() - 0.5);
      s.samples.push_back({t_of(k), std::round(v * 100) / 100});
    }
    d.series.push_back(std::move(s));
  }
  for (const char* inst : kInstances) {
    DataSeries s{Make("build_info", {{"instance", inst}, {"version", "1.2.3"}}), {}};
    for (int k = 0; k < steps; ++k) s.samples.push_back({t_of(k), 1});
    d.series.push_back(std::move(s));
  }

  // Queue depths with gaps: q1 has a 10-minute hole, q2 starts late, q3 ends early, q4 is
  // sampled every minute, q5 misses one sample.
  for (int q = 0; q < 6; ++q) {
    DataSeries s{Make("queue_depth", {{"queue", StrCat("q", q)}}), {}};
    double v = std::floor(50 * rng.Uniform());
    for (int k = 0; k < steps; ++k) {
      v = std::max(0.0, v + std::floor(7 * rng.Uniform()) - 3);
      bool skip = (q == 1 && k >= 300 && k < 340) || (q == 2 && k < 700) || (q == 3 && k > 900) ||
                  (q == 4 && k % 4 != 0) || (q == 5 && k == 100);
      if (!skip) s.samples.push_back({t_of(k), v});
    }
    d.series.push_back(std::move(s));
  }
  return d;
}

std::string ToOpenMetrics(const Dataset& d) {
  std::string out;
  std::string prefix;
  for (const DataSeries& s : d.series) {
    prefix.clear();
    AppendLabels(&prefix, s.labels);
    for (const Sample& p : s.samples) {
      // Timestamps in seconds: the data sits on whole seconds (the 15 s grid).
      std::string ts = StrCat(p.t / 1000);
      StrAppend(&out, prefix, " ", p.v, " ", ts, "\n");
    }
  }
  out += "# EOF\n";
  return out;
}

std::vector<std::string> ToImportBodies(const Dataset& d, int steps_per_body) {
  std::vector<std::string> prefixes;
  for (const DataSeries& s : d.series) {
    std::string p;
    AppendLabels(&p, s.labels);
    prefixes.push_back(std::move(p));
  }
  std::vector<size_t> cursor(d.series.size(), 0);
  std::vector<std::string> bodies;
  std::string body;
  int in_body = 0;
  for (int64_t t = d.start_ms; t <= d.end_ms; t += d.step_ms) {
    for (size_t i = 0; i < d.series.size(); ++i) {
      const auto& samples = d.series[i].samples;
      while (cursor[i] < samples.size() && samples[cursor[i]].t <= t) {
        StrAppend(&body, prefixes[i], " ", samples[cursor[i]].v, " ", samples[cursor[i]].t, "\n");
        ++cursor[i];
      }
    }
    if (++in_body == steps_per_body) {
      bodies.push_back(std::move(body));
      body.clear();
      in_body = 0;
    }
  }
  if (!body.empty()) bodies.push_back(std::move(body));
  return bodies;
}

}  // namespace vigil::testing::promql_diff
