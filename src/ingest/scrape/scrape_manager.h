// ScrapeManager: scrapes every target of a ScrapeSettings on its job's interval and writes
// the results into a MetricsStore (see scrape_target.h for what one scrape does).
//
// Scheduling: targets run on an IntervalScheduler with at most
// ScrapeSettings::max_concurrent_scrapes scrapes at once. Each target's first scrape is
// offset within its interval by a hash of its labels (and of the external labels), so load
// is spread and a target keeps its phase across restarts, as in Prometheus.
//
// Reload replaces the settings: targets whose labels are unchanged keep their state (the
// previous scrape's series, health) and take the new job settings; targets that disappeared
// stop and get staleness markers for everything they wrote; new targets start. Stop() ends
// all scraping without staleness markers, as Prometheus does on shutdown.
//
// Lifecycle: construct (targets are built, nothing runs), Start(), Reload()…, Stop() (also
// run by the destructor; cannot be restarted). ScrapeOnce works with or without Start.
//
// Thread-safety: all methods are thread-safe; Reload calls are serialized.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/self_metrics.h"
#include "ingest/common/series_writer.h"
#include "ingest/scrape/interval_scheduler.h"
#include "ingest/scrape/scrape_config.h"
#include "ingest/scrape/scrape_target.h"
#include "storage/metrics_store.h"

namespace vigil {

// What /api/v1/targets shows about one active target.
struct ActiveTargetInfo {
  std::string scrape_pool;  // job name
  Labels discovered_labels;
  Labels labels;  // public labels (no "__" names)
  std::string scrape_url;
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;
  TargetStatus status;
};

struct DroppedTargetInfo {
  std::string scrape_pool;
  Labels discovered_labels;
};

struct TargetsSnapshot {
  std::vector<ActiveTargetInfo> active;
  std::vector<DroppedTargetInfo> dropped;
  std::vector<std::string> job_names;  // every configured job, in config order
};

class ScrapeManager {
 public:
  ScrapeManager(MetricsStore& store, MetricsRegistry* registry, ScrapeSettings settings);
  ~ScrapeManager();
  ScrapeManager(const ScrapeManager&) = delete;
  ScrapeManager& operator=(const ScrapeManager&) = delete;

  void Start();
  void Stop();
  void Reload(ScrapeSettings settings);

  // Scrapes the active target of `job` whose `instance` label is `instance` right now, with
  // `now_ms` as the scrape time. NotFound when there is no such target.
  absl::StatusOr<ScrapeOutcome> ScrapeOnce(std::string_view job, std::string_view instance,
                                           int64_t now_ms);

  TargetsSnapshot Targets() const;

 private:
  struct Active {
    std::shared_ptr<ScrapeTarget> target;
    uint64_t task_id = 0;  // 0 while not scheduled
  };
  struct Pool {
    std::shared_ptr<const ScrapeJobConfig> job;
    ScrapeJobCounters counters;
    std::vector<DroppedTarget> dropped;
  };

  void ScheduleLocked(Active& a);

  MetricsStore& store_;
  MetricsRegistry* registry_;
  IngestCounters ingest_;
  IntervalScheduler scheduler_;
  Gauge* active_targets_ = nullptr;
  Gauge* dropped_targets_ = nullptr;

  std::mutex reload_mu_;   // serializes Reload
  mutable std::mutex mu_;  // guards the members below
  uint64_t jitter_seed_ = 0;
  std::vector<Pool> pools_;      // in config order
  std::vector<Active> targets_;  // in config order
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace vigil
