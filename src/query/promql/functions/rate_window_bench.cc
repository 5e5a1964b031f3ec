// Micro-benchmark of rate() over the windows of one series, as the engine evaluates it:
// ExtrapolatedRate on every window against RateShapeCache. Run ./rate_window_bench; both
// variants run in one process, so compare their ratio rather than absolute times.
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "query/promql/functions/range_kernels.h"

namespace vigil::promql {
namespace {

constexpr int64_t kScrapeMs = 15000;
constexpr int64_t kRangeMs = 5 * 60 * 1000;

// A counter scraped every 15 s for `minutes` (+ the range), with timestamps `jitter_ms` off
// the grid at random (0: a steady scraper, as Prometheus' timestamp alignment gives).
std::vector<Sample> Counter(int64_t minutes, int64_t jitter_ms) {
  std::mt19937_64 rng(7);
  std::vector<Sample> s;
  double v = 12345;
  const int64_t n = (minutes * 60000 + kRangeMs) / kScrapeMs;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = jitter_ms == 0 ? 0 : static_cast<int64_t>(rng() % (jitter_ms + 1));
    v += static_cast<double>(rng() % 100);
    s.push_back({1700000000000 + 3217 + i * kScrapeMs + j, v});
  }
  return s;
}

template <typename Kernel>
double Windows(const std::vector<Sample>& pts, int64_t step_ms, Kernel&& kernel) {
  double sum = 0;
  size_t lo = 0, hi = 0;
  for (int64_t ref = pts.front().t + kRangeMs; ref <= pts.back().t; ref += step_ms) {
    while (hi < pts.size() && pts[hi].t <= ref) ++hi;
    while (lo < hi && pts[lo].t < ref - kRangeMs) ++lo;
    std::optional<double> r = kernel(std::span<const Sample>(pts).subspan(lo, hi - lo), ref);
    if (r) sum += *r;
  }
  return sum;
}

void BM_RateWindows(benchmark::State& state) {
  const bool cached = state.range(0) != 0;
  const int64_t step_ms = state.range(1);
  const std::vector<Sample> pts = Counter(60, state.range(2));
  size_t windows = 0;
  for (auto _ : state) {
    RateShapeCache cache(kRangeMs, true, true);
    double sum;
    if (cached) {
      sum = Windows(pts, step_ms, [&](std::span<const Sample> w, int64_t ref) {
        return cache.Rate(w, ref, false);
      });
    } else {
      sum = Windows(pts, step_ms, [&](std::span<const Sample> w, int64_t ref) {
        return ExtrapolatedRate(w, ref - kRangeMs, ref, true, true, false);
      });
    }
    benchmark::DoNotOptimize(sum);
    windows = static_cast<size_t>((pts.back().t - pts.front().t - kRangeMs) / step_ms + 1);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(windows));
}
// {cached, step ms, jitter ms}: a 15 s step; a Grafana-style 14 s step; a jittery scraper; a
// 60 s step (a day-long panel).
BENCHMARK(BM_RateWindows)
    ->ArgNames({"cached", "step", "jitter"})
    ->Args({0, 15000, 0})
    ->Args({1, 15000, 0})
    ->Args({0, 14000, 0})
    ->Args({1, 14000, 0})
    ->Args({0, 15000, 50})
    ->Args({1, 15000, 50})
    ->Args({0, 60000, 0})
    ->Args({1, 60000, 0});

}  // namespace
}  // namespace vigil::promql

BENCHMARK_MAIN();
