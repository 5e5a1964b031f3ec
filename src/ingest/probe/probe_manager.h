// ProbeManager: runs every configured health probe on its interval (see prober.h for what a
// run writes) on a small worker pool, each probe at a fixed phase within its interval
// derived from its name, so restarts keep the spacing.
//
// Lifecycle: construct, Start(), Stop() (also run by the destructor; cannot be restarted).
// RunOnce works with or without Start. There is no Reload: to change probes, stop this
// manager and build a new one.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/self_metrics.h"
#include "ingest/probe/prober.h"
#include "ingest/scrape/interval_scheduler.h"
#include "storage/metrics_store.h"

namespace vigil {

class ProbeManager {
 public:
  ProbeManager(MetricsStore& store, MetricsRegistry* registry, std::vector<ProbeConfig> probes,
               int max_concurrent_probes = 8);
  ~ProbeManager();
  ProbeManager(const ProbeManager&) = delete;
  ProbeManager& operator=(const ProbeManager&) = delete;

  void Start();
  void Stop();

  // Runs the probe named `name` now, with `now_ms` as the sample time. NotFound when no
  // probe has that name.
  absl::StatusOr<ProbeOutcome> RunOnce(std::string_view name, int64_t now_ms);

  std::vector<ProbeStatus> Statuses() const;

 private:
  MetricsStore& store_;
  std::vector<std::shared_ptr<Prober>> probers_;  // immutable after construction
  IntervalScheduler scheduler_;
  std::mutex mu_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace vigil
