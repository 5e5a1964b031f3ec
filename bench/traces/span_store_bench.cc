// span_store_bench: the trace store's CPU per span, phase by phase, in one process (no HTTP,
// no WAL, no threads), on the benchmark's own workload. Reads span_gen's --otlp-out file and
// times, in CPU nanoseconds per span:
//   decode   OTLP protobuf -> SpanBatch (what the HTTP handler does),
//   record   SpanBatch -> head record (what an append logs and keeps in the head),
//   replay   head record -> SpanBatch (what a cut does with every record),
//   segment  SpanBatches -> a segment file, one per `--cut-spans` spans (what a cut writes),
// and prints the segments' bytes per span. The end-to-end figure is `scripts/bench traces`;
// this one is steady enough to compare two builds of a change side by side.
//   span_store_bench --file spans.otlp [--cut-spans 200000] [--repeats 3]
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/traces/span_otlp.h"
#include "common/time_util.h"
#include "ingest/traces/otlp_traces_proto.h"
#include "storage/traces/segment_writer.h"
#include "storage/traces/span_codec.h"

namespace vigil::bench {
namespace {

struct Phases {
  double decode = 0, record = 0, replay = 0, segment = 0;
  uint64_t segment_bytes = 0;
};

// One pass over the workload; every phase's time is divided by the spans it handled.
bool RunOnce(const std::vector<std::string_view>& requests, size_t cut_spans,
             const std::string& dir, traces::SegmentScratch* scratch, Phases* out) {
  std::deque<SpanBatch> decoded;
  OtlpTracesProtoDecoder decoder;
  int64_t t0 = ProcessCpuNs();
  size_t spans = 0;
  for (std::string_view r : requests) {
    SpanDecodeResult res = decoder.Decode(r, &decoded.emplace_back());
    if (!res.status.ok()) {
      std::fprintf(stderr, "span_store_bench: decode failed: %s\n",
                   std::string(res.status.message()).c_str());
      return false;
    }
    spans += decoded.back().size();
  }
  int64_t t1 = ProcessCpuNs();
  std::vector<std::string> records(decoded.size());
  std::vector<uint32_t> all;
  for (size_t i = 0; i < decoded.size(); ++i) {
    all.resize(decoded[i].size());
    for (uint32_t k = 0; k < all.size(); ++k) all[k] = k;
    traces::EncodeSpanRecord(decoded[i], all, &records[i]);
  }
  int64_t t2 = ProcessCpuNs();
  std::vector<SpanBatch> replayed(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    if (absl::Status st = traces::DecodeSpanRecord(records[i], &replayed[i]); !st.ok()) {
      std::fprintf(stderr, "span_store_bench: replay failed: %s\n",
                   std::string(st.message()).c_str());
      return false;
    }
  }
  int64_t t3 = ProcessCpuNs();
  traces::SegmentWriterOptions options;
  uint64_t bytes = 0;
  int segment = 0;
  for (size_t first = 0; first < replayed.size();) {
    std::vector<const SpanBatch*> cut;
    size_t n = 0;
    size_t last = first;
    for (; last < replayed.size() && n < cut_spans; ++last) {
      cut.push_back(&replayed[last]);
      n += replayed[last].size();
    }
    auto size = traces::WriteSegment(dir + "/" + std::to_string(segment++) + ".seg", cut,
                                     options, scratch);
    if (!size.ok()) {
      std::fprintf(stderr, "span_store_bench: segment failed: %s\n",
                   std::string(size.status().message()).c_str());
      return false;
    }
    bytes += *size;
    first = last;
  }
  int64_t t4 = ProcessCpuNs();
  const double per = spans > 0 ? static_cast<double>(spans) : 1;
  out->decode = (t1 - t0) / per;
  out->record = (t2 - t1) / per;
  out->replay = (t3 - t2) / per;
  out->segment = (t4 - t3) / per;
  out->segment_bytes = bytes;
  std::printf("spans %zu: decode %.0f ns, record %.0f ns, replay %.0f ns, segment %.0f ns; "
              "%.1f B/span\n",
              spans, out->decode, out->record, out->replay, out->segment, bytes / per);
  return true;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) {
  using namespace vigil::bench;
  CLI::App app{"span_store_bench: the trace store's CPU per span, phase by phase"};
  std::string file;
  size_t cut_spans = 200000;
  int repeats = 3;
  app.add_option("--file", file, "span_gen --otlp-out output")->required();
  app.add_option("--cut-spans", cut_spans, "spans per segment")->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "passes; the median of each phase is printed")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  // As the server sets them (src/server/main.cc), so memory is reused as it is there.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);

  std::string data, error;
  std::vector<std::string_view> requests;
  if (!ReadFramedFile(file, &data, &requests, &error)) {
    std::fprintf(stderr, "span_store_bench: %s\n", error.c_str());
    return 2;
  }
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("span_store_bench." + std::to_string(getpid())))
          .string();
  std::filesystem::create_directories(dir);
  std::vector<Phases> runs(repeats);
  bool ok = true;
  // One scratch for every segment, as the server's trace store keeps one for its cuts.
  vigil::traces::SegmentScratch scratch;
  for (int i = 0; i < repeats && ok; ++i) {
    ok = RunOnce(requests, cut_spans, dir, &scratch, &runs[i]);
  }
  std::filesystem::remove_all(dir);
  if (!ok) return 1;
  auto median = [&](double Phases::*field) {
    std::vector<double> v;
    for (const Phases& p : runs) v.push_back(p.*field);
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  std::printf("median CPU ns/span: decode %.0f, record %.0f, replay %.0f, segment %.0f\n",
              median(&Phases::decode), median(&Phases::record), median(&Phases::replay),
              median(&Phases::segment));
  return 0;
}
