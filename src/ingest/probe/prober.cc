#include "ingest/probe/prober.h"

#include <chrono>

#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {
namespace {

// Bodies are read up to this size (larger ones fail the probe); only the first
// kMaxHealthBodyBytes are ever parsed as JSON.
constexpr size_t kMaxProbeBodyBytes = 16 << 20;

HttpClientOptions ClientOptions() {
  HttpClientOptions o;
  o.max_response_bytes = kMaxProbeBodyBytes;
  o.user_agent = "vigil-probe";
  return o;
}

Labels Named(const Labels& base, std::string_view name) {
  return LabelsBuilder(base).Set(kMetricName, name).Build();
}

}  // namespace

Prober::Prober(ProbeConfig config, MetricsRegistry* registry)
    : config_(std::move(config)), client_(ClientOptions()) {
  base_ =
      LabelsBuilder(config_.labels).Set("probe", config_.name).Set("instance", config_.url).Build();
  success_series_ = Named(base_, "probe_success");
  duration_series_ = Named(base_, "probe_duration_seconds");
  status_code_series_ = Named(base_, "probe_http_status_code");
  health_series_ = Named(base_, "probe_health_status");
  status_.name = config_.name;
  status_.url = config_.url;
  if (registry != nullptr) {
    constexpr std::string_view kHelp = "Health probe runs, by probe and result.";
    runs_success_ = &registry->GetCounter("vigil_probe_runs_total", kHelp,
                                          Labels({{"probe", config_.name}, {"result", "success"}}));
    runs_failure_ = &registry->GetCounter("vigil_probe_runs_total", kHelp,
                                          Labels({{"probe", config_.name}, {"result", "failure"}}));
  }
}

ProbeStatus Prober::status() const {
  std::lock_guard<std::mutex> l(mu_);
  return status_;
}

void Prober::Write(MetricsAppender& app, const Labels& series, int64_t t, double v) {
  views_.clear();
  for (const LabelView& l : series) views_.push_back(l);
  series_.Seen(series.Hash(), views_, /*track=*/true);
  absl::StatusOr<SeriesRef> ref = app.GetOrCreate(views_);
  if (!ref.ok()) return;  // refused by a cardinality guard; the store accounts for it
  Sample s{t, v};
  app.Append(*ref, {&s, 1});
}

ProbeOutcome Prober::Run(MetricsStore& store, int64_t now_ms) {
  std::lock_guard<std::mutex> run_lock(run_mu_);
  ProbeOutcome out;
  const int64_t start_ns = MonotonicNs();
  HttpHeaders headers{{"Accept", "application/json, */*;q=0.5"}};
  absl::StatusOr<HttpClientResponse> resp = client_.Do(
      config_.method, config_.url, headers, {}, std::chrono::milliseconds(config_.timeout_ms));
  out.duration_seconds = static_cast<double>(MonotonicNs() - start_ns) / 1e9;
  if (!resp.ok()) {
    out.error = std::string(resp.status().message());
  } else {
    out.status_code = resp->status;
    out.success = config_.StatusAccepted(resp->status);
    if (!out.success) out.error = StrCat("unexpected HTTP status ", resp->status);
    if (std::optional<HealthReport> h = health_parser_.Parse(resp->body)) {
      out.health = h->status;
      out.checks = std::move(h->checks);
    }
  }

  std::unique_ptr<MetricsAppender> app = store.Appender();
  Write(*app, success_series_, now_ms, out.success ? 1 : 0);
  Write(*app, duration_series_, now_ms, out.duration_seconds);
  Write(*app, status_code_series_, now_ms, out.status_code);
  if (out.health) Write(*app, health_series_, now_ms, *out.health);
  for (const auto& [check, up] : out.checks) {
    Labels series =
        LabelsBuilder(base_).Set(kMetricName, "probe_check_up").Set("check", check).Build();
    Write(*app, series, now_ms, up ? 1 : 0);
  }
  series_.ForEachVanished([&](const Labels& gone) {
    views_.clear();
    for (const LabelView& l : gone) views_.push_back(l);
    absl::StatusOr<SeriesRef> ref = app->GetOrCreate(views_);
    if (!ref.ok()) return;
    Sample s{now_ms, StaleNaN()};
    app->Append(*ref, {&s, 1});
    ++out.stale_markers;
  });
  if (absl::Status st = app->Commit(); !st.ok()) {
    LogWarn("probe", "storing a probe result failed",
            {{"probe", config_.name}, {"error", std::string(st.message())}});
    series_.Reset();
  } else {
    series_.Commit();
  }

  Counter* c = out.success ? runs_success_ : runs_failure_;
  if (c != nullptr) c->Inc();
  std::lock_guard<std::mutex> l(mu_);
  status_.last_run_ms = now_ms;
  status_.success = out.success;
  status_.last_error = out.error;
  status_.health = out.health;
  return out;
}

}  // namespace vigil
