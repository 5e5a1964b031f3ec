// Micro-benchmarks for XOR chunk append and iteration: run ./xor_chunk_bench.
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

namespace vigil::chunkenc {
namespace {

std::vector<Sample> CounterSeries(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<Sample> s;
  double v = 0;
  int64_t t = 1700000000000;
  for (size_t i = 0; i < n; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 5);  // scrape jitter
    v += static_cast<double>(rng() % 1000);
    s.push_back({t, v});
  }
  return s;
}

std::vector<Sample> GaugeSeries(size_t n) {
  std::mt19937_64 rng(43);
  std::normal_distribution<double> d(0.5, 0.1);
  std::vector<Sample> s;
  int64_t t = 1700000000000;
  for (size_t i = 0; i < n; ++i) {
    t += 15000;
    s.push_back({t, d(rng)});
  }
  return s;
}

void BM_Append(benchmark::State& state, std::vector<Sample> (*gen)(size_t)) {
  auto samples = gen(static_cast<size_t>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    XorChunk c(samples.size() * 2);
    for (const auto& s : samples) c.Append(s.t, s.v);
    bytes = c.size();
    benchmark::DoNotOptimize(c.bytes().data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(state.range(0));
}

void BM_Iterate(benchmark::State& state, std::vector<Sample> (*gen)(size_t)) {
  auto samples = gen(static_cast<size_t>(state.range(0)));
  XorChunk c;
  for (const auto& s : samples) c.Append(s.t, s.v);
  for (auto _ : state) {
    XorIterator it(c.bytes());
    double sum = 0;
    while (it.Next()) sum += it.v();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_DecodeRange(benchmark::State& state) {
  auto samples = CounterSeries(120);
  XorChunk c;
  for (const auto& s : samples) c.Append(s.t, s.v);
  std::vector<Sample> out;
  out.reserve(120);
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(DecodeXorChunk(c.bytes(), &out, samples[30].t, samples[90].t));
  }
  state.SetItemsProcessed(state.iterations() * 120);
}

BENCHMARK_CAPTURE(BM_Append, counter, CounterSeries)->Arg(120)->Arg(1000);
BENCHMARK_CAPTURE(BM_Append, gauge, GaugeSeries)->Arg(120);
BENCHMARK_CAPTURE(BM_Iterate, counter, CounterSeries)->Arg(120)->Arg(1000);
BENCHMARK_CAPTURE(BM_Iterate, gauge, GaugeSeries)->Arg(120);
BENCHMARK(BM_DecodeRange);

}  // namespace
}  // namespace vigil::chunkenc

BENCHMARK_MAIN();
