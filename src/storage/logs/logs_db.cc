#include "storage/logs/logs_db.h"

#include <filesystem>

#include "common/file_util.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/logs/log_wal_record.h"

namespace vigil {

namespace fs = std::filesystem;

LogsDb::LogsDb(Key, LogsDbOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)) {
  if (metrics) {
    lines_accepted_ = &metrics->GetCounter("vigil_logs_ingested_lines_total",
                                           "Log lines accepted into the log store.");
    bytes_accepted_ = &metrics->GetCounter("vigil_logs_ingested_bytes_total",
                                           "Body bytes of the log lines accepted.");
    for (size_t r = 0; r < lines_rejected_.size(); ++r) {
      lines_rejected_[r] = &metrics->GetCounter(
          "vigil_logs_rejected_lines_total", "Log lines refused, by reason.",
          Labels{{"reason", std::string(LogRejectReasonName(static_cast<LogRejectReason>(r)))}});
    }
    cuts_ = &metrics->GetCounter("vigil_logs_head_cuts_total", "Log heads written into segments.");
    segments_deleted_ = &metrics->GetCounter("vigil_logs_segments_deleted_total",
                                             "Log segments deleted by retention.");
  }
}

absl::StatusOr<std::unique_ptr<LogsDb>> LogsDb::Open(const LogsDbOptions& options,
                                                     MetricsRegistry* metrics) {
  std::error_code ec;
  fs::create_directories(options.dir + "/segments", ec);
  if (ec) {
    return absl::UnavailableError(
        StrCat("cannot create log store directory ", QuoteString(options.dir), ": ", ec.message()));
  }
  auto db = std::make_unique<LogsDb>(Key{}, options, metrics);
  WalOptions wo;
  wo.sync = options.wal_sync;
  wo.fsync_seconds = WalFsyncHistogram(metrics, "logs");
  auto wal = Wal::Open(options.dir + "/wal", wo);
  if (!wal.ok()) return wal.status();
  db->wal_ = std::move(*wal);
  db->head_ = std::make_shared<logs::LogHead>(0);
  if (absl::Status st = db->Load(); !st.ok()) return st;
  if (absl::Status st = db->Replay(); !st.ok()) return st;
  db->head_->set_max_streams(options.max_streams);
  if (metrics) {
    LogsDb* raw = db.get();
    metrics->AddGaugeFunc("vigil_logs_head_lines", "Log lines in the head (not yet in segments).",
                          {}, [raw] { return static_cast<double>(raw->Stats().head_records); });
    metrics->AddGaugeFunc("vigil_logs_segments", "Log segments on disk.", {},
                          [raw] { return static_cast<double>(raw->Stats().segments); });
    metrics->AddGaugeFunc("vigil_logs_streams", "Active log streams in the head.", {},
                          [raw] { return static_cast<double>(raw->Stats().streams); });
  }
  if (options.background) {
    db->maintenance_.Start(options.maintenance_interval_ns, [p = db.get()] { p->Maintain(); });
  }
  return db;
}

LogsDb::~LogsDb() {
  if (absl::Status st = Close(); !st.ok()) {
    LogError("logs", "closing the log store failed", {{"error", std::string(st.message())}});
  }
}

absl::Status LogsDb::Close() {
  if (closed_.exchange(true)) return absl::OkStatus();
  maintenance_.Stop();
  absl::Status st = CutHead();
  absl::Status wst = wal_->Close();
  return st.ok() ? wst : st;
}

// ---- appending ------------------------------------------------------------------------------

absl::StatusOr<LogAppendStats> LogsDb::Append(const LogBatch& batch) {
  LogAppendStats stats;
  const int64_t now = NowNs();
  const int64_t oldest = now - options_.reject_older_than_ns;
  const int64_t newest = now + options_.max_future_ns;
  std::vector<uint32_t> accepted;
  accepted.reserve(batch.size());
  std::vector<uint32_t> stream_ids(batch.streams().size(), UINT32_MAX);
  std::vector<uint8_t> stream_refused(batch.streams().size(), 0);

  absl::ReaderMutexLock append_lock(&append_mu_);
  std::shared_ptr<logs::LogHead> head;
  {
    std::lock_guard lock(mu_);
    head = head_;
  }
  const std::vector<LogBatch::Entry>& entries = batch.entries();
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const LogBatch::Entry& e = entries[i];
    auto describe = [&](std::string_view why) {
      return StrCat("stream ", batch.streams()[e.stream].ToString(), " entry at ",
                    FormatRfc3339Nano(e.timestamp_ns), ": ", why);
    };
    if (e.timestamp_ns < oldest) {
      stats.Reject(LogRejectReason::kTooOld, i,
                   describe(StrCat("timestamp too old (older than ",
                                   FormatDurationMs(options_.reject_older_than_ns / 1'000'000), ")")));
      continue;
    }
    if (e.timestamp_ns > newest) {
      stats.Reject(LogRejectReason::kTooFarInFuture, i,
                   describe(StrCat("timestamp too far in the future (more than ",
                                   FormatDurationMs(options_.max_future_ns / 1'000'000), " ahead)")));
      continue;
    }
    if (e.body.size() > options_.max_line_bytes) {
      stats.Reject(LogRejectReason::kLineTooLong, i,
                   describe(StrCat("line of ", e.body.size(), " bytes exceeds the limit of ",
                                   options_.max_line_bytes)));
      continue;
    }
    if (stream_ids[e.stream] == UINT32_MAX && !stream_refused[e.stream]) {
      auto id = head->ResolveStream(batch.streams()[e.stream]);
      if (id.ok()) {
        stream_ids[e.stream] = *id;
      } else {
        stream_refused[e.stream] = 1;
        LogWarn("logs", "stream refused", {{"error", std::string(id.status().message())}});
      }
    }
    if (stream_refused[e.stream]) {
      stats.Reject(LogRejectReason::kStreamLimit, i,
                   describe(StrCat("stream limit of ", options_.max_streams,
                                   " active streams reached")));
      continue;
    }
    accepted.push_back(i);
    stats.accepted++;
    stats.accepted_bytes += e.body.size();
  }
  if (!accepted.empty()) {
    std::string record;
    std::vector<uint32_t> offsets;
    offsets.reserve(accepted.size());
    logs::EncodeWalRecord(batch, accepted, &record, &offsets);
    if (absl::Status st = wal_->Append(record); !st.ok()) return st;
    head->Append(batch, accepted, stream_ids, std::move(record), offsets);
    // A head past its size is cut now, not at the next tick: a fast sender would otherwise
    // grow it by a second of traffic, and the cut that follows by as much.
    if (head->bytes() >= options_.head_max_bytes) maintenance_.Wake();
  }
  if (lines_accepted_) {
    lines_accepted_->Inc(stats.accepted);
    bytes_accepted_->Inc(stats.accepted_bytes);
    for (size_t r = 0; r < stats.rejected.size(); ++r) {
      if (stats.rejected[r]) lines_rejected_[r]->Inc(stats.rejected[r]);
    }
  }
  return stats;
}

// ---- opening --------------------------------------------------------------------------------

absl::Status LogsDb::Load() {
  const std::string root = options_.dir + "/segments";
  std::vector<std::string> cuts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {
      // A cut that never reached its rename: its records are still in the WAL.
      fs::remove_all(entry.path(), ec);
      LogInfo("logs", "removed unfinished cut", {{"dir", name}});
      continue;
    }
    uint64_t id;
    if (entry.is_directory() && ParseUint64(name, &id)) cuts.push_back(name);
  }
  if (ec) return absl::UnavailableError(StrCat("cannot list ", root, ": ", ec.message()));
  std::sort(cuts.begin(), cuts.end());
  int wal_upto = 0;
  for (const std::string& cut : cuts) {
    std::string dir = root + "/" + cut;
    auto meta = ReadFileToString(dir + "/cut.meta", 4096);
    if (!meta.ok()) return meta.status();
    int64_t upto = 0;
    std::string_view text = *meta;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (!text.starts_with("wal_upto ") || !ParseInt64(text.substr(9), &upto)) {
      return absl::DataLossError(StrCat("log store: malformed ", dir, "/cut.meta"));
    }
    wal_upto = std::max<int>(wal_upto, static_cast<int>(upto));
    uint64_t id = 0;
    ParseUint64(cut, &id);
    next_cut_id_ = std::max(next_cut_id_, id + 1);
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".seg") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      auto seg = logs::Segment::Open(f);
      if (!seg.ok()) return seg.status();
      segments_.push_back(std::move(*seg));
    }
  }
  if (wal_upto > 1) {
    // Crash after a cut's rename but before its WAL truncation: mark what the cut covers.
    if (absl::Status st = wal_->WriteCheckpoint(wal_upto - 1, {}); !st.ok()) return st;
    if (absl::Status st = wal_->TruncateBefore(wal_upto); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status LogsDb::Replay() {
  WalReplayStats stats;
  uint64_t lines = 0;
  absl::Status st = wal_->Replay(
      [&](std::string_view record) -> absl::Status {
        LogBatch batch;
        if (absl::Status d = logs::DecodeWalRecord(record, &batch); !d.ok()) {
          // Checksummed frames make this a format bug, not disk damage: skip, keep going.
          LogError("logs", "skipping undecodable WAL record", {{"error", std::string(d.message())}});
          return absl::OkStatus();
        }
        std::vector<uint32_t> ids(batch.streams().size());
        for (size_t s = 0; s < ids.size(); ++s) {
          auto id = head_->ResolveStream(batch.streams()[s]);
          if (!id.ok()) return id.status();
          ids[s] = *id;
        }
        std::vector<uint32_t> all(batch.size());
        for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
        // Re-encoded so the head gets a record it owns, with its entries' offsets.
        std::string copy;
        std::vector<uint32_t> offsets;
        logs::EncodeWalRecord(batch, all, &copy, &offsets);
        head_->Append(batch, all, ids, std::move(copy), offsets);
        lines += batch.size();
        return absl::OkStatus();
      },
      &stats);
  if (!st.ok()) return st;
  LogInfo("logs", "log WAL replayed",
          {{"segments", StrCat(stats.segments)}, {"lines", StrCat(lines)},
           {"damaged_files", StrCat(stats.damaged_files)}});
  return absl::OkStatus();
}

// ---- reading --------------------------------------------------------------------------------

LogsDb::View LogsDb::Snapshot() {
  std::lock_guard lock(mu_);
  View v;
  v.segments = segments_;
  v.heads = frozen_;
  v.heads.push_back(head_);
  return v;
}

LogStoreStats LogsDb::Stats() {
  View v = Snapshot();
  LogStoreStats s;
  s.segments = v.segments.size();
  s.min_time_ns = INT64_MAX;
  s.max_time_ns = INT64_MIN;
  for (const auto& seg : v.segments) {
    s.segment_records += seg->meta().rows;
    s.segment_bytes += seg->file_bytes();
    s.min_time_ns = std::min(s.min_time_ns, seg->meta().min_time);
    s.max_time_ns = std::max(s.max_time_ns, seg->meta().max_time);
  }
  for (const auto& h : v.heads) s.head_records += h->rows();
  s.streams = v.heads.back()->num_streams();
  if (s.min_time_ns == INT64_MAX) s.min_time_ns = s.max_time_ns = 0;
  return s;
}

// ---- maintenance ----------------------------------------------------------------------------

void LogsDb::Maintain() {
  std::shared_ptr<logs::LogHead> head;
  {
    std::lock_guard l(mu_);
    head = head_;
  }
  int64_t first = head->first_append_monotonic_ns();
  bool due = head->bytes() >= options_.head_max_bytes ||
             (first != 0 && MonotonicNs() - first >= options_.head_max_age_ns);
  if (due) {
    if (absl::Status st = CutHead(); !st.ok()) {
      LogError("logs", "cutting the log head failed", {{"error", std::string(st.message())}});
    }
  }
  if (MonotonicNs() - last_retention_ns_ >= 60'000'000'000LL) {
    last_retention_ns_ = MonotonicNs();
    if (absl::Status st = ApplyRetention(NowNs()); !st.ok()) {
      LogError("logs", "log retention failed", {{"error", std::string(st.message())}});
    }
  }
}

absl::Status LogsDb::Flush() { return CutHead(); }

}  // namespace vigil
