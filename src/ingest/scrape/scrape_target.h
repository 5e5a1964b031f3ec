// ScrapeTarget: one target of one scrape job, and what a single scrape of it does, with
// Prometheus' semantics:
//
// - GET <scrape URL> with `Accept` preferring OpenMetrics, then text 0.0.4, and
//   `X-Prometheus-Scrape-Timeout-Seconds`; the scrape timeout bounds the whole request. Any
//   status but 200 fails the scrape ("server returned HTTP status 500 Internal Server Error").
// - The body is parsed with ExpositionParser (samples without a timestamp get the scrape
//   time; with honor_timestamps=false all do). A parse error fails the scrape.
// - Target labels are attached to every sample: with honor_labels=false a scraped label that
//   collides with a target label is kept as `exported_<name>`; with honor_labels=true the
//   scraped value wins. metric_relabel_configs then run on the result.
// - Limits (sample_limit after metric relabeling, label limits) fail the whole scrape.
// - One store transaction per scrape. A failed scrape stores none of its samples.
// - Series written by the previous scrape and not by this one get a StaleNaN at this
//   scrape's time; a failed scrape marks all of the previous scrape's series stale.
// - Every scrape, success or not, writes `up`, `scrape_duration_seconds`,
//   `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and
//   `scrape_series_added` with the target's labels.
// - HELP/TYPE/UNIT metadata goes to MetricsStore::SetMetadata when it changes.
// - Retire() (the target left the configuration) marks every series it wrote stale, report
//   series included. Shutting down does not: the data is still current when vigil restarts.
//
// Thread-safety: Scrape and Retire serialize on an internal mutex (one scrape at a time);
// status(), labels() and SetJob() may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/self_metrics.h"
#include "http/http_client.h"
#include "http/url.h"
#include "ingest/common/series_writer.h"
#include "ingest/scrape/scrape_config.h"
#include "ingest/scrape/staleness_tracker.h"
#include "ingest/scrape/target_labels.h"
#include "storage/metrics_store.h"

namespace vigil {

enum class TargetHealth : uint8_t { kUnknown, kUp, kDown };
// "unknown", "up", "down", as /api/v1/targets spells them.
std::string_view TargetHealthName(TargetHealth h);

// The `Accept` header Prometheus sends.
inline constexpr std::string_view kScrapeAcceptHeader =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

struct ScrapeOutcome {
  bool up = false;
  std::string error;  // empty when up
  uint64_t samples_scraped = 0;
  uint64_t samples_post_relabel = 0;
  uint64_t series_added = 0;
  uint64_t stale_markers = 0;
  double duration_seconds = 0;
};

struct TargetStatus {
  TargetHealth health = TargetHealth::kUnknown;
  std::string last_error;
  int64_t last_scrape_ms = 0;  // 0: never scraped
  double last_duration_seconds = 0;
};

// Self-metrics of one job; null members when no registry was given.
struct ScrapeJobCounters {
  ScrapeJobCounters() = default;
  ScrapeJobCounters(MetricsRegistry* registry, std::string_view job);
  Counter* scrapes_success = nullptr;
  Counter* scrapes_failure = nullptr;
  Counter* samples_scraped = nullptr;
  Counter* stale_markers = nullptr;
  Counter* sample_limit_exceeded = nullptr;
};

class ScrapeTarget {
 public:
  // `ingest` (vigil_samples_ingested_total{protocol="scrape"}) may be null.
  ScrapeTarget(TargetLabels labels, std::shared_ptr<const ScrapeJobConfig> job,
               ScrapeJobCounters counters, const IngestCounters* ingest);

  ScrapeOutcome Scrape(MetricsStore& store, int64_t now_ms);
  void Retire(MetricsStore& store, int64_t now_ms);

  // Replaces the job settings (a reload that kept this target); takes effect next scrape.
  void SetJob(std::shared_ptr<const ScrapeJobConfig> job, ScrapeJobCounters counters);
  std::shared_ptr<const ScrapeJobConfig> job() const;

  const TargetLabels& labels() const { return labels_; }
  std::string_view job_name() const { return job_name_; }
  std::string_view instance() const { return labels_.public_labels.Get("instance"); }
  // Identity across reloads: job name and every label, "__" ones included.
  uint64_t key() const { return key_; }
  TargetStatus status() const;

  static uint64_t KeyOf(std::string_view job_name, const Labels& labels);

 private:
  absl::StatusOr<HttpClientResponse> Fetch(const ScrapeJobConfig& job);
  // Parses the body and appends its samples (scrape_append.cc).
  absl::Status AppendBody(MetricsStore& store, MetricsAppender& app, const ScrapeJobConfig& job,
                          std::string_view body, std::string_view content_type, int64_t now_ms,
                          ScrapeOutcome* out);
  void AppendReport(MetricsAppender& app, int64_t t, const ScrapeOutcome& out);
  uint64_t AppendStale(MetricsAppender& app, int64_t t, bool all_previous);
  void AppendOne(MetricsAppender& app, const Labels& series, Sample s);

  const TargetLabels labels_;
  const std::string job_name_;
  const uint64_t key_;
  absl::StatusOr<HttpUrl> url_;
  const IngestCounters* ingest_;
  // The report series (up, scrape_duration_seconds …), built once.
  std::vector<Labels> report_series_;

  std::mutex scrape_mu_;  // one scrape at a time; guards the members below
  std::unique_ptr<HttpConnection> conn_;
  uint64_t conn_body_limit_ = 0;
  StalenessTracker series_;
  std::map<std::string, MetricMetadata, std::less<>> metadata_;
  bool reported_ = false;  // report series were written at least once
  bool retired_ = false;
  // Reused per-sample scratch.
  std::vector<LabelView> merged_;
  std::vector<LabelView> final_;

  mutable std::mutex mu_;  // guards job_, counters_ and status_
  std::shared_ptr<const ScrapeJobConfig> job_;
  ScrapeJobCounters counters_;
  TargetStatus status_;
};

}  // namespace vigil
