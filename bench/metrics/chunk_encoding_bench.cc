// Size and speed of dense chunks against XOR chunks on the metrics benchmark's workload
// (bench/metrics/workload.h, seed 1): run build/bench/metrics/chunk_encoding_bench.
//
//   BM_Size/<workload>/<encoding>/<samples per chunk>: bytes_per_sample counts the chunk
//     bytes plus each chunk's record framing in a block (length, encoding byte, checksum).
//   BM_Decode*: ns per decoded sample (items_per_second), whole chunks into a vector.
//   BM_Encode*: ns per encoded sample.
#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "bench/metrics/random.h"
#include "bench/metrics/workload.h"
#include "benchmark/benchmark.h"
#include "storage/metrics/chunkenc/chunk.h"
#include "storage/metrics/chunkenc/dense_chunk.h"
#include "storage/metrics/chunkenc/xor_chunk.h"

namespace vigil::chunkenc {
namespace {

constexpr int64_t kIntervalMs = 15000;
constexpr int64_t kStartMs = 1'790'000'000'000;
constexpr size_t kRecordFraming =
    1 + 1 + 4;  // length uvarint (1 byte up to 127), encoding, checksum

struct Workload {
  std::vector<std::vector<Sample>> series;
  size_t samples = 0;
};

// The benchmark fleet's series with their values, as scripts/bench sends them.
const Workload& GetWorkload(int64_t series, int64_t per_series) {
  static std::map<std::pair<int64_t, int64_t>, Workload> cache;
  Workload& w = cache[{series, per_series}];
  if (!w.series.empty()) return w;
  const uint64_t seed = 1;
  std::vector<bench::SeriesSpec> specs = bench::GenerateSeries(series, seed);
  for (size_t i = 0; i < specs.size(); ++i) {
    bench::ValueStream values(specs[i].model, bench::MixSeed(seed, i));
    std::vector<Sample> s;
    for (int64_t n = 0; n < per_series; ++n) {
      s.push_back({kStartMs + n * kIntervalMs + specs[i].phase_ms % kIntervalMs, values.Next()});
    }
    w.samples += s.size();
    w.series.push_back(std::move(s));
  }
  return w;
}

const Workload& Dense() { return GetWorkload(10000, 480); }
const Workload& Standard() { return GetWorkload(100000, 60); }

size_t RecordSize(size_t bytes) {
  return bytes + kRecordFraming + (bytes >= 128) + (bytes >= 16384);
}

// Encodes every series in chunks of at most `per_chunk` samples; returns the block bytes.
size_t EncodeAll(const Workload& w, Encoding enc, size_t per_chunk, size_t* kinds = nullptr) {
  DenseChunkEncoder dense;
  std::vector<uint8_t> buf;
  size_t total = 0;
  for (const auto& s : w.series) {
    for (size_t i = 0; i < s.size(); i += per_chunk) {
      std::span<const Sample> part(s.data() + i, std::min(per_chunk, s.size() - i));
      if (enc == Encoding::kXor) {
        XorChunk c;
        for (const Sample& x : part) c.Append(x.t, x.v);
        total += RecordSize(c.size());
      } else {
        buf.clear();
        (void)dense.Encode(part, &buf);
        total += RecordSize(buf.size());
        if (kinds != nullptr) kinds[static_cast<int>(dense.last_values())] += part.size();
      }
    }
  }
  return total;
}

void BM_Size(benchmark::State& state, const Workload& (*workload)(), Encoding enc) {
  const Workload& w = workload();
  const auto per_chunk = static_cast<size_t>(state.range(0));
  size_t bytes = 0;
  size_t kinds[4] = {};
  for (auto _ : state) bytes = EncodeAll(w, enc, per_chunk, kinds);
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(w.samples);
  if (enc == Encoding::kDense) {
    const double n = static_cast<double>(w.samples) * static_cast<double>(state.iterations());
    state.counters["share_xor"] = static_cast<double>(kinds[0]) / n;
    state.counters["share_decimal"] = static_cast<double>(kinds[1] + kinds[2]) / n;
    state.counters["share_bits"] = static_cast<double>(kinds[3]) / n;
  }
}

// A sample of the dense workload's series, pre-encoded, for the speed benchmarks.
struct Encoded {
  std::vector<std::vector<uint8_t>> chunks;
  size_t samples = 0;
};

const Encoded& GetEncoded(Encoding enc, size_t per_chunk) {
  static std::map<std::pair<int, size_t>, Encoded> cache;
  Encoded& e = cache[{static_cast<int>(enc), per_chunk}];
  if (!e.chunks.empty()) return e;
  const Workload& w = Dense();
  DenseChunkEncoder dense;
  for (size_t k = 0; k < w.series.size(); k += 10) {  // every 10th series: 1000 series
    const auto& s = w.series[k];
    for (size_t i = 0; i < s.size(); i += per_chunk) {
      std::span<const Sample> part(s.data() + i, std::min(per_chunk, s.size() - i));
      std::vector<uint8_t> buf;
      if (enc == Encoding::kXor) {
        XorChunk c;
        for (const Sample& x : part) c.Append(x.t, x.v);
        buf.assign(c.bytes().begin(), c.bytes().end());
      } else {
        (void)dense.Encode(part, &buf);
      }
      e.chunks.push_back(std::move(buf));
      e.samples += part.size();
    }
  }
  return e;
}

void BM_Decode(benchmark::State& state, Encoding enc) {
  const Encoded& e = GetEncoded(enc, static_cast<size_t>(state.range(0)));
  std::vector<Sample> out;
  out.reserve(kDenseMaxSamples);
  for (auto _ : state) {
    for (const auto& c : e.chunks) {
      out.clear();
      benchmark::DoNotOptimize(DecodeChunk(enc, c, &out));
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(e.samples));
}

void BM_Encode(benchmark::State& state, Encoding enc) {
  const Workload& w = Dense();
  const auto per_chunk = static_cast<size_t>(state.range(0));
  DenseChunkEncoder dense;
  std::vector<uint8_t> buf;
  size_t samples = 0;
  for (auto _ : state) {
    for (size_t k = 0; k < w.series.size(); k += 10) {
      const auto& s = w.series[k];
      for (size_t i = 0; i < s.size(); i += per_chunk) {
        std::span<const Sample> part(s.data() + i, std::min(per_chunk, s.size() - i));
        if (enc == Encoding::kXor) {
          XorChunk c(part.size() * 2);
          for (const Sample& x : part) c.Append(x.t, x.v);
          benchmark::DoNotOptimize(c.bytes().data());
        } else {
          buf.clear();
          benchmark::DoNotOptimize(dense.Encode(part, &buf));
        }
        samples += part.size();
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(samples));
}

BENCHMARK_CAPTURE(BM_Size, dense_xor, Dense, Encoding::kXor)->Arg(120)->Iterations(1);
BENCHMARK_CAPTURE(BM_Size, dense_dense, Dense, Encoding::kDense)
    ->Arg(120)
    ->Arg(240)
    ->Arg(480)
    ->Iterations(1);
BENCHMARK_CAPTURE(BM_Size, standard_xor, Standard, Encoding::kXor)->Arg(120)->Iterations(1);
BENCHMARK_CAPTURE(BM_Size, standard_dense, Standard, Encoding::kDense)->Arg(120)->Iterations(1);
BENCHMARK_CAPTURE(BM_Decode, xor, Encoding::kXor)->Arg(120)->Arg(480);
BENCHMARK_CAPTURE(BM_Decode, dense, Encoding::kDense)->Arg(120)->Arg(480);
BENCHMARK_CAPTURE(BM_Encode, xor, Encoding::kXor)->Arg(120);
BENCHMARK_CAPTURE(BM_Encode, dense, Encoding::kDense)->Arg(120)->Arg(480);

}  // namespace
}  // namespace vigil::chunkenc

BENCHMARK_MAIN();
