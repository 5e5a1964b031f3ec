#include "ingest/otlp_metrics/delta_to_cumulative.h"

#include <algorithm>
#include <vector>

#include "common/strings.h"

namespace vigil {

DeltaToCumulative::DeltaToCumulative(size_t max_series)
    : max_series_(std::max<size_t>(max_series, 1)) {}

size_t DeltaToCumulative::size() const {
  std::lock_guard lock(mu_);
  return series_.size();
}

const DeltaToCumulative::Session::Staged* DeltaToCumulative::Session::Find(std::string_view key) {
  if (!lock_.owns_lock()) lock_ = std::unique_lock(owner_.mu_);
  if (auto it = staged_.find(ToAbsl(key)); it != staged_.end()) return &it->second;
  if (auto it = owner_.series_.find(ToAbsl(key)); it != owner_.series_.end()) {
    // Copied into the stage so that later reads and Add see one place.
    return &staged_.emplace(std::string(key), Staged{it->second.total, it->second.last_t})
                .first->second;
  }
  return nullptr;
}

bool DeltaToCumulative::Session::CanAdd(std::string_view key, int64_t t_ms, int64_t* last_t_ms) {
  const Staged* s = Find(key);
  if (s == nullptr || t_ms >= s->last_t) return true;
  *last_t_ms = s->last_t;
  return false;
}

double DeltaToCumulative::Session::Add(std::string_view key, int64_t t_ms, double delta) {
  Find(key);
  auto [it, inserted] = staged_.try_emplace(std::string(key), Staged{0, t_ms});
  it->second.total += delta;
  it->second.last_t = std::max(it->second.last_t, t_ms);
  return it->second.total;
}

void DeltaToCumulative::Session::Commit() {
  if (!lock_.owns_lock()) return;  // nothing was read or staged
  const uint64_t now = ++owner_.clock_;
  for (auto& [key, s] : staged_) {
    State& st = owner_.series_[key];
    st.total = s.total;
    st.last_t = s.last_t;
    st.last_used = now;
  }
  staged_.clear();
  owner_.EvictLocked();
  lock_.unlock();
}

void DeltaToCumulative::EvictLocked() {
  if (series_.size() <= max_series_) return;
  // Drop the least recently used tenth at once (at least down to the limit), so the O(n) scan
  // is paid once per many insertions.
  const size_t drop = std::max(series_.size() - max_series_, series_.size() / 10);
  std::vector<uint64_t> ages;
  ages.reserve(series_.size());
  for (const auto& [key, st] : series_) ages.push_back(st.last_used);
  std::nth_element(ages.begin(), ages.begin() + static_cast<ptrdiff_t>(drop - 1), ages.end());
  const uint64_t cutoff = ages[drop - 1];
  const size_t target = series_.size() - drop;
  absl::erase_if(series_, [&](const auto& kv) { return kv.second.last_used < cutoff; });
  // A request's series share one clock value: of those at the cutoff, drop only as many as
  // needed.
  for (auto it = series_.begin(); it != series_.end() && series_.size() > target;) {
    if (it->second.last_used == cutoff) {
      series_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace vigil
