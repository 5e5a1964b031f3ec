#include "storage/metrics/head/head.h"

#include <algorithm>

#include "common/logging.h"
#include "common/strings.h"

namespace vigil {

Head::Head(HeadOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      hash_stripes_(std::make_unique<HashStripe[]>(kStripes)),
      ref_stripes_(std::make_unique<RefStripe[]>(kStripes)) {
  for (const auto& name : options_.label_denylist) denylist_.insert(name);
  if (metrics_) {
    samples_appended = &metrics_->GetCounter("vigil_tsdb_head_samples_appended_total",
                                             "Samples appended to the head.");
    series_created = &metrics_->GetCounter("vigil_tsdb_head_series_created_total",
                                           "Series created in the head.");
    series_removed = &metrics_->GetCounter("vigil_tsdb_head_series_removed_total",
                                           "Series removed from the head by garbage collection.");
    for (size_t i = 0; i < static_cast<size_t>(RejectReason::kCount); ++i) {
      rejected[i] = &metrics_->GetCounter(
          "vigil_samples_rejected_total", "Samples refused by the metrics store, by reason.",
          Labels({{"reason", std::string(RejectReasonName(static_cast<RejectReason>(i)))}}));
    }
  }
}

Head::~Head() = default;

std::optional<std::string> Head::CheckLimits(std::span<const LabelView> labels,
                                             RejectReason* reason) {
  if (options_.max_labels_per_series != 0 && labels.size() > options_.max_labels_per_series) {
    *reason = RejectReason::kSeriesLimit;
    return StrCat("series has ", labels.size(), " labels, more than the limit of ",
                  options_.max_labels_per_series);
  }
  for (const auto& l : labels) {
    if (options_.max_label_value_bytes != 0 && l.value.size() > options_.max_label_value_bytes) {
      *reason = RejectReason::kSeriesLimit;
      return StrCat("value of label \"", l.name, "\" is ", l.value.size(),
                    " bytes, more than the limit of ", options_.max_label_value_bytes);
    }
  }
  for (const auto& l : labels) {
    if (!denylist_.empty() && denylist_.contains(absl::string_view(l.name.data(), l.name.size()))) {
      *reason = RejectReason::kDeniedLabel;
      return StrCat("label name \"", l.name, "\" is on the denylist (high cardinality)");
    }
  }
  if (options_.max_series != 0 && num_series_.load() >= options_.max_series) {
    *reason = RejectReason::kSeriesLimit;
    return StrCat("the head already holds ", options_.max_series, " series (limit)");
  }
  if (options_.max_series_per_metric != 0) {
    std::string_view metric;
    for (const auto& l : labels) {
      if (l.name == kMetricName) metric = l.value;
    }
    std::lock_guard lock(limits_mu_);
    auto it = series_per_metric_.find(absl::string_view(metric.data(), metric.size()));
    if (it != series_per_metric_.end() && it->second >= options_.max_series_per_metric) {
      *reason = RejectReason::kSeriesLimit;
      return StrCat("metric \"", metric, "\" already has ", options_.max_series_per_metric,
                    " series (per-metric limit)");
    }
  }
  return std::nullopt;
}

void Head::CountMetricSeries(std::string_view metric, int delta) {
  if (options_.max_series_per_metric == 0) return;
  std::lock_guard lock(limits_mu_);
  auto& n = series_per_metric_[absl::string_view(metric.data(), metric.size())];
  n += delta;
}

MemSeries* Head::Insert(uint64_t hash, SeriesRef ref, Labels labels) {
  auto owned = std::make_unique<MemSeries>(ref, std::move(labels));
  MemSeries* s = owned.get();
  {
    RefStripe& rs = ref_stripes_[ref % kStripes];
    std::lock_guard lock(rs.mu);
    rs.by_ref.emplace(ref, std::move(owned));
  }
  HashStripe& hs = hash_stripes_[hash % kStripes];
  if (!hs.by_hash.emplace(hash, SlotOf(s)).second) hs.collisions[hash].push_back(s);
  postings_.Add(ref, s->labels);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  CountMetricSeries(s->labels.MetricName(), 1);
  if (series_created) series_created->Inc();
  return s;
}

uint64_t Head::HashOf(std::string_view packed) const {
  return options_.label_hash ? options_.label_hash(packed) : HashPacked(packed);
}

MemSeries* Head::FindLocked(HashStripe& hs, uint64_t hash, std::string_view packed) {
  auto it = hs.by_hash.find(hash);
  if (it == hs.by_hash.end()) return nullptr;
  MemSeries* s = it->second.series;
  if (s->labels.packed() != packed) {
    s = nullptr;
    if (auto c = hs.collisions.find(hash); c != hs.collisions.end()) {
      for (MemSeries* other : c->second) {
        if (other->labels.packed() == packed) s = other;
      }
    }
  }
  if (s != nullptr) s->pins.fetch_add(1, std::memory_order_relaxed);
  return s;
}

void Head::PrefetchSlot(uint64_t hash) {
  HashStripe& hs = hash_stripes_[hash % kStripes];
  std::unique_lock lock(hs.mu, std::try_to_lock);
  if (lock.owns_lock()) hs.by_hash.prefetch(hash);
}

MemSeries* Head::PrefetchSeries(uint64_t hash) {
  HashStripe& hs = hash_stripes_[hash % kStripes];
  std::unique_lock lock(hs.mu, std::try_to_lock);
  if (!lock.owns_lock()) return nullptr;
  auto it = hs.by_hash.find(hash);
  if (it == hs.by_hash.end()) return nullptr;
  const SeriesSlot& slot = it->second;
  slot.series->pins.fetch_add(1, std::memory_order_relaxed);
  // The series' first lines (labels, pins, mutex, newest sample) and its label bytes.
  const char* series = reinterpret_cast<const char*>(slot.series);
  for (size_t off = 0; off < sizeof(MemSeries); off += 64) __builtin_prefetch(series + off, 1);
  for (size_t off = 0; off < slot.packed_size; off += 64) __builtin_prefetch(slot.packed + off);
  return slot.series;
}

Head::Lookup Head::GetOrCreatePinned(std::span<const LabelView> labels,
                                     std::string_view packed_hint,
                                     std::optional<uint64_t> hint_hash) {
  // Fast path: the client's own label bytes are the key of an existing series.
  if (!packed_hint.empty()) {
    uint64_t hash = hint_hash ? *hint_hash : HashOf(packed_hint);
    HashStripe& hs = hash_stripes_[hash % kStripes];
    std::lock_guard lock(hs.mu);
    if (MemSeries* s = FindLocked(hs, hash, packed_hint)) return {s, false};
    if (labels.empty()) return Lookup{nullptr, false, RejectReason::kInvalidLabels, {}, true};
  }
  // Packed once: the hash and the comparison with a candidate are then single passes over
  // contiguous bytes.
  thread_local std::vector<LabelView> sorted_copy;
  std::span<const LabelView> sorted_labels = labels;
  auto by_name = [](const LabelView& a, const LabelView& b) { return a.name < b.name; };
  if (!std::is_sorted(labels.begin(), labels.end(), by_name)) {
    sorted_copy.assign(labels.begin(), labels.end());
    std::sort(sorted_copy.begin(), sorted_copy.end(), by_name);
    sorted_labels = sorted_copy;
  }
  thread_local std::string packed;
  packed.clear();
  PackLabels(sorted_labels, &packed);
  uint64_t hash = HashOf(packed);
  HashStripe& hs = hash_stripes_[hash % kStripes];
  std::lock_guard lock(hs.mu);
  if (MemSeries* s = FindLocked(hs, hash, packed)) return {s, false};
  Lookup out;
  // Only a label set the head has never seen needs validating: existing series were
  // validated when they were created.
  if (absl::Status valid = ValidateSeriesLabels(sorted_labels); !valid.ok()) {
    out.reason = RejectReason::kInvalidLabels;
    out.detail =
        StrCat(ToStd(valid.message()), " in series ", Labels::FromViews(sorted_labels).ToString());
    return out;
  }
  if (auto refusal = CheckLimits(sorted_labels, &out.reason)) {
    out.detail = std::move(*refusal);
    std::string metric;
    for (const auto& l : sorted_labels) {
      if (l.name == kMetricName) metric = std::string(l.value);
    }
    std::lock_guard llock(limits_mu_);
    if (limit_logged_.insert(metric).second) {
      LogWarn("head", "series refused by the cardinality guard",
              {{"metric", metric}, {"reason", out.detail}});
    }
    return out;
  }
  MemSeries* s = Insert(hash, next_ref_.fetch_add(1), Labels::FromPacked(packed));
  s->pins.fetch_add(1, std::memory_order_relaxed);
  out.series = s;
  out.created = true;
  return out;
}

MemSeries* Head::GetPinned(SeriesRef ref) {
  RefStripe& rs = ref_stripes_[ref % kStripes];
  std::lock_guard lock(rs.mu);
  auto it = rs.by_ref.find(ref);
  if (it == rs.by_ref.end()) return nullptr;
  it->second->pins.fetch_add(1, std::memory_order_relaxed);
  return it->second.get();
}

void Head::Unpin(MemSeries* s) { s->pins.fetch_sub(1, std::memory_order_relaxed); }

MemSeries* Head::CreateForReplay(SeriesRef ref, Labels labels) {
  if (MemSeries* existing = GetForReplay(ref)) return existing;
  uint64_t hash = HashOf(labels.packed());
  HashStripe& hs = hash_stripes_[hash % kStripes];
  std::lock_guard lock(hs.mu);
  SeriesRef next = next_ref_.load();
  while (next <= ref && !next_ref_.compare_exchange_weak(next, ref + 1)) {
  }
  return Insert(hash, ref, std::move(labels));
}

MemSeries* Head::GetForReplay(SeriesRef ref) {
  RefStripe& rs = ref_stripes_[ref % kStripes];
  std::lock_guard lock(rs.mu);
  auto it = rs.by_ref.find(ref);
  return it == rs.by_ref.end() ? nullptr : it->second.get();
}

std::optional<RejectReason> Head::CheckAppendable(int64_t prev_t, uint64_t prev_bits, int64_t t,
                                                  double v, int64_t now_ms, bool* dup) const {
  *dup = false;
  // As in Prometheus, the head accepts samples down to half a block range behind its newest
  // sample: older data would land in a range that may already be persisted.
  int64_t head_max = MaxTime();
  if (t < MinValidTime() || (head_max != INT64_MIN && t < head_max - options_.chunk_range_ms / 2)) {
    return RejectReason::kOutOfBounds;
  }
  if (options_.max_future_ms > 0 && t > now_ms + options_.max_future_ms) {
    return RejectReason::kTooFarInFuture;
  }
  if (t < prev_t) return RejectReason::kOutOfOrder;
  if (t == prev_t) {
    if (std::bit_cast<uint64_t>(v) == prev_bits) {
      *dup = true;
      return std::nullopt;
    }
    return RejectReason::kDuplicate;
  }
  return std::nullopt;
}

void Head::AppendLocked(MemSeries& s, int64_t t, double v) {
  if (!s.open.empty()) {
    // Cut the open chunk when full, or when t crosses a chunk-range boundary, so a block
    // range never has to split a chunk.
    int64_t range = options_.chunk_range_ms;
    auto floor_div = [](int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); };
    bool crosses = floor_div(t, range) != floor_div(s.open.first_t(), range);
    if (s.open.NumSamples() >= options_.samples_per_chunk || crosses) {
      auto bytes = s.open.bytes();
      s.closed.push_back({s.open.first_t(), s.open.last_t(), {bytes.begin(), bytes.end()}});
      s.open = chunkenc::XorChunk(32);
    }
  }
  s.open.Append(t, v);
  s.open_bytes_hint.store(s.open.bytes().data(), std::memory_order_relaxed);
  s.open_size_hint.store(static_cast<uint32_t>(s.open.size()), std::memory_order_relaxed);
  s.max_time.store(t, std::memory_order_relaxed);
  s.last_value_bits.store(std::bit_cast<uint64_t>(v), std::memory_order_relaxed);
}

void Head::SetMinValidTime(int64_t t) {
  int64_t cur = min_valid_time_.load();
  while (cur < t && !min_valid_time_.compare_exchange_weak(cur, t)) {
  }
}

void Head::ExtendTimeBounds(int64_t mint, int64_t maxt) {
  int64_t cur = min_time_.load();
  while (mint < cur && !min_time_.compare_exchange_weak(cur, mint)) {
  }
  cur = max_time_.load();
  while (maxt > cur && !max_time_.compare_exchange_weak(cur, maxt)) {
  }
}

uint64_t Head::NumChunks() const {
  uint64_t n = 0;
  for (size_t i = 0; i < kStripes; ++i) {
    RefStripe& rs = ref_stripes_[i];
    std::lock_guard lock(rs.mu);
    for (auto& [ref, s] : rs.by_ref) {
      std::lock_guard slock(s->mu);
      n += s->NumChunksLocked();
    }
  }
  return n;
}

void Head::ForEachSeries(std::span<const uint64_t> refs,
                         const std::function<void(MemSeries&)>& fn) {
  for (uint64_t ref : refs) {
    MemSeries* s = GetPinned(ref);
    if (s == nullptr) continue;
    fn(*s);
    Unpin(s);
  }
}

std::vector<SeriesRef> Head::AllRefs() const {
  std::vector<SeriesRef> out;
  out.reserve(NumSeries());
  for (size_t i = 0; i < kStripes; ++i) {
    RefStripe& rs = ref_stripes_[i];
    std::lock_guard lock(rs.mu);
    for (auto& [ref, s] : rs.by_ref) out.push_back(ref);
  }
  return out;
}

size_t Head::TruncateBefore(int64_t t) {
  std::vector<std::unique_ptr<MemSeries>> dead;
  std::vector<Labels> dead_labels;
  absl::flat_hash_set<uint64_t> dead_refs;
  // Drops the series' chunks before t; if nothing is left and no appender holds it, takes
  // it out of the ref map. The caller holds its hash stripe's lock.
  auto truncate = [&](MemSeries* s) {
    RefStripe& rs = ref_stripes_[s->ref % kStripes];
    std::lock_guard rlock(rs.mu);
    {
      std::lock_guard slock(s->mu);
      auto& c = s->closed;
      c.erase(
          std::remove_if(c.begin(), c.end(), [&](const ClosedChunk& ch) { return ch.maxt < t; }),
          c.end());
      if (!s->open.empty() && s->open.last_t() < t) s->open = chunkenc::XorChunk();
      if (!c.empty() || !s->open.empty() || s->pins.load() != 0) return false;
    }
    auto node = rs.by_ref.extract(s->ref);
    dead_refs.insert(s->ref);
    dead_labels.push_back(s->labels);
    dead.push_back(std::move(node.mapped()));
    return true;
  };
  for (size_t i = 0; i < kStripes; ++i) {
    HashStripe& hs = hash_stripes_[i];
    std::lock_guard hlock(hs.mu);
    for (auto it = hs.collisions.begin(); it != hs.collisions.end();) {
      std::erase_if(it->second, truncate);
      if (it->second.empty()) {
        hs.collisions.erase(it++);
      } else {
        ++it;
      }
    }
    for (auto it = hs.by_hash.begin(); it != hs.by_hash.end();) {
      if (!truncate(it->second.series)) {
        ++it;
        continue;
      }
      // Promote a colliding series into the slot, if there is one.
      auto c = hs.collisions.find(it->first);
      if (c != hs.collisions.end()) {
        it->second = SlotOf(c->second.back());
        c->second.pop_back();
        if (c->second.empty()) hs.collisions.erase(c);
        ++it;
      } else {
        hs.by_hash.erase(it++);
      }
    }
  }
  if (!dead.empty()) {
    postings_.Delete(dead_refs, dead_labels);
    num_series_.fetch_sub(dead.size());
    for (const auto& l : dead_labels) CountMetricSeries(l.MetricName(), -1);
    if (series_removed) series_removed->Inc(dead.size());
  }
  RecomputeMinTime();
  return dead.size();
}

void Head::RecomputeMinTime() {
  int64_t mint = INT64_MAX;
  for (size_t i = 0; i < kStripes; ++i) {
    RefStripe& rs = ref_stripes_[i];
    std::lock_guard lock(rs.mu);
    for (auto& [ref, s] : rs.by_ref) {
      std::lock_guard slock(s->mu);
      mint = std::min(mint, s->MinTimeLocked());
    }
  }
  min_time_.store(mint);
  if (mint == INT64_MAX) max_time_.store(INT64_MIN);
}

void Head::AddExemplar(MemSeries& s, const Exemplar& e) {
  std::lock_guard lock(s.mu);
  if (!s.exemplars) s.exemplars = std::make_unique<ExemplarRing>(options_.exemplars_per_series);
  s.exemplars->Add(e);
}

void Head::DeleteRange(MemSeries& s, int64_t mint, int64_t maxt) {
  std::lock_guard lock(s.mu);
  std::vector<Sample> all;
  s.SamplesLocked(INT64_MIN, INT64_MAX, &all);
  s.closed.clear();
  s.open = chunkenc::XorChunk();
  int64_t keep_max = s.max_time.load();
  for (const Sample& smp : all) {
    if (smp.t >= mint && smp.t <= maxt) continue;
    AppendLocked(s, smp.t, smp.v);
  }
  // The newest time stays as it was, so a deleted range cannot be re-filled out of order.
  s.max_time.store(keep_max);
}

}  // namespace vigil
