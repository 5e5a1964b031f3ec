#include "ingest/spanmetrics/span_metrics.h"

#include <algorithm>

#include "common/json_writer.h"
#include "common/labels.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {
namespace {

constexpr std::string_view kCalls = "traces_spanmetrics_calls_total";
constexpr std::string_view kBucket = "traces_spanmetrics_latency_bucket";
constexpr std::string_view kSum = "traces_spanmetrics_latency_sum";
constexpr std::string_view kCount = "traces_spanmetrics_latency_count";

}  // namespace

SpanMetrics::SpanMetrics(SpanMetricsOptions options) : options_(std::move(options)) {}

SpanMetrics::~SpanMetrics() { StopFlushing(); }

void SpanMetrics::StartFlushing(MetricsStore* store) {
  if (!options_.enabled || flusher_.joinable()) return;
  flush_store_ = store;
  flusher_ = std::thread([this] {
    std::unique_lock lock(flush_mu_);
    while (!stop_) {
      flush_cv_.wait_for(lock, std::chrono::nanoseconds(options_.flush_interval_ns));
      lock.unlock();
      if (absl::Status st = Flush(*flush_store_, NowMs()); !st.ok()) {
        LogWarn("spanmetrics", "writing span metrics failed", {{"error", std::string(st.message())}});
      }
      lock.lock();
    }
  });
}

void SpanMetrics::StopFlushing() {
  {
    std::lock_guard lock(flush_mu_);
    stop_ = true;
  }
  flush_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

size_t SpanMetrics::series() const {
  std::lock_guard lock(mu_);
  return series_.size();
}

void SpanMetrics::Add(const SpanBatch& batch, std::span<const uint32_t> skip) {
  if (!options_.enabled) return;
  std::lock_guard lock(mu_);
  size_t next_skip = 0;
  const size_t nbuckets = options_.buckets.size() + 1;
  for (uint32_t i = 0; i < batch.size(); ++i) {
    if (next_skip < skip.size() && skip[next_skip] == i) {
      ++next_skip;
      continue;
    }
    const SpanBatch::Entry& e = batch.spans()[i];
    std::string_view service = batch.resources()[e.resource].service_name;
    key_.assign(service);
    key_.push_back('\0');
    key_.append(e.name);
    key_.push_back('\0');
    key_.push_back(static_cast<char>('0' + static_cast<int>(e.kind)));
    key_.push_back(static_cast<char>('0' + static_cast<int>(e.status)));
    auto it = index_.find(key_);
    size_t s;
    if (it != index_.end()) {
      s = it->second;
    } else {
      if (series_.size() >= options_.max_series) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        if (!warned_) {
          warned_ = true;
          LogWarn("spanmetrics", "span metrics series limit reached; new label sets are dropped",
                  {{"max_series", StrCat(options_.max_series)}});
        }
        continue;
      }
      s = series_.size();
      index_.emplace(key_, s);
      Series& n = series_.emplace_back();
      n.service = service;
      n.span_name = e.name;
      n.kind = e.kind;
      n.status = e.status;
      n.bucket_counts.assign(nbuckets, 0);
      n.exemplars.assign(nbuckets, LastExemplar{});
    }
    Series& m = series_[s];
    const double seconds = static_cast<double>(std::max<int64_t>(0, e.end_ns - e.start_ns)) / 1e9;
    m.calls++;
    m.sum_seconds += seconds;
    size_t b = static_cast<size_t>(
        std::lower_bound(options_.buckets.begin(), options_.buckets.end(), seconds) -
        options_.buckets.begin());
    m.bucket_counts[b]++;
    m.exemplars[b] = {e.trace_id, e.span_id, seconds, e.end_ns / 1'000'000, true};
  }
}

absl::Status SpanMetrics::Flush(MetricsStore& store, int64_t now_ms) {
  if (!options_.enabled) return absl::OkStatus();
  std::vector<Series> snapshot;
  {
    std::lock_guard lock(mu_);
    if (series_.empty()) return absl::OkStatus();
    snapshot = series_;
    for (Series& s : series_) std::fill(s.exemplars.begin(), s.exemplars.end(), LastExemplar{});
  }
  std::unique_ptr<MetricsAppender> app = store.Appender();
  std::vector<LabelView> labels;
  std::string le;
  auto write = [&](std::string_view name, const Series& s, std::string_view le_value,
                   double value, const LastExemplar* ex) -> absl::Status {
    labels.clear();
    labels.push_back({"__name__", name});
    if (!le_value.empty()) labels.push_back({"le", le_value});
    labels.push_back({"service", s.service});
    labels.push_back({"span_kind", SpanKindOtlpName(s.kind)});
    labels.push_back({"span_name", s.span_name});
    labels.push_back({"status_code", SpanStatusOtlpName(s.status)});
    std::sort(labels.begin(), labels.end(),
              [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
    auto ref = app->GetOrCreate(labels);
    if (!ref.ok()) return absl::OkStatus();  // refused series (limits): counted by the store
    Sample sample{now_ms, value};
    app->Append(*ref, {&sample, 1});
    if (ex != nullptr && ex->set) {
      Exemplar out;
      out.labels = Labels{{"span_id", SpanIdHex(ex->span_id)}, {"trace_id", ex->trace_id.Hex()}};
      out.value = ex->value;
      out.t = ex->time_ms;
      app->AppendExemplar(*ref, out);
    }
    return absl::OkStatus();
  };
  for (const Series& s : snapshot) {
    if (absl::Status st = write(kCalls, s, "", static_cast<double>(s.calls), nullptr); !st.ok()) {
      return st;
    }
    uint64_t cumulative = 0;
    for (size_t b = 0; b < s.bucket_counts.size(); ++b) {
      cumulative += s.bucket_counts[b];
      le = b < options_.buckets.size() ? FormatPromFloat(options_.buckets[b]) : "+Inf";
      if (absl::Status st = write(kBucket, s, le, static_cast<double>(cumulative), &s.exemplars[b]);
          !st.ok()) {
        return st;
      }
    }
    if (absl::Status st = write(kSum, s, "", s.sum_seconds, nullptr); !st.ok()) return st;
    if (absl::Status st = write(kCount, s, "", static_cast<double>(s.calls), nullptr); !st.ok()) {
      return st;
    }
  }
  return app->Commit();
}

}  // namespace vigil
