#include "ingest/scrape/scrape_target.h"

#include <chrono>
#include <functional>

#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {
namespace {

constexpr uint64_t kDefaultBodyLimit = 64ull << 20;

constexpr std::string_view kReportNames[] = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling", "scrape_series_added"};

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

void Inc(Counter* c, uint64_t n = 1) {
  if (c != nullptr && n > 0) c->Inc(n);
}

}  // namespace

std::string_view TargetHealthName(TargetHealth h) {
  switch (h) {
    case TargetHealth::kUp:
      return "up";
    case TargetHealth::kDown:
      return "down";
    case TargetHealth::kUnknown:
      break;
  }
  return "unknown";
}

ScrapeJobCounters::ScrapeJobCounters(MetricsRegistry* registry, std::string_view job) {
  if (registry == nullptr) return;
  const std::string j(job);
  constexpr std::string_view kScrapesHelp = "Scrapes run, by job and result.";
  scrapes_success = &registry->GetCounter("vigil_scrape_scrapes_total", kScrapesHelp,
                                          Labels({{"job", j}, {"result", "success"}}));
  scrapes_failure = &registry->GetCounter("vigil_scrape_scrapes_total", kScrapesHelp,
                                          Labels({{"job", j}, {"result", "failure"}}));
  samples_scraped =
      &registry->GetCounter("vigil_scrape_samples_scraped_total",
                            "Samples read from scrape responses, by job.", Labels({{"job", j}}));
  stale_markers = &registry->GetCounter("vigil_scrape_stale_markers_total",
                                        "Staleness markers written for vanished series, by job.",
                                        Labels({{"job", j}}));
  sample_limit_exceeded = &registry->GetCounter(
      "vigil_scrape_sample_limit_exceeded_total",
      "Scrapes that failed because they exceeded sample_limit, by job.", Labels({{"job", j}}));
}

uint64_t ScrapeTarget::KeyOf(std::string_view job_name, const Labels& labels) {
  return labels.Hash() ^ (std::hash<std::string_view>{}(job_name)*0x9e3779b97f4a7c15ULL);
}

ScrapeTarget::ScrapeTarget(TargetLabels labels, std::shared_ptr<const ScrapeJobConfig> job,
                           ScrapeJobCounters counters, const IngestCounters* ingest)
    : labels_(std::move(labels)),
      job_name_(job->job_name),
      key_(KeyOf(job_name_, labels_.labels)),
      url_(ParseHttpUrl(labels_.scrape_url)),
      ingest_(ingest),
      job_(std::move(job)),
      counters_(counters) {
  for (std::string_view name : kReportNames) {
    report_series_.push_back(LabelsBuilder(labels_.public_labels).Set(kMetricName, name).Build());
  }
}

std::shared_ptr<const ScrapeJobConfig> ScrapeTarget::job() const {
  std::lock_guard<std::mutex> l(mu_);
  return job_;
}

void ScrapeTarget::SetJob(std::shared_ptr<const ScrapeJobConfig> job, ScrapeJobCounters counters) {
  std::lock_guard<std::mutex> l(mu_);
  job_ = std::move(job);
  counters_ = counters;
}

TargetStatus ScrapeTarget::status() const {
  std::lock_guard<std::mutex> l(mu_);
  return status_;
}

absl::StatusOr<HttpClientResponse> ScrapeTarget::Fetch(const ScrapeJobConfig& job) {
  if (!url_.ok()) return url_.status();
  const uint64_t limit =
      job.limits.body_size_limit > 0 ? job.limits.body_size_limit : kDefaultBodyLimit;
  if (conn_ == nullptr || conn_body_limit_ != limit) {
    HttpClientOptions o;
    o.max_response_bytes = limit;
    o.user_agent = "vigil-scraper";
    conn_ = std::make_unique<HttpConnection>(url_->host, url_->port, o);
    conn_body_limit_ = limit;
  }
  const int64_t timeout_ms = labels_.timeout_ms;
  HttpHeaders headers{
      {"Accept", std::string(kScrapeAcceptHeader)},
      {"X-Prometheus-Scrape-Timeout-Seconds", StrCat(static_cast<double>(timeout_ms) / 1000.0)}};
  auto resp = conn_->Do("GET", url_->target, headers, {}, std::chrono::milliseconds(timeout_ms));
  if (!resp.ok()) {
    conn_->Close();  // the connection's state is unknown after a failure
    if (resp.status().code() == absl::StatusCode::kResourceExhausted) {
      return absl::ResourceExhaustedError(
          StrCat("body size limit exceeded (limit: ", limit, " bytes)"));
    }
    return resp.status();
  }
  if (resp->status != 200) {
    std::string_view reason = ReasonPhrase(resp->status);
    return absl::UnavailableError(
        StrCat("server returned HTTP status ", resp->status, reason.empty() ? "" : " ", reason));
  }
  return resp;
}

void ScrapeTarget::AppendOne(MetricsAppender& app, const Labels& series, Sample s) {
  // Runs under scrape_mu_, after AppendBody: its scratch vector is free.
  merged_.assign(series.begin(), series.end());
  absl::StatusOr<SeriesRef> ref = app.GetOrCreate(merged_);
  if (ref.ok()) app.Append(*ref, {&s, 1});
}

uint64_t ScrapeTarget::AppendStale(MetricsAppender& app, int64_t t, bool all_previous) {
  uint64_t n = 0;
  auto mark = [&](const Labels& series) {
    AppendOne(app, series, {t, StaleNaN()});
    ++n;
  };
  if (all_previous) {
    series_.ForEachPrevious(mark);
  } else {
    series_.ForEachVanished(mark);
  }
  return n;
}

void ScrapeTarget::AppendReport(MetricsAppender& app, int64_t t, const ScrapeOutcome& out) {
  const double values[] = {
      out.up ? 1.0 : 0.0, out.duration_seconds, static_cast<double>(out.samples_scraped),
      static_cast<double>(out.samples_post_relabel), static_cast<double>(out.series_added)};
  for (size_t i = 0; i < report_series_.size(); ++i) {
    AppendOne(app, report_series_[i], {t, values[i]});
  }
  reported_ = true;
}

ScrapeOutcome ScrapeTarget::Scrape(MetricsStore& store, int64_t now_ms) {
  std::lock_guard<std::mutex> scrape_lock(scrape_mu_);
  ScrapeOutcome out;
  if (retired_) {
    out.error = "target was removed from the configuration";
    return out;
  }
  std::shared_ptr<const ScrapeJobConfig> job;
  ScrapeJobCounters counters;
  {
    std::lock_guard<std::mutex> l(mu_);
    job = job_;
    counters = counters_;
  }
  const int64_t start_ns = MonotonicNs();
  absl::StatusOr<HttpClientResponse> resp = Fetch(*job);
  std::unique_ptr<MetricsAppender> app = store.Appender();
  absl::Status st = resp.status();
  if (st.ok()) {
    st = AppendBody(store, *app, *job, resp->body, resp->headers.GetOr("Content-Type"), now_ms,
                    &out);
  }
  if (st.ok()) {
    out.stale_markers = AppendStale(*app, now_ms, /*all_previous=*/false);
  } else {
    // Nothing of a failed scrape is kept; everything the previous scrape wrote goes stale.
    app->Rollback();
    app = store.Appender();
    out.stale_markers = AppendStale(*app, now_ms, /*all_previous=*/true);
    if (st.code() == absl::StatusCode::kResourceExhausted &&
        ToStd(st.message()).starts_with("sample limit")) {
      Inc(counters.sample_limit_exceeded);
    }
  }
  out.up = st.ok();
  out.error = st.ok() ? "" : std::string(st.message());
  out.duration_seconds = static_cast<double>(MonotonicNs() - start_ns) / 1e9;
  AppendReport(*app, now_ms, out);
  absl::Status commit = app->Commit();
  if (ingest_ != nullptr && ingest_->samples_ingested != nullptr) {
    ingest_->samples_ingested->Inc(app->stats().accepted);
  }
  if (!commit.ok()) {
    LogWarn("scrape", "storing a scrape failed",
            {{"job", job_name_},
             {"url", labels_.scrape_url},
             {"error", std::string(commit.message())}});
    if (out.up) out.error = StrCat("storing samples failed: ", ToStd(commit.message()));
    out.up = false;
  }
  if (out.up) {
    series_.Commit();
  } else {
    series_.Reset();
  }
  Inc(out.up ? counters.scrapes_success : counters.scrapes_failure);
  Inc(counters.samples_scraped, out.samples_scraped);
  Inc(counters.stale_markers, out.stale_markers);
  {
    std::lock_guard<std::mutex> l(mu_);
    status_.health = out.up ? TargetHealth::kUp : TargetHealth::kDown;
    status_.last_error = out.error;
    status_.last_scrape_ms = now_ms;
    status_.last_duration_seconds = out.duration_seconds;
  }
  return out;
}

void ScrapeTarget::Retire(MetricsStore& store, int64_t now_ms) {
  std::lock_guard<std::mutex> scrape_lock(scrape_mu_);
  if (retired_) return;
  retired_ = true;
  conn_.reset();
  std::unique_ptr<MetricsAppender> app = store.Appender();
  uint64_t n = AppendStale(*app, now_ms, /*all_previous=*/true);
  if (reported_) {
    for (const Labels& series : report_series_) AppendOne(*app, series, {now_ms, StaleNaN()});
  }
  if (absl::Status st = app->Commit(); !st.ok()) {
    LogWarn(
        "scrape", "writing staleness markers for a removed target failed",
        {{"job", job_name_}, {"url", labels_.scrape_url}, {"error", std::string(st.message())}});
  }
  series_.Reset();
  std::lock_guard<std::mutex> l(mu_);
  Inc(counters_.stale_markers, n);
}

}  // namespace vigil
