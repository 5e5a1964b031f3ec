#include "ingest/scrape/scrape_manager.h"

#include "absl/container/flat_hash_map.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {

ScrapeManager::ScrapeManager(MetricsStore& store, MetricsRegistry* registry,
                             ScrapeSettings settings)
    : store_(store),
      registry_(registry),
      ingest_(registry, "scrape"),
      scheduler_(settings.max_concurrent_scrapes) {
  if (registry != nullptr) {
    constexpr std::string_view kHelp = "Configured scrape targets, by state.";
    active_targets_ =
        &registry->GetGauge("vigil_scrape_targets", kHelp, Labels({{"state", "active"}}));
    dropped_targets_ =
        &registry->GetGauge("vigil_scrape_targets", kHelp, Labels({{"state", "dropped"}}));
  }
  Reload(std::move(settings));
}

ScrapeManager::~ScrapeManager() { Stop(); }

void ScrapeManager::ScheduleLocked(Active& a) {
  std::shared_ptr<ScrapeTarget> t = a.target;
  MetricsStore* store = &store_;
  const int64_t interval = t->labels().interval_ms;
  const int64_t first = IntervalScheduler::AlignedStart(NowMs(), interval, t->key() ^ jitter_seed_);
  a.task_id = scheduler_.Add(interval, first, [t, store] { t->Scrape(*store, NowMs()); });
}

void ScrapeManager::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (Active& a : targets_) ScheduleLocked(a);
  scheduler_.Start();
  LogInfo("scrape", "scraping started", {{"targets", StrCat(targets_.size())}});
}

void ScrapeManager::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  scheduler_.Stop();
}

void ScrapeManager::Reload(ScrapeSettings settings) {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  std::vector<Pool> pools;
  std::vector<std::pair<size_t, TargetLabels>> wanted;  // (pool index, target)
  size_t dropped = 0;
  for (ScrapeJobConfig& job : settings.jobs) {
    auto cfg = std::make_shared<const ScrapeJobConfig>(std::move(job));
    JobTargets jt = BuildJobTargets(*cfg);
    for (const std::string& e : jt.errors) {
      LogWarn("scrape", "skipping a target that cannot be scraped", {{"error", e}});
    }
    for (TargetLabels& t : jt.active) wanted.emplace_back(pools.size(), std::move(t));
    dropped += jt.dropped.size();
    pools.push_back({cfg, ScrapeJobCounters(registry_, cfg->job_name), std::move(jt.dropped)});
  }

  std::vector<Active> retired;
  {
    std::lock_guard<std::mutex> l(mu_);
    jitter_seed_ = settings.global.external_labels.Hash();
    absl::flat_hash_map<uint64_t, size_t> old_index;
    for (size_t i = 0; i < targets_.size(); ++i) old_index.emplace(targets_[i].target->key(), i);
    std::vector<bool> kept(targets_.size(), false);
    std::vector<Active> next;
    next.reserve(wanted.size());
    for (auto& [pool_index, labels] : wanted) {
      const Pool& pool = pools[pool_index];
      auto it = old_index.find(ScrapeTarget::KeyOf(pool.job->job_name, labels.labels));
      if (it != old_index.end() && !kept[it->second]) {
        kept[it->second] = true;
        Active& a = targets_[it->second];
        a.target->SetJob(pool.job, pool.counters);
        next.push_back(a);
        continue;
      }
      Active a;
      a.target =
          std::make_shared<ScrapeTarget>(std::move(labels), pool.job, pool.counters, &ingest_);
      if (started_ && !stopped_) ScheduleLocked(a);
      next.push_back(std::move(a));
    }
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (!kept[i]) retired.push_back(targets_[i]);
    }
    targets_ = std::move(next);
    pools_ = std::move(pools);
    if (active_targets_ != nullptr) active_targets_->Set(static_cast<double>(targets_.size()));
    if (dropped_targets_ != nullptr) dropped_targets_->Set(static_cast<double>(dropped));
  }
  // Outside the lock: Remove waits for a running scrape of the target to end.
  const int64_t now = NowMs();
  for (Active& a : retired) {
    if (a.task_id != 0) scheduler_.Remove(a.task_id);
    a.target->Retire(store_, now);
  }
}

absl::StatusOr<ScrapeOutcome> ScrapeManager::ScrapeOnce(std::string_view job,
                                                        std::string_view instance, int64_t now_ms) {
  std::shared_ptr<ScrapeTarget> target;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const Active& a : targets_) {
      if (a.target->job_name() == job && a.target->instance() == instance) {
        target = a.target;
        break;
      }
    }
  }
  if (target == nullptr) {
    return absl::NotFoundError(StrCat("no active target with job ", QuoteString(job),
                                      " and instance ", QuoteString(instance)));
  }
  return target->Scrape(store_, now_ms);
}

TargetsSnapshot ScrapeManager::Targets() const {
  TargetsSnapshot s;
  std::lock_guard<std::mutex> l(mu_);
  for (const Pool& p : pools_) {
    s.job_names.push_back(p.job->job_name);
    for (const DroppedTarget& d : p.dropped) s.dropped.push_back({p.job->job_name, d.discovered});
  }
  s.active.reserve(targets_.size());
  for (const Active& a : targets_) {
    const TargetLabels& t = a.target->labels();
    s.active.push_back({std::string(a.target->job_name()), t.discovered, t.public_labels,
                        t.scrape_url, t.interval_ms, t.timeout_ms, a.target->status()});
  }
  return s;
}

}  // namespace vigil
