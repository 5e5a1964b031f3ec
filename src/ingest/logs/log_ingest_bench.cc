// In-process log ingest benchmark: JSON lines decoded (JsonLinesDecoder) and stored into a
// LogsDb (WAL without fsync), in batches as the HTTP API receives them, then the head cut into
// segments. Prints CPU nanoseconds per line for each phase; the ingest path is tuned on it
// (the end-to-end comparison with other systems is `scripts/bench logs`).
//   log_ingest_bench <ndjson file> [lines_per_batch=1000] [decode_only=0]
// bench/logs/log_gen writes a realistic file.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/time_util.h"
#include "ingest/logs/json_lines.h"
#include "storage/logs/logs_db.h"

int main(int argc, char** argv) {
  using namespace vigil;
  // As the server sets them (src/server/main.cc), so buffers are reused as they are there.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <ndjson file> [lines_per_batch] [decode_only]\n", argv[0]);
    return 2;
  }
  const size_t per_batch = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1000;
  const bool decode_only = argc > 3 && std::atoi(argv[3]) != 0;
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  // Batches as views of whole lines.
  std::vector<std::string_view> batches;
  size_t start = 0, lines = 0, n = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    ++lines;
    if (++n == per_batch) {
      batches.emplace_back(data.data() + start, i + 1 - start);
      start = i + 1;
      n = 0;
    }
  }
  if (start < data.size()) batches.emplace_back(data.data() + start, data.size() - start);

  std::string dir = (std::filesystem::temp_directory_path() / "vigil_log_ingest_bench").string();
  std::filesystem::remove_all(dir);
  LogsDbOptions o;
  o.dir = dir;
  o.wal_sync = false;
  o.background = false;
  o.reject_older_than_ns = INT64_MAX / 4;
  auto db = LogsDb::Open(o);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  JsonLinesDecoder decoder;
  int64_t decode_ns = 0, store_ns = 0;
  uint64_t stored = 0;
  const int64_t now = NowNs();
  for (std::string_view b : batches) {
    LogBatch batch;
    int64_t t0 = ProcessCpuNs();
    LogDecodeResult r = decoder.Decode(b, now, &batch);
    int64_t t1 = ProcessCpuNs();
    decode_ns += t1 - t0;
    if (!r.status.ok()) {
      std::fprintf(stderr, "decode failed: %s\n", std::string(r.status.message()).c_str());
      return 1;
    }
    if (decode_only) continue;
    auto st = (*db)->Append(batch);
    store_ns += ProcessCpuNs() - t1;
    if (!st.ok()) return 1;
    stored += st->accepted;
  }
  int64_t t2 = ProcessCpuNs();
  if (!decode_only && !(*db)->Flush().ok()) return 1;
  int64_t cut_ns = ProcessCpuNs() - t2;
  auto stats = (*db)->Stats();
  std::printf("lines=%zu stored=%llu decode_ns_per_line=%.0f store_ns_per_line=%.0f cut_ns_per_line=%.0f "
              "total_ns_per_line=%.0f segment_bytes_per_line=%.1f\n",
              lines, static_cast<unsigned long long>(stored), double(decode_ns) / lines,
              double(store_ns) / lines, double(cut_ns) / lines,
              double(decode_ns + store_ns + cut_ns) / lines,
              stored ? double(stats.segment_bytes) / stored : 0.0);
  db->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
