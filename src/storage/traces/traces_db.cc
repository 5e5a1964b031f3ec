#include "storage/traces/traces_db.h"

#include <algorithm>
#include <deque>
#include <filesystem>

#include "common/file_util.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/traces/span_codec.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSegmentSuffix = ".tseg";

std::string SegmentName(uint64_t cut, int wal_upto) {
  std::string n = StrCat(cut);
  return StrCat(std::string(n.size() < 8 ? 8 - n.size() : 0, '0'), n, "-", wal_upto,
                kSegmentSuffix);
}

// "<cut>-<wal upto>.tseg" -> its numbers.
bool ParseSegmentName(std::string_view name, uint64_t* cut, int64_t* wal_upto) {
  if (!name.ends_with(kSegmentSuffix)) return false;
  name.remove_suffix(kSegmentSuffix.size());
  size_t dash = name.find('-');
  return dash != std::string_view::npos && ParseUint64(name.substr(0, dash), cut) &&
         ParseInt64(name.substr(dash + 1), wal_upto);
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

TracesDb::TracesDb(Key, TracesDbOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)) {
  if (metrics) {
    spans_accepted_ = &metrics->GetCounter("vigil_traces_ingested_spans_total",
                                           "Spans accepted into the trace store.");
    for (size_t r = 0; r < spans_rejected_.size(); ++r) {
      spans_rejected_[r] = &metrics->GetCounter(
          "vigil_traces_rejected_spans_total", "Spans refused, by reason.",
          Labels{{"reason", std::string(SpanRejectReasonName(static_cast<SpanRejectReason>(r)))}});
    }
    cuts_ = &metrics->GetCounter("vigil_traces_head_cuts_total", "Trace heads written as segments.");
    sampled_out_ = &metrics->GetCounter("vigil_traces_sampled_out_spans_total",
                                        "Spans of traces the tail sampler did not keep.");
    segments_deleted_ = &metrics->GetCounter("vigil_traces_segments_deleted_total",
                                             "Trace segments deleted by retention.");
    append_waits_ = &metrics->GetCounter(
        "vigil_traces_append_waits_total",
        "Appends that waited for a head cut to catch up (back-pressure).");
  }
}

absl::StatusOr<std::unique_ptr<TracesDb>> TracesDb::Open(const TracesDbOptions& options,
                                                         MetricsRegistry* metrics) {
  std::error_code ec;
  fs::create_directories(options.dir + "/segments", ec);
  if (ec) {
    return absl::UnavailableError(StrCat("cannot create trace store directory ",
                                         QuoteString(options.dir), ": ", ec.message()));
  }
  auto db = std::make_unique<TracesDb>(Key{}, options, metrics);
  WalOptions wo;
  wo.sync = options.wal_sync;
  wo.fsync_seconds = WalFsyncHistogram(metrics, "traces");
  auto wal = Wal::Open(options.dir + "/wal", wo);
  if (!wal.ok()) return wal.status();
  db->wal_ = std::move(*wal);
  db->head_ = std::make_shared<traces::TraceHead>(MonotonicNs());
  if (absl::Status st = db->Load(); !st.ok()) return st;
  if (absl::Status st = db->Replay(); !st.ok()) return st;
  if (metrics) {
    TracesDb* raw = db.get();
    metrics->AddGaugeFunc("vigil_traces_head_spans", "Spans in the head (not yet in segments).",
                          {}, [raw] { return static_cast<double>(raw->Stats().head_spans); });
    metrics->AddGaugeFunc("vigil_traces_segments", "Trace segments on disk.", {},
                          [raw] { return static_cast<double>(raw->Stats().segments); });
  }
  if (options.background) {
    db->maintenance_.Start(options.maintenance_interval_ns, [p = db.get()] { p->Maintain(); });
  }
  return db;
}

TracesDb::~TracesDb() {
  if (absl::Status st = Close(); !st.ok()) {
    LogError("traces", "closing the trace store failed", {{"error", std::string(st.message())}});
  }
}

absl::Status TracesDb::Close() {
  if (closed_.exchange(true)) return absl::OkStatus();
  {
    std::lock_guard lock(mu_);  // waiting appenders see closed_ and go on
  }
  cut_done_.notify_all();
  maintenance_.Stop();
  absl::Status st = CutHead();
  absl::Status wst = wal_->Close();
  return st.ok() ? wst : st;
}

// ---- appending ------------------------------------------------------------------------------

absl::StatusOr<SpanAppendStats> TracesDb::Append(const SpanBatch& batch) {
  SpanAppendStats stats;
  const int64_t now = NowNs();
  const int64_t oldest = now - options_.retention_ns;
  const int64_t newest = now + options_.max_future_ns;
  thread_local std::vector<uint32_t> accepted;
  accepted.clear();
  for (uint32_t i = 0; i < batch.size(); ++i) {
    const SpanBatch::Entry& e = batch.spans()[i];
    if (e.end_ns < oldest) {
      stats.Reject(SpanRejectReason::kTooOld, i,
                   StrCat("span ", SpanIdHex(e.span_id), " of trace ", e.trace_id.Hex(),
                          ": ended before the retention period (",
                          FormatDurationMs(options_.retention_ns / 1'000'000), ")"));
      continue;
    }
    if (e.start_ns > newest) {
      stats.Reject(SpanRejectReason::kTooFarInFuture, i,
                   StrCat("span ", SpanIdHex(e.span_id), " of trace ", e.trace_id.Hex(),
                          ": starts too far in the future (more than ",
                          FormatDurationMs(options_.max_future_ns / 1'000'000), " ahead)"));
      continue;
    }
    accepted.push_back(i);
  }
  if (!accepted.empty()) {
    if (absl::Status st = WriteAccepted(batch, accepted, /*wait_for_cut=*/true); !st.ok()) {
      return st;
    }
    stats.accepted = accepted.size();
  }
  if (spans_accepted_) {
    spans_accepted_->Inc(stats.accepted);
    for (size_t r = 0; r < stats.rejected.size(); ++r) {
      if (stats.rejected[r]) spans_rejected_[r]->Inc(stats.rejected[r]);
    }
  }
  return stats;
}

absl::Status TracesDb::WriteAccepted(const SpanBatch& batch, std::span<const uint32_t> spans,
                                     bool wait_for_cut) {
  if (wait_for_cut) {
    std::unique_lock lock(mu_);
    auto may_append = [&] {
      return frozen_.empty() || head_->bytes() < options_.head_max_bytes || closed_.load();
    };
    if (!may_append()) {
      if (append_waits_) append_waits_->Inc();
      if (!cut_done_.wait_for(lock, std::chrono::nanoseconds(options_.append_max_wait_ns),
                              may_append)) {
        return absl::UnavailableError(
            "the trace store is behind: the previous head is still being written; retry later");
      }
    }
  }
  std::string record;
  traces::EncodeSpanRecord(batch, spans, &record);
  absl::ReaderMutexLock append_lock(&append_mu_);
  std::shared_ptr<traces::TraceHead> head;
  {
    std::lock_guard lock(mu_);
    head = head_;
  }
  if (absl::Status st = wal_->Append(record); !st.ok()) return st;
  head->Add(std::move(record), batch, spans);
  // A head past its size is cut now, not at the next tick: a fast sender would otherwise grow
  // it (and the memory the cut needs) by a second of traffic.
  if (head->bytes() >= options_.head_max_bytes) maintenance_.Wake();
  return absl::OkStatus();
}

// ---- opening --------------------------------------------------------------------------------

absl::Status TracesDb::Load() {
  const std::string root = options_.dir + "/segments";
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {
      // A cut that never reached its rename: its spans are still in the WAL.
      fs::remove(entry.path(), ec);
      LogInfo("traces", "removed unfinished segment", {{"file", name}});
      continue;
    }
    uint64_t cut;
    int64_t upto;
    if (ParseSegmentName(name, &cut, &upto)) names.push_back(name);
  }
  if (ec) return absl::UnavailableError(StrCat("cannot list ", root, ": ", ec.message()));
  std::sort(names.begin(), names.end());
  int wal_upto = 0;
  for (const std::string& name : names) {
    uint64_t cut;
    int64_t upto;
    ParseSegmentName(name, &cut, &upto);
    wal_upto = std::max<int>(wal_upto, static_cast<int>(upto));
    next_cut_id_ = std::max(next_cut_id_, cut + 1);
    auto seg = traces::Segment::Open(root + "/" + name);
    if (!seg.ok()) return seg.status();
    segments_.push_back(std::move(*seg));
  }
  if (wal_upto > 1) {
    // A crash after a cut's rename but before its WAL truncation: mark what the cut covers.
    if (absl::Status st = wal_->WriteCheckpoint(wal_upto - 1, {}); !st.ok()) return st;
    if (absl::Status st = wal_->TruncateBefore(wal_upto); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status TracesDb::Replay() {
  WalReplayStats stats;
  uint64_t spans = 0;
  SpanBatch batch;
  absl::Status st = wal_->Replay(
      [&](std::string_view record) -> absl::Status {
        if (absl::Status d = traces::DecodeSpanRecord(record, &batch); !d.ok()) {
          // Checksummed frames make this a format bug, not disk damage: skip, keep going.
          LogError("traces", "skipping undecodable WAL record",
                   {{"error", std::string(d.message())}});
          return absl::OkStatus();
        }
        spans += batch.size();
        return head_->Add(std::string(record));
      },
      &stats);
  if (!st.ok()) return st;
  LogInfo("traces", "trace WAL replayed",
          {{"segments", StrCat(stats.segments)}, {"spans", StrCat(spans)},
           {"damaged_files", StrCat(stats.damaged_files)}});
  return absl::OkStatus();
}

// ---- cutting and retention --------------------------------------------------------------

absl::StatusOr<uint64_t> TracesDb::WriteSampledSegment(const traces::TraceHead& head,
                                                        const std::string& path,
                                                        uint64_t* dropped) {
  std::vector<SpanBatch> batches;
  std::vector<int64_t> arrival;
  if (absl::Status st = head.DecodeAll(&batches, &arrival); !st.ok()) return st;
  std::vector<const SpanBatch*> ptrs;
  // With sampling on, the kept spans of a partly kept batch are re-encoded into a batch of
  // their own; undecided traces go back into the live head (and the WAL) before the WAL
  // segments holding them are deleted.
  std::vector<std::string> kept_records;
  std::deque<SpanBatch> kept_batches;
  std::vector<std::vector<traces::SpanFate>> fates;
  traces::DecideSpanFates(batches, arrival, NowNs(), options_.sampling, &fates);
  std::vector<uint32_t> keep, carry;
  for (size_t b = 0; b < batches.size(); ++b) {
    keep.clear();
    carry.clear();
    for (uint32_t i = 0; i < fates[b].size(); ++i) {
      if (fates[b][i] == traces::SpanFate::kKeep) keep.push_back(i);
      if (fates[b][i] == traces::SpanFate::kCarry) carry.push_back(i);
    }
    *dropped += batches[b].size() - keep.size() - carry.size();
    if (!carry.empty()) {
      if (absl::Status st = WriteAccepted(batches[b], carry, /*wait_for_cut=*/false);
          !st.ok()) {
        return st;
      }
    }
    if (keep.size() == batches[b].size()) {
      ptrs.push_back(&batches[b]);
    } else if (!keep.empty()) {
      traces::EncodeSpanRecord(batches[b], keep, &kept_records.emplace_back());
      if (absl::Status st = traces::DecodeSpanRecord(kept_records.back(),
                                                     &kept_batches.emplace_back());
          !st.ok()) {
        return st;
      }
      ptrs.push_back(&kept_batches.back());
    }
  }
  if (sampled_out_) sampled_out_->Inc(*dropped);
  return traces::WriteSegment(path, ptrs, options_.segment, &cut_scratch_);
}

absl::Status TracesDb::CutHead() {
  std::lock_guard cut(cut_mu_);
  {
    absl::WriterMutexLock appends(&append_mu_);
    std::shared_ptr<traces::TraceHead> current;
    {
      std::lock_guard lock(mu_);
      current = head_;
    }
    if (current->spans() > 0) {
      auto next = wal_->NextSegment();
      if (!next.ok()) return next.status();
      std::lock_guard lock(mu_);
      frozen_.push_back(current);
      frozen_wal_upto_.push_back(*next);
      head_ = std::make_shared<traces::TraceHead>(MonotonicNs());
    }
  }
  const std::string root = options_.dir + "/segments";
  for (;;) {
    std::shared_ptr<traces::TraceHead> head;
    int upto;
    uint64_t cut_id;
    {
      std::lock_guard lock(mu_);
      if (frozen_.empty()) break;
      head = frozen_.front();
      upto = frozen_wal_upto_.front();
      cut_id = next_cut_id_++;
    }
    int64_t start = MonotonicNs();
    const std::string name = SegmentName(cut_id, upto);
    const std::string path = root + "/" + name;
    uint64_t dropped = 0;
    absl::StatusOr<uint64_t> size;
    if (options_.sampling.active()) {
      size = WriteSampledSegment(*head, path + ".tmp", &dropped);
    } else {
      // One record decoded at a time: the whole head decoded would take several hundred
      // bytes per span beside the writer's staged copy of it.
      size = traces::WriteSegment(
          path + ".tmp",
          [&](const traces::SpanBatchEmit& emit) { return head->ForEachDecoded(emit); },
          options_.segment, &cut_scratch_);
    }
    if (!size.ok()) return size.status();
    std::error_code ec;
    fs::rename(path + ".tmp", path, ec);
    if (ec) return absl::UnavailableError(StrCat("cannot rename ", path, ".tmp: ", ec.message()));
    if (absl::Status st = SyncDir(root); !st.ok()) return st;
    auto seg = traces::Segment::Open(path);
    if (!seg.ok()) return seg.status();
    {
      std::lock_guard lock(mu_);
      segments_.push_back(std::move(*seg));
      frozen_.erase(frozen_.begin());
      frozen_wal_upto_.erase(frozen_wal_upto_.begin());
    }
    cut_done_.notify_all();
    if (cuts_) cuts_->Inc();
    LogInfo("traces", "trace head written as a segment",
            {{"segment", name}, {"spans", StrCat(head->spans())}, {"sampled_out", StrCat(dropped)},
             {"bytes", StrCat(*size)},
             {"duration_ms", StrCat((MonotonicNs() - start) / 1'000'000)}});
    if (absl::Status st = wal_->TruncateBefore(upto); !st.ok()) {
      LogWarn("traces", "truncating the trace WAL failed", {{"error", std::string(st.message())}});
    }
  }
  return absl::OkStatus();
}

absl::Status TracesDb::ApplyRetention(int64_t now_ns) {
  std::lock_guard cut(cut_mu_);
  std::vector<std::shared_ptr<const traces::Segment>> expired;
  {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const traces::Segment>> kept;
    for (auto& seg : segments_) {
      (seg->meta().max_end < now_ns - options_.retention_ns ? expired : kept).push_back(seg);
    }
    segments_ = std::move(kept);
  }
  absl::Status first_error;
  for (const auto& seg : expired) {
    // Readers still holding the segment keep their mapping; the file goes now.
    std::error_code ec;
    fs::remove(seg->path(), ec);
    if (ec && first_error.ok()) {
      first_error = absl::UnavailableError(StrCat("cannot delete ", seg->path(), ": ", ec.message()));
    }
    if (segments_deleted_) segments_deleted_->Inc();
    LogInfo("traces", "trace segment deleted by retention",
            {{"segment", seg->path()}, {"newest", FormatRfc3339Nano(seg->meta().max_end)}});
  }
  return first_error;
}

void TracesDb::Maintain() {
  std::shared_ptr<traces::TraceHead> head;
  {
    std::lock_guard l(mu_);
    head = head_;
  }
  bool due = head->bytes() >= options_.head_max_bytes ||
             (head->spans() > 0 && MonotonicNs() - head->created_ns() >= options_.head_max_age_ns);
  if (due) {
    if (absl::Status st = CutHead(); !st.ok()) {
      LogError("traces", "cutting the trace head failed", {{"error", std::string(st.message())}});
    }
  }
  if (MonotonicNs() - last_retention_ns_ >= 60'000'000'000LL) {
    last_retention_ns_ = MonotonicNs();
    if (absl::Status st = ApplyRetention(NowNs()); !st.ok()) {
      LogError("traces", "trace retention failed", {{"error", std::string(st.message())}});
    }
  }
}

absl::Status TracesDb::Flush() { return CutHead(); }

// ---- reading --------------------------------------------------------------------------------

TracesDb::View TracesDb::Snapshot() {
  std::lock_guard lock(mu_);
  View v;
  v.segments = segments_;
  v.heads = frozen_;
  v.heads.push_back(head_);
  return v;
}

absl::Status TracesDb::GetTrace(const TraceId& trace_id, int64_t start_ns, int64_t end_ns,
                                std::vector<Span>* out) {
  View v = Snapshot();
  const bool bounded = start_ns != 0 || end_ns != 0;
  for (const auto& seg : v.segments) {
    if (bounded && (seg->meta().max_end < start_ns || seg->meta().min_start > end_ns)) continue;
    if (absl::Status st = seg->GetTrace(trace_id, out); !st.ok()) return st;
  }
  for (const auto& head : v.heads) {
    if (absl::Status st = head->GetTrace(trace_id, out); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status TracesDb::ScanSpans(const SpanScanRequest& request,
                                 const std::function<bool(std::span<const SpanRow>)>& fn) {
  View v = Snapshot();
  std::vector<std::shared_ptr<const traces::Segment>> segments;
  for (auto& seg : v.segments) {
    if (seg->Overlaps(request.start_ns, request.end_ns)) segments.push_back(std::move(seg));
  }
  // Segments are read on several threads; the callback runs one batch at a time.
  std::mutex fn_mu;
  std::atomic<bool> stop = false;
  auto serialized = [&](std::span<const SpanRow> rows) {
    std::lock_guard lock(fn_mu);
    if (stop.load(std::memory_order_relaxed)) return false;
    if (!fn(rows)) stop = true;
    return !stop.load(std::memory_order_relaxed);
  };
  std::atomic<size_t> next = 0;
  std::mutex error_mu;
  absl::Status error;
  auto worker = [&] {
    for (size_t i; !stop.load(std::memory_order_relaxed) && (i = next++) < segments.size();) {
      auto more = segments[i]->Scan(request, serialized);
      if (!more.ok()) {
        std::lock_guard lock(error_mu);
        if (error.ok()) error = more.status();
        stop = true;
      }
    }
  };
  const size_t threads = std::min(options_.query_threads, segments.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (!error.ok()) return error;
  if (stop) return absl::OkStatus();
  for (const auto& head : v.heads) {
    auto more = head->Scan(request, fn);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status TracesDb::ScanTrace(const TraceId& trace_id, int64_t start_ns, int64_t end_ns,
                                 const std::function<void(std::span<const SpanRow>)>& fn) {
  View v = Snapshot();
  const bool bounded = start_ns != 0 || end_ns != 0;
  for (const auto& seg : v.segments) {
    if (bounded && (seg->meta().max_end < start_ns || seg->meta().min_start > end_ns)) continue;
    if (absl::Status st = seg->TraceRows(trace_id, fn); !st.ok()) return st;
  }
  for (const auto& head : v.heads) head->TraceRows(trace_id, fn);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TracesDb::Services(int64_t start_ns, int64_t end_ns) {
  View v = Snapshot();
  std::vector<std::string> out;
  for (const auto& seg : v.segments) {
    if (seg->Overlaps(start_ns, end_ns)) seg->Services(&out);
  }
  for (const auto& head : v.heads) head->Services(start_ns, end_ns, &out);
  SortUnique(&out);
  return out;
}

absl::StatusOr<std::vector<std::string>> TracesDb::SpanNames(std::string_view service,
                                                             int64_t start_ns, int64_t end_ns) {
  View v = Snapshot();
  std::vector<std::string> out;
  for (const auto& seg : v.segments) {
    if (absl::Status st = seg->SpanNames(service, start_ns, end_ns, &out); !st.ok()) return st;
  }
  for (const auto& head : v.heads) head->SpanNames(service, start_ns, end_ns, &out);
  SortUnique(&out);
  return out;
}

TracesStoreStats TracesDb::Stats() {
  View v = Snapshot();
  TracesStoreStats s;
  s.segments = v.segments.size();
  for (const auto& seg : v.segments) {
    s.segment_spans += seg->meta().rows;
    s.segment_bytes += seg->size_bytes();
  }
  for (const auto& h : v.heads) s.head_spans += h->spans();
  return s;
}

}  // namespace vigil
