// Prober: one configured health probe and what a single run of it does.
//
// A run sends `method url` with the probe's timeout on a fresh connection (so connect time
// is part of what is measured, as a blackbox prober measures it) and writes, with labels
// {probe=<name>, instance=<url>} plus the configured labels, at the run's time:
//   probe_success            1 when the request completed with an expected status, else 0
//   probe_duration_seconds   the request's wall time, failures included
//   probe_http_status_code   the response status, 0 when no response arrived
//   probe_health_status      when the body is a JSON health document with a known status:
//                            1 healthy, 0.5 degraded, 0 unhealthy (see health_body.h)
//   probe_check_up{check=…}  one series per check of that document: 1 up, 0 otherwise
// The body is read for health whatever the status code (an unhealthy service often answers
// 503 with its report). A series written by the previous run and not by this one (a check
// that went away, a body that stopped being JSON) gets a staleness marker.
//
// Thread-safety: Run calls are serialized internally; status() may be called anytime.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/self_metrics.h"
#include "http/http_client.h"
#include "ingest/probe/health_body.h"
#include "ingest/probe/probe_config.h"
#include "ingest/scrape/staleness_tracker.h"
#include "storage/metrics_store.h"

namespace vigil {

struct ProbeOutcome {
  bool success = false;
  int status_code = 0;
  double duration_seconds = 0;
  std::string error;  // empty on success
  std::optional<double> health;
  std::vector<std::pair<std::string, bool>> checks;
  uint64_t stale_markers = 0;
};

struct ProbeStatus {
  std::string name;
  std::string url;
  int64_t last_run_ms = 0;  // 0: never ran
  bool success = false;
  std::string last_error;
  std::optional<double> health;
};

class Prober {
 public:
  Prober(ProbeConfig config, MetricsRegistry* registry);

  ProbeOutcome Run(MetricsStore& store, int64_t now_ms);

  const ProbeConfig& config() const { return config_; }
  ProbeStatus status() const;

 private:
  void Write(MetricsAppender& app, const Labels& series, int64_t t, double v);

  const ProbeConfig config_;
  Labels base_;  // probe, instance and the configured labels
  Labels success_series_, duration_series_, status_code_series_, health_series_;
  HttpClient client_;
  Counter* runs_success_ = nullptr;
  Counter* runs_failure_ = nullptr;

  std::mutex run_mu_;  // one run at a time; guards the members below
  HealthBodyParser health_parser_;
  StalenessTracker series_;
  std::vector<LabelView> views_;

  mutable std::mutex mu_;  // guards status_
  ProbeStatus status_;
};

}  // namespace vigil
