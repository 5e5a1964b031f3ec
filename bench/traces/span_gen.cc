// span_gen: writes the trace benchmark's workload (bench/traces/span_workload.h) as
//   --otlp-out           OTLP/HTTP protobuf requests, length-prefixed (span_otlp.h), batched
//                        per service instance as SDK batch processors send them
//   --clickhouse-spans   JSONEachRow rows of the `spans` table (span_clickhouse.h)
//   --clickhouse-traces  JSONEachRow rows of the `trace_id_ts` lookup table
//   --trace-ids          a random sample of trace ids, "<hex>\t<span count>" per line
//   --summary            JSON: counts, the time range, and the search the benchmark runs
//                        (service + attribute + min duration) with the number of traces it
//                        must find
// The same flags always give the same files.
//
// The search's min duration is chosen from the data: about half of the traces with a span of
// the service carrying the attribute (at least 25, at most 900), rounded down to whole
// milliseconds, so the answer is non-trivial at any size and fits one search of limit 1000.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/traces/span_clickhouse.h"
#include "bench/traces/span_otlp.h"
#include "bench/traces/span_workload.h"
#include "common/json_writer.h"
#include "common/strings.h"

namespace vigil::bench {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// A buffered output file; an empty path writes nothing.
class Output {
 public:
  bool Open(const std::string& path) {
    if (path.empty()) return true;
    file_.reset(std::fopen(path.c_str(), "wb"));
    return file_ != nullptr;
  }
  bool enabled() const { return file_ != nullptr; }
  std::string* buffer() { return &buf_; }
  // Writes the buffer out once it is large (or always, with `force`).
  void Flush(bool force = false) {
    if (file_ == nullptr || (!force && buf_.size() < (1u << 20))) return;
    ok_ = ok_ && std::fwrite(buf_.data(), 1, buf_.size(), file_.get()) == buf_.size();
    buf_.clear();
    if (force) ok_ = ok_ && std::fflush(file_.get()) == 0;
  }
  bool ok() const { return ok_; }
  int64_t bytes = 0;

 private:
  File file_;
  std::string buf_;
  bool ok_ = true;
};

int Main(int argc, char** argv) {
  CLI::App app{"span_gen: writes the trace benchmark's workload"};
  SpanWorkloadOptions opts;
  int64_t start_s = opts.start_ns / 1'000'000'000;
  int64_t duration_s = opts.duration_ns / 1'000'000'000;
  size_t batch_spans = 512;
  std::string otlp_path, ch_spans_path, ch_traces_path, ids_path, summary_path;
  size_t sample = 1000;
  std::string search_service = "checkout";
  std::string search_key = "region";
  std::string search_value = "eu-central-1";
  app.add_option("--spans", opts.spans, "at least this many spans (whole traces)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--seed", opts.seed, "workload seed");
  app.add_option("--start-s", start_s, "first trace start, seconds since the epoch");
  app.add_option("--duration-s", duration_s, "range over which traces start")
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-spans", batch_spans, "spans per OTLP request (per instance)")
      ->check(CLI::PositiveNumber);
  app.add_option("--otlp-out", otlp_path, "length-prefixed OTLP protobuf requests");
  app.add_option("--clickhouse-spans", ch_spans_path, "JSONEachRow rows of the spans table");
  app.add_option("--clickhouse-traces", ch_traces_path, "JSONEachRow rows of trace_id_ts");
  app.add_option("--trace-ids", ids_path, "sampled trace ids with their span counts");
  app.add_option("--sample", sample, "how many trace ids to sample");
  app.add_option("--search-service", search_service, "the search's service");
  app.add_option("--search-attr-key", search_key, "the search's attribute key");
  app.add_option("--search-attr-value", search_value, "the search's attribute value");
  app.add_option("--summary", summary_path, "the JSON summary (default: stdout)");
  CLI11_PARSE(app, argc, argv);
  opts.start_ns = start_s * 1'000'000'000;
  opts.duration_ns = duration_s * 1'000'000'000;

  Output otlp, ch_spans, ch_traces;
  for (auto [out, path] : {std::pair{&otlp, &otlp_path}, std::pair{&ch_spans, &ch_spans_path},
                           std::pair{&ch_traces, &ch_traces_path}}) {
    if (!out->Open(*path)) {
      std::fprintf(stderr, "span_gen: cannot write %s\n", path->c_str());
      return 1;
    }
  }

  SpanGenerator gen(opts);
  int64_t requests = 0;
  OtlpBatcher batcher(gen.resources(), batch_spans, [&](const std::string& req, size_t) {
    ++requests;
    if (!otlp.enabled()) return;
    AppendFramed(req, otlp.buffer());
    otlp.bytes += static_cast<int64_t>(req.size() + 4);
    otlp.Flush();
  });

  // A reservoir sample of trace ids, drawn from its own stream so it does not shift the
  // workload.
  Rng sampler(MixSeed(opts.seed, 0x73616d706c65ULL));
  std::vector<std::pair<std::string, size_t>> ids;
  std::vector<int64_t> match_durations;  // per matching trace: its longest matching span
  int64_t traces = 0, spans = 0, error_spans = 0, event_spans = 0, attributes = 0;
  int64_t first_start = INT64_MAX, last_start = INT64_MIN, last_end = INT64_MIN;
  size_t min_spans = SIZE_MAX, max_spans = 0;
  std::vector<GenSpan> trace;
  while (gen.Next(&trace)) {
    ++traces;
    int64_t t0 = INT64_MAX, t1 = INT64_MIN, longest = -1;
    for (const GenSpan& s : trace) {
      t0 = std::min(t0, s.start_ns);
      t1 = std::max(t1, s.end_ns);
      last_start = std::max(last_start, s.start_ns);
      error_spans += s.error ? 1 : 0;
      event_spans += s.events.empty() ? 0 : 1;
      attributes += static_cast<int64_t>(s.attributes.size());
      if (gen.resources()[s.resource].service == search_service) {
        for (const GenAttribute& a : s.attributes) {
          if (a.key == search_key && a.value.Text() == search_value) {
            longest = std::max(longest, s.end_ns - s.start_ns);
            break;
          }
        }
      }
    }
    first_start = std::min(first_start, t0);
    last_end = std::max(last_end, t1);
    if (longest >= 0) match_durations.push_back(longest);
    spans += static_cast<int64_t>(trace.size());
    min_spans = std::min(min_spans, trace.size());
    max_spans = std::max(max_spans, trace.size());
    const std::string hex = GenTraceIdHex(trace.front().trace_id);
    if (ids.size() < sample) {
      ids.emplace_back(hex, trace.size());
    } else if (sample > 0) {
      const uint64_t k = sampler.Below(static_cast<uint64_t>(traces));
      if (k < sample) ids[k] = {hex, trace.size()};
    }
    if (ch_traces.enabled()) {
      AppendClickHouseTraceRow(trace.front().trace_id, t0, t1, ch_traces.buffer());
      ch_traces.Flush();
    }
    for (GenSpan& s : trace) {
      if (ch_spans.enabled()) {
        const size_t before = ch_spans.buffer()->size();
        AppendClickHouseSpanRow(s, gen.resources()[s.resource], ch_spans.buffer());
        ch_spans.bytes += static_cast<int64_t>(ch_spans.buffer()->size() - before);
        ch_spans.Flush();
      }
      batcher.Add(std::move(s));
    }
  }
  batcher.Finish();
  otlp.Flush(true);
  ch_spans.Flush(true);
  ch_traces.Flush(true);
  if (!otlp.ok() || !ch_spans.ok() || !ch_traces.ok()) {
    std::fprintf(stderr, "span_gen: write failed\n");
    return 1;
  }

  // The search's min duration: the k-th longest matching trace, in whole milliseconds.
  std::sort(match_durations.begin(), match_durations.end(), std::greater<>());
  const size_t matching = match_durations.size();
  const size_t k =
      std::min<size_t>(std::max<size_t>(matching / 2, std::min<size_t>(matching, 25)), 900);
  int64_t min_ms = k == 0 ? 0 : match_durations[k - 1] / 1'000'000;
  auto count_at = [&](int64_t ms) {
    return std::count_if(match_durations.begin(), match_durations.end(),
                         [&](int64_t d) { return d >= ms * 1'000'000; });
  };
  while (count_at(min_ms) > 1000) ++min_ms;

  if (!ids_path.empty()) {
    Output out;
    if (!out.Open(ids_path)) {
      std::fprintf(stderr, "span_gen: cannot write %s\n", ids_path.c_str());
      return 1;
    }
    // Shuffled, so the lookups do not follow the workload's order.
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[sampler.Below(i)]);
    for (const auto& [hex, n] : ids) StrAppend(out.buffer(), hex, "\t", n, "\n");
    out.Flush(true);
    if (!out.ok()) return 1;
  }

  std::string json;
  JsonWriter j(&json);
  j.BeginObject();
  j.Key("spans").Int(spans).Key("traces").Int(traces);
  j.Key("min_trace_spans").Int(static_cast<int64_t>(min_spans));
  j.Key("max_trace_spans").Int(static_cast<int64_t>(max_spans));
  j.Key("error_spans").Int(error_spans).Key("event_spans").Int(event_spans);
  j.Key("attributes_per_span").Double(spans > 0 ? static_cast<double>(attributes) / spans : 0);
  j.Key("requests").Int(requests).Key("otlp_bytes").Int(otlp.bytes);
  j.Key("clickhouse_span_bytes").Int(ch_spans.bytes);
  j.Key("first_start_ns").Int(first_start).Key("last_start_ns").Int(last_start);
  j.Key("last_end_ns").Int(last_end);
  j.KV("search_service", search_service);
  j.KV("search_attr_key", search_key).KV("search_attr_value", search_value);
  j.Key("search_min_duration_ms").Int(min_ms);
  j.Key("search_traces").Int(static_cast<int64_t>(count_at(min_ms)));
  j.Key("search_candidate_traces").Int(static_cast<int64_t>(matching));
  j.EndObject();
  json += "\n";
  if (summary_path.empty()) {
    std::fputs(json.c_str(), stdout);
  } else {
    Output out;
    if (!out.Open(summary_path)) return 1;
    out.buffer()->append(json);
    out.Flush(true);
    if (!out.ok()) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
