#include "ingest/probe/probe_manager.h"

#include <functional>

#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {

ProbeManager::ProbeManager(MetricsStore& store, MetricsRegistry* registry,
                           std::vector<ProbeConfig> probes, int max_concurrent_probes)
    : store_(store), scheduler_(max_concurrent_probes) {
  for (ProbeConfig& c : probes)
    probers_.push_back(std::make_shared<Prober>(std::move(c), registry));
}

ProbeManager::~ProbeManager() { Stop(); }

void ProbeManager::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  const int64_t now = NowMs();
  for (const auto& p : probers_) {
    const int64_t interval = p->config().interval_ms;
    const uint64_t phase = std::hash<std::string>{}(p->config().name);
    MetricsStore* store = &store_;
    scheduler_.Add(interval, IntervalScheduler::AlignedStart(now, interval, phase),
                   [p, store] { p->Run(*store, NowMs()); });
  }
  scheduler_.Start();
  if (!probers_.empty())
    LogInfo("probe", "health probes started", {{"probes", StrCat(probers_.size())}});
}

void ProbeManager::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  scheduler_.Stop();
}

absl::StatusOr<ProbeOutcome> ProbeManager::RunOnce(std::string_view name, int64_t now_ms) {
  for (const auto& p : probers_) {
    if (p->config().name == name) return p->Run(store_, now_ms);
  }
  return absl::NotFoundError(StrCat("no probe named ", QuoteString(name)));
}

std::vector<ProbeStatus> ProbeManager::Statuses() const {
  std::vector<ProbeStatus> out;
  out.reserve(probers_.size());
  for (const auto& p : probers_) out.push_back(p->status());
  return out;
}

}  // namespace vigil
