// In-process ingest benchmark: decode + store of pre-built remote_write requests into a
// MetricsDb, without HTTP. Prints CPU nanoseconds per sample, the figure the ingest path is
// tuned on (the end-to-end comparison with other systems is `scripts/bench metrics`).
//   remote_write_bench [series=100000] [rounds=60] [series_per_request=2000] [sync=0]

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/strings.h"
#include "common/time_util.h"
#include "ingest/remote_write/remote_write_ingester.h"
#include "ingest/remote_write/write_request.h"
#include "storage/metrics/db/metrics_db.h"

int main(int argc, char** argv) {
  using namespace vigil;
  int series = argc > 1 ? std::atoi(argv[1]) : 100000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 60;
  int per_req = argc > 3 ? std::atoi(argv[3]) : 2000;
  bool sync = argc > 4 && std::atoi(argv[4]) != 0;

  std::vector<Labels> labels;
  static const char* kMetrics[] = {"http_requests_total", "http_request_duration_seconds_bucket",
                                   "node_cpu_seconds_total", "process_resident_memory_bytes"};
  for (int i = 0; i < series; ++i) {
    labels.push_back(Labels::FromUnsorted({{"__name__", kMetrics[i % 4]},
                                           {"job", StrCat("job-", i % 20)},
                                           {"instance", StrCat("10.", i / 65536, ".", i / 256 % 256, ".", i % 256, ":9100")},
                                           {"method", i % 3 ? "GET" : "POST"},
                                           {"status_code", StrCat(200 + (i % 5) * 100)},
                                           {"pod", StrCat("api-7f9c", i % 1000, "-x2k")}}));
  }
  const int64_t t0 = NowMs() - int64_t(rounds) * 15000;
  std::vector<std::string> bodies;
  std::mt19937_64 rng(42);
  for (int r = 0; r < rounds; ++r) {
    for (int s = 0; s < series; s += per_req) {
      std::vector<WriteSeries> batch;
      for (int k = s; k < std::min(series, s + per_req); ++k) {
        batch.push_back({labels[k], {{t0 + r * 15000, double(r * 10 + (rng() % 10))}}, {}});
      }
      std::string pb;
      EncodeWriteRequest(batch, &pb);
      bodies.push_back(SnappyCompress(pb));
    }
  }
  std::string dir = (std::filesystem::temp_directory_path() / StrCat("rw_bench_", getpid())).string();
  MetricsDbOptions o;
  o.dir = dir;
  o.wal_sync = sync;
  o.maintenance_interval_ms = 0;
  o.head.label_denylist.clear();
  auto db = MetricsDb::Open(o, nullptr);
  if (!db.ok()) return 1;
  RemoteWriteIngester ingester(**db, nullptr);
  int64_t wall0 = MonotonicNs(), cpu0 = ProcessCpuNs();
  uint64_t accepted = 0;
  for (const auto& b : bodies) {
    IngestResult r = ingester.Ingest(b);
    if (!r.status.ok()) {
      std::fprintf(stderr, "ingest failed: %s\n", std::string(r.status.message()).c_str());
      return 1;
    }
    accepted += r.stats.accepted;
  }
  int64_t wall = MonotonicNs() - wall0, cpu = ProcessCpuNs() - cpu0;
  std::printf("samples=%llu series=%d cpu_ns_per_sample=%.0f wall_samples_per_s=%.0f wal_bytes=%llu\n",
              (unsigned long long)accepted, series, double(cpu) / accepted,
              accepted / (wall / 1e9), (unsigned long long)(*db)->WalSizeBytes());
  {
    // Resident memory now (the request bodies are part of it; they are freed below).
    FILE* f = std::fopen("/proc/self/status", "r");
    char line[256];
    while (f && std::fgets(line, sizeof(line), f)) {
      if (std::strncmp(line, "VmRSS:", 6) == 0 || std::strncmp(line, "VmHWM:", 6) == 0) {
        std::printf("%s", line);
      }
    }
    if (f) std::fclose(f);
    size_t body_bytes = 0;
    for (const auto& b : bodies) body_bytes += b.capacity();
    std::printf("request bodies held: %zu MiB\n", body_bytes >> 20);
  }
  int64_t f0 = ProcessCpuNs();
  (void)(*db)->Flush();
  std::printf("flush_cpu_ms=%.0f\n", (ProcessCpuNs() - f0) / 1e6);
  uint64_t block_bytes = 0;
  for (const auto& b : (*db)->Blocks()) block_bytes += b->SizeBytes();
  std::printf("block_bytes_per_sample=%.2f\n", double(block_bytes) / accepted);
  db->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
