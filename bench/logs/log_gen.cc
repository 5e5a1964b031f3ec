// log_gen: writes the benchmark's log workload (bench/logs/log_workload.h) as NDJSON and,
// optionally, the same lines as ClickHouse JSONEachRow rows, plus a JSON summary of what the
// benchmark's queries must find. The same flags always give the same files.
//
//   log_gen --lines 2000000 --out logs.ndjson --clickhouse-out logs.ch.ndjson
//           --summary summary.json
#include <cstdio>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "bench/logs/log_format.h"
#include "bench/logs/log_workload.h"

namespace vigil::bench {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdout) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File Open(const std::string& path) {
  if (path == "-") return File(stdout);
  return File(std::fopen(path.c_str(), "wb"));
}

bool WriteAll(std::FILE* f, const std::string& data) {
  return std::fwrite(data.data(), 1, data.size(), f) == data.size();
}

int Main(int argc, char** argv) {
  CLI::App app{"log_gen: writes the log benchmark's workload"};
  LogWorkloadOptions opts;
  int64_t start_s = opts.start_ns / 1'000'000'000;
  int64_t duration_s = opts.duration_ns / 1'000'000'000;
  std::string out_path = "-";
  std::string ch_path;
  std::string summary_path;
  app.add_option("--lines", opts.lines, "number of lines")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--seed", opts.seed, "workload seed");
  app.add_option("--start-s", start_s, "first timestamp, seconds since the epoch");
  app.add_option("--duration-s", duration_s, "time range of the lines")->check(CLI::PositiveNumber);
  app.add_option("--out", out_path, "NDJSON output file ('-': stdout)");
  app.add_option("--clickhouse-out", ch_path, "also write ClickHouse JSONEachRow rows here");
  app.add_option("--summary", summary_path, "write the JSON summary here (default: stderr)");
  CLI11_PARSE(app, argc, argv);
  opts.start_ns = start_s * 1'000'000'000;
  opts.duration_ns = duration_s * 1'000'000'000;

  File out = Open(out_path);
  if (out == nullptr) {
    std::fprintf(stderr, "log_gen: cannot write %s\n", out_path.c_str());
    return 1;
  }
  File ch;
  if (!ch_path.empty()) {
    ch = Open(ch_path);
    if (ch == nullptr) {
      std::fprintf(stderr, "log_gen: cannot write %s\n", ch_path.c_str());
      return 1;
    }
  }

  LogGenerator gen(opts);
  LogSummary summary;
  LogRecord r;
  std::string buf;
  std::string ch_buf;
  constexpr size_t kFlushBytes = 1 << 20;
  bool ok = true;
  while (ok && gen.Next(&r)) {
    summary.Add(r, gen.needle_trace_id());
    const size_t before = buf.size();
    AppendNdjson(r, &buf);
    summary.ndjson_bytes += static_cast<int64_t>(buf.size() - before);
    if (ch != nullptr) {
      const size_t ch_before = ch_buf.size();
      AppendClickHouseRow(r, &ch_buf);
      summary.clickhouse_bytes += static_cast<int64_t>(ch_buf.size() - ch_before);
      if (ch_buf.size() >= kFlushBytes) {
        ok = WriteAll(ch.get(), ch_buf);
        ch_buf.clear();
      }
    }
    if (buf.size() >= kFlushBytes) {
      ok = ok && WriteAll(out.get(), buf);
      buf.clear();
    }
  }
  ok = ok && WriteAll(out.get(), buf) && std::fflush(out.get()) == 0;
  if (ch != nullptr) ok = ok && WriteAll(ch.get(), ch_buf) && std::fflush(ch.get()) == 0;
  if (!ok) {
    std::fprintf(stderr, "log_gen: write failed\n");
    return 1;
  }

  const std::string json = summary.ToJson() + "\n";
  if (summary_path.empty()) {
    std::fputs(json.c_str(), stderr);
  } else {
    File s = Open(summary_path);
    if (s == nullptr || !WriteAll(s.get(), json)) {
      std::fprintf(stderr, "log_gen: cannot write %s\n", summary_path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
