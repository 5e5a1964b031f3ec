#include "storage/metrics/head/head_appender.h"

#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {

std::unique_ptr<MetricsAppender> Head::Appender(HeadLog log) {
  return std::make_unique<HeadAppender>(*this, std::move(log));
}

HeadAppender::HeadAppender(Head& head, HeadLog log)
    : head_(head), log_(std::move(log)), now_ms_(NowMs()) {}

HeadAppender::~HeadAppender() { Release(); }

void HeadAppender::Release() {
  for (MemSeries* s : pinned_) head_.Unpin(s);
  pinned_.clear();
  for (Hint& h : hints_) DropCandidate(h);
  hints_seen_ = 0;
  pending_.clear();
  samples_.clear();
  exemplars_.clear();
  done_ = true;
}

void HeadAppender::DropCandidate(Hint& h) {
  if (h.candidate != nullptr) head_.Unpin(h.candidate);
  h.candidate = nullptr;
}

void HeadAppender::Prefetch(std::string_view packed_hint) {
  if (packed_hint.empty()) return;
  uint64_t hash = head_.HashOf(packed_hint);
  head_.PrefetchSlot(hash);
  constexpr size_t kHalf = kPrefetchAhead / 2;
  if (hints_seen_ >= kHalf) {
    Hint& half = hints_[(hints_seen_ - kHalf) % kHints];
    if (half.candidate == nullptr) half.candidate = head_.PrefetchSeries(half.hash);
  }
  Hint& slot = hints_[hints_seen_ % kHints];
  DropCandidate(slot);  // hinted but never looked up
  slot = {packed_hint.data(), packed_hint.size(), hash, nullptr};
  ++hints_seen_;
}

HeadAppender::Hint* HeadAppender::FindHint(std::string_view packed) {
  // Identity of the bytes, not equality: the hint and the lookup pass the same request
  // buffer. The oldest hint is the likeliest match, so the scan starts there.
  for (size_t i = 0; i < kHints; ++i) {
    Hint& h = hints_[(hints_seen_ + i) % kHints];
    if (h.data == packed.data() && h.size == packed.size()) return &h;
  }
  return nullptr;
}

absl::StatusOr<SeriesRef> HeadAppender::GetOrCreate(std::span<const LabelView> labels,
                                                    std::string_view packed_hint) {
  std::optional<uint64_t> hash;
  if (hints_seen_ > 0 && !packed_hint.empty()) {
    if (Hint* h = FindHint(packed_hint)) {
      hash = h->hash;
      // The series the hash led to, pinned while prefetching: it is this one when its label
      // bytes are these (the usual case); another one only on a hash collision.
      if (MemSeries* c = h->candidate; c != nullptr && c->labels.packed() == packed_hint) {
        h->candidate = nullptr;
        pinned_.push_back(c);
        return c->ref;
      }
      DropCandidate(*h);
    }
  }
  Head::Lookup l = head_.GetOrCreatePinned(labels, packed_hint, hash);
  if (l.needs_labels) return absl::NotFoundError("no series has these packed labels");
  if (l.series == nullptr) {
    // The caller knows how many samples the series carried and records them as rejected.
    switch (l.reason) {
      case RejectReason::kInvalidLabels:
        return absl::InvalidArgumentError(l.detail);
      case RejectReason::kDeniedLabel:
        return absl::PermissionDeniedError(l.detail);
      default:
        return absl::ResourceExhaustedError(l.detail);
    }
  }
  pinned_.push_back(l.series);
  return l.series->ref;
}

MemSeries* HeadAppender::Resolve(SeriesRef ref) {
  // The common pattern is GetOrCreate immediately followed by Append for the same series.
  if (!pinned_.empty() && pinned_.back()->ref == ref) return pinned_.back();
  MemSeries* s = head_.GetPinned(ref);
  if (s != nullptr) pinned_.push_back(s);
  return s;
}

void HeadAppender::Reject(RejectReason reason, const MemSeries& s, int64_t t, uint64_t n) {
  if (stats_.first_error.empty()) {
    stats_.Reject(reason, n,
                  StrCat(RejectReasonMessage(reason), " for series ", s.labels.ToString(),
                         " at timestamp ", t));
  } else {
    stats_.rejected[static_cast<size_t>(reason)] += n;
  }
  if (Counter* c = head_.rejected[static_cast<size_t>(reason)]) c->Inc(n);
}

void HeadAppender::Append(SeriesRef ref, std::span<const Sample> samples) {
  if (samples.empty()) return;
  MemSeries* s = Resolve(ref);
  if (s == nullptr) return;  // the ref was not handed out by this store
  int64_t prev_t;
  uint64_t prev_bits;
  if (!pending_.empty() && pending_.back().series == s &&
      pending_.back().end > pending_.back().begin) {
    const Sample& last = samples_[pending_.back().end - 1];
    prev_t = last.t;
    prev_bits = std::bit_cast<uint64_t>(last.v);
  } else {
    // Read without the series lock: Commit checks order again under it.
    prev_t = s->max_time.load(std::memory_order_relaxed);
    prev_bits = s->last_value_bits.load(std::memory_order_relaxed);
  }
  const int64_t now = now_ms_;
  uint32_t begin = static_cast<uint32_t>(samples_.size());
  for (const Sample& smp : samples) {
    bool dup;
    if (auto reason = head_.CheckAppendable(prev_t, prev_bits, smp.t, smp.v, now, &dup)) {
      Reject(*reason, *s, smp.t, 1);
      continue;
    }
    if (dup) continue;  // an identical resend: nothing to store, nothing wrong
    samples_.push_back(smp);
    prev_t = smp.t;
    prev_bits = std::bit_cast<uint64_t>(smp.v);
  }
  uint32_t end = static_cast<uint32_t>(samples_.size());
  if (end == begin) return;
  if (!pending_.empty() && pending_.back().series == s && pending_.back().end == begin) {
    pending_.back().end = end;
  } else {
    pending_.push_back({s, begin, end});
  }
}

void HeadAppender::AppendExemplar(SeriesRef ref, const Exemplar& e) {
  MemSeries* s = Resolve(ref);
  if (s == nullptr) return;
  exemplars_.emplace_back(s, e);
}

absl::Status HeadAppender::Commit() {
  if (done_) return absl::FailedPreconditionError("appender already committed or rolled back");
  std::shared_lock gate(head_.commit_gate());
  // A flush may have raised the head's lower bound since Append checked it.
  const int64_t min_valid = head_.MinValidTime();
  HeadCommitBatch batch;
  batch.samples.reserve(samples_.size());
  for (auto& p : pending_) {
    if (!p.series->logged.load(std::memory_order_acquire)) batch.new_series.push_back(p.series);
    uint32_t kept = p.begin;
    for (uint32_t i = p.begin; i < p.end; ++i) {
      const Sample& smp = samples_[i];
      if (smp.t < min_valid) {
        Reject(RejectReason::kOutOfBounds, *p.series, smp.t, 1);
        continue;
      }
      samples_[kept++] = smp;
      batch.samples.push_back({p.series->ref, smp.t, smp.v});
    }
    p.end = kept;
  }
  for (auto& [s, e] : exemplars_) {
    if (!s->logged.load(std::memory_order_acquire)) batch.new_series.push_back(s);
    batch.exemplars.emplace_back(s->ref, &e);
  }
  if (log_ && (!batch.samples.empty() || !batch.exemplars.empty() || !batch.new_series.empty())) {
    absl::Status st = log_(batch);
    if (!st.ok()) {
      LogError("head", "write-ahead log write failed; batch not applied",
               {{"error", std::string(st.message())}});
      Release();
      return st;
    }
  }
  for (const MemSeries* s : batch.new_series) {
    const_cast<MemSeries*>(s)->logged.store(true, std::memory_order_release);
  }
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  uint64_t applied = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    // The series a few positions on (its lock and newest sample), then, once that is in
    // cache, the head and tail of its open chunk, so that their cache misses overlap this
    // one's work.
    constexpr size_t kAhead = 4;
    if (i + kAhead < pending_.size()) {
      const char* next = reinterpret_cast<const char*>(pending_[i + kAhead].series);
      for (size_t off = 0; off < sizeof(MemSeries); off += 64) __builtin_prefetch(next + off, 1);
    }
    if (i + kAhead / 2 < pending_.size()) {
      const MemSeries* next = pending_[i + kAhead / 2].series;
      const uint8_t* chunk = next->open_bytes_hint.load(std::memory_order_relaxed);
      uint32_t size = next->open_size_hint.load(std::memory_order_relaxed);
      if (chunk != nullptr) {
        // Integer arithmetic: the address may be stale, so it is never dereferenced.
        auto at = reinterpret_cast<uintptr_t>(chunk);
        __builtin_prefetch(reinterpret_cast<const void*>(at), 1);
        __builtin_prefetch(reinterpret_cast<const void*>(at + size), 1);
      }
    }
    const Pending& p = pending_[i];
    if (p.end == p.begin) continue;
    MemSeries& s = *p.series;
    std::lock_guard lock(s.mu);
    for (uint32_t i = p.begin; i < p.end; ++i) {
      const Sample& smp = samples_[i];
      // Another appender may have committed newer samples of this series meanwhile.
      const int64_t max_time = s.max_time.load(std::memory_order_relaxed);
      if (smp.t <= max_time) {
        Reject(smp.t == max_time ? RejectReason::kDuplicate : RejectReason::kOutOfOrder, s, smp.t,
               1);
        continue;
      }
      head_.AppendLocked(s, smp.t, smp.v);
      ++applied;
    }
    mint = std::min(mint, samples_[p.begin].t);
    maxt = std::max(maxt, samples_[p.end - 1].t);
  }
  for (auto& [s, e] : exemplars_) head_.AddExemplar(*s, e);
  if (applied > 0) head_.ExtendTimeBounds(mint, maxt);
  stats_.accepted += applied;
  if (head_.samples_appended) head_.samples_appended->Inc(applied);
  Release();
  return absl::OkStatus();
}

void HeadAppender::Rollback() { Release(); }

}  // namespace vigil
