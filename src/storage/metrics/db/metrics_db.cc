#include "storage/metrics/db/metrics_db.h"

#include <filesystem>

#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/head/head_appender.h"
#include "storage/metrics/wal/records.h"

namespace vigil {

namespace fs = std::filesystem;

MetricsDb::MetricsDb(MetricsDbOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)), metrics_(metrics) {}

absl::StatusOr<std::unique_ptr<MetricsDb>> MetricsDb::Open(MetricsDbOptions options,
                                                           MetricsRegistry* metrics) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return absl::UnavailableError(
        StrCat("cannot create metrics data directory ", options.dir, ": ", ec.message()));
  }
  std::unique_ptr<MetricsDb> db(new MetricsDb(std::move(options), metrics));
  const MetricsDbOptions& o = db->options_;
  if (metrics) {
    db->compactions_ = &metrics->GetCounter("vigil_tsdb_compactions_total",
                                            "Block compactions performed.");
    db->head_persists_ = &metrics->GetCounter("vigil_tsdb_head_persisted_blocks_total",
                                              "Head ranges persisted as blocks.");
    db->replay_unknown_refs_ = &metrics->GetCounter(
        "vigil_wal_replay_unknown_refs_total",
        "WAL samples that referred to a series no longer known (dropped at replay).");
  }
  db->head_ = std::make_unique<Head>(o.head, metrics);
  if (absl::Status st = db->LoadBlocks(); !st.ok()) return st;
  WalOptions wo;
  wo.sync = o.wal_sync;
  wo.segment_bytes = o.wal_segment_bytes;
  wo.fsync_seconds = WalFsyncHistogram(metrics, "metrics");
  auto wal = Wal::Open(o.dir + "/wal", wo);
  if (!wal.ok()) return wal.status();
  db->wal_ = std::move(*wal);
  if (absl::Status st = db->Replay(); !st.ok()) return st;
  if (metrics) {
    Head* head = db->head_.get();
    MetricsDb* self = db.get();
    metrics->AddGaugeFunc("vigil_tsdb_head_series", "Series in the head.", {},
                          [head] { return static_cast<double>(head->NumSeries()); });
    metrics->AddGaugeFunc("vigil_tsdb_blocks_loaded", "Blocks on disk.", {},
                          [self] { return static_cast<double>(self->Blocks().size()); });
    metrics->AddGaugeFunc("vigil_wal_size_bytes", "Bytes of WAL on disk.", {},
                          [self] { return static_cast<double>(self->WalSizeBytes()); });
  }
  if (o.maintenance_interval_ms > 0) {
    db->maintenance_ = std::thread([self = db.get()] { self->MaintenanceLoop(); });
  }
  return db;
}

MetricsDb::~MetricsDb() { (void)Close(); }

absl::Status MetricsDb::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  if (!wal_) return absl::OkStatus();
  // Metadata that no sample batch carried yet.
  if (absl::Status st = LogBatch(HeadCommitBatch{}); !st.ok()) {
    LogWarn("tsdb", "cannot log metric metadata", {{"error", std::string(st.message())}});
  }
  return wal_->Close();
}

absl::Status MetricsDb::LoadBlocks() {
  std::vector<std::shared_ptr<const block::Block>> loaded;
  for (const auto& entry : fs::directory_iterator(options_.dir)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_directory()) continue;
    if (name.ends_with(".tmp")) {
      // A block write that did not finish before a crash.
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
      LogWarn("tsdb", "removed unfinished block", {{"dir", name}});
      continue;
    }
    if (!block::IsValidBlockId(name)) continue;
    auto b = block::Block::Open(entry.path().string());
    if (!b.ok()) {
      // A corrupt block is set aside, not fatal: the rest of the data stays available.
      LogError("tsdb", "cannot open block; moving it aside",
               {{"block", name}, {"error", std::string(b.status().message())}});
      std::error_code ec;
      fs::rename(entry.path(), entry.path().string() + ".corrupt", ec);
      continue;
    }
    loaded.push_back(std::shared_ptr<const block::Block>(std::move(*b)));
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
  int64_t max_t = INT64_MIN;
  for (const auto& b : loaded) max_t = std::max(max_t, b->meta().max_time);
  // Samples at or before the newest block's range belong to blocks, not to the head.
  if (max_t != INT64_MIN) head_->SetMinValidTime(max_t);
  std::lock_guard lock(blocks_mu_);
  blocks_ = std::move(loaded);
  return absl::OkStatus();
}

absl::Status MetricsDb::Replay() {
  int64_t start = MonotonicNs();
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  std::vector<wal::RefExemplar> exemplars;
  std::vector<wal::RefTombstone> tombstones;
  std::vector<wal::RefMetadata> metadata;
  uint64_t unknown = 0, applied = 0;
  const int64_t min_valid = head_->MinValidTime();
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  auto on_record = [&](std::string_view rec) -> absl::Status {
    absl::Status st;
    switch (wal::PeekType(rec)) {
      case wal::RecordType::kSeries:
        st = wal::DecodeSeries(rec, &series);
        for (auto& s : series) head_->CreateForReplay(s.ref, std::move(s.labels));
        break;
      case wal::RecordType::kSamples:
        st = wal::DecodeSamples(rec, &samples);
        for (const auto& s : samples) {
          MemSeries* ms = head_->GetForReplay(s.ref);
          if (ms == nullptr) {
            ++unknown;
            continue;
          }
          std::lock_guard lock(ms->mu);
          // Samples already persisted in a block, or superseded, are skipped.
          if (s.t < min_valid || s.t <= ms->max_time) continue;
          head_->AppendLocked(*ms, s.t, s.v);
          mint = std::min(mint, s.t);
          maxt = std::max(maxt, s.t);
          ++applied;
        }
        break;
      case wal::RecordType::kExemplars:
        st = wal::DecodeExemplars(rec, &exemplars);
        for (auto& e : exemplars) {
          if (MemSeries* ms = head_->GetForReplay(e.ref)) {
            head_->AddExemplar(*ms, Exemplar{std::move(e.labels), e.v, e.t});
          }
        }
        break;
      case wal::RecordType::kTombstones:
        st = wal::DecodeTombstones(rec, &tombstones);
        for (const auto& t : tombstones) {
          if (MemSeries* ms = head_->GetForReplay(t.ref)) head_->DeleteRange(*ms, t.mint, t.maxt);
        }
        break;
      case wal::RecordType::kMetadata:
        st = wal::DecodeMetadata(rec, &metadata);
        for (auto& m : metadata) {
          std::lock_guard lock(metadata_mu_);
          metadata_[m.metric] = MetricMetadata{m.type, std::move(m.help), std::move(m.unit)};
        }
        break;
      default:
        st = absl::DataLossError("unknown WAL record type");
    }
    if (!st.ok()) {
      // One undecodable record is skipped; the records around it are still good.
      LogWarn("tsdb", "skipping undecodable WAL record", {{"error", std::string(st.message())}});
    }
    return absl::OkStatus();
  };
  WalReplayStats stats;
  if (absl::Status st = wal_->Replay(on_record, &stats); !st.ok()) return st;
  if (applied > 0) head_->ExtendTimeBounds(mint, maxt);
  {
    // Replay does not say which segment a record came from, so every segment written
    // before this start is taken to hold samples up to the newest one replayed: WAL
    // truncation then keeps them until the head has persisted that far.
    std::lock_guard lock(wal_seg_mu_);
    for (int seg = 1; seg < wal_->CurrentSegment(); ++seg) segment_max_t_[seg] = maxt;
  }
  // Everything replayed is logged already; appenders need not log these series again.
  for (SeriesRef ref : head_->AllRefs()) {
    if (MemSeries* s = head_->GetForReplay(ref)) s->logged.store(true);
  }
  if (replay_unknown_refs_) replay_unknown_refs_->Inc(unknown);
  LogInfo("tsdb", "WAL replayed",
          {{"segments", StrCat(stats.segments)}, {"records", StrCat(stats.records)},
           {"samples", StrCat(applied)}, {"series", StrCat(head_->NumSeries())},
           {"unknown_refs", StrCat(unknown)}, {"damaged_files", StrCat(stats.damaged_files)},
           {"duration_ms", StrCat((MonotonicNs() - start) / 1000000)}});
  return absl::OkStatus();
}

absl::Status MetricsDb::LogBatch(const HeadCommitBatch& batch) {
  // Encoding buffers are reused per thread: no allocation per request once warm.
  thread_local std::string series_rec, samples_rec, exemplar_rec;
  thread_local std::vector<wal::RefSeries> series;
  thread_local std::vector<wal::RefExemplar> exemplars;
  thread_local std::string metadata_rec;
  std::string_view records[4];
  size_t n = 0;
  {
    std::lock_guard lock(metadata_mu_);
    if (!pending_metadata_.empty()) {
      metadata_rec.clear();
      wal::EncodeMetadata(pending_metadata_, &metadata_rec);
      pending_metadata_.clear();
      records[n++] = metadata_rec;
    }
  }
  if (!batch.new_series.empty()) {
    series.clear();
    for (const MemSeries* s : batch.new_series) series.push_back({s->ref, s->labels});
    series_rec.clear();
    wal::EncodeSeries(series, &series_rec);
    records[n++] = series_rec;
  }
  int64_t max_t = INT64_MIN;
  if (!batch.samples.empty()) {
    for (const RefSample& s : batch.samples) max_t = std::max(max_t, s.t);
    samples_rec.clear();
    wal::EncodeSamples(batch.samples, &samples_rec);
    records[n++] = samples_rec;
  }
  if (!batch.exemplars.empty()) {
    exemplars.clear();
    for (const auto& [ref, e] : batch.exemplars) exemplars.push_back({ref, e->t, e->value, e->labels});
    exemplar_rec.clear();
    wal::EncodeExemplars(exemplars, &exemplar_rec);
    records[n++] = exemplar_rec;
  }
  if (n == 0) return absl::OkStatus();
  int seg_before = wal_->CurrentSegment();
  absl::Status st = wal_->Append(std::span<const std::string_view>(records, n));
  int seg_after = wal_->CurrentSegment();
  if (st.ok() && max_t != INT64_MIN) {
    // The records landed in one of these segments; remember the newest sample time each
    // may hold, so WAL truncation keeps every segment still needed by the head.
    std::lock_guard lock(wal_seg_mu_);
    for (int s = seg_before; s <= seg_after; ++s) {
      auto [it, inserted] = segment_max_t_.emplace(s, max_t);
      if (!inserted) it->second = std::max(it->second, max_t);
    }
  }
  return st;
}

std::unique_ptr<MetricsAppender> MetricsDb::Appender() {
  return head_->Appender([this](const HeadCommitBatch& b) { return LogBatch(b); });
}

void MetricsDb::SetMetadata(std::string_view metric, const MetricMetadata& md) {
  {
    std::lock_guard lock(metadata_mu_);
    auto it = metadata_.find(metric);
    if (it != metadata_.end() && it->second == md) {
      return;  // unchanged: senders repeat metadata on every request
    }
    metadata_[std::string(metric)] = md;
    pending_metadata_.push_back({std::string(metric), md.type, md.unit, md.help});
  }
}

std::vector<std::pair<std::string, MetricMetadata>> MetricsDb::Metadata(std::string_view metric,
                                                                        size_t limit) {
  std::lock_guard lock(metadata_mu_);
  std::vector<std::pair<std::string, MetricMetadata>> out;
  for (const auto& [name, md] : metadata_) {
    if (!metric.empty() && name != metric) continue;
    if (limit != 0 && out.size() >= limit) break;
    out.emplace_back(name, md);
  }
  return out;
}

std::vector<std::shared_ptr<const block::Block>> MetricsDb::Blocks() const {
  std::lock_guard lock(blocks_mu_);
  return blocks_;
}

StoreStats MetricsDb::Stats() {
  StoreStats st;
  st.head_series = head_->NumSeries();
  st.head_chunks = head_->NumChunks();
  st.min_time = head_->MinTime();
  st.max_time = head_->MaxTime();
  auto pairs = head_->postings().AllPairCounts();
  std::map<std::string, uint64_t> values_per_name, bytes_per_name;
  for (const auto& p : pairs) {
    if (p.name == kMetricName) st.series_by_metric.push_back({p.value, p.count});
    st.series_by_label_pair.push_back({StrCat(p.name, "=", p.value), p.count});
    values_per_name[p.name] += 1;
    bytes_per_name[p.name] += p.value.size() * p.count;
  }
  for (const auto& [n, c] : values_per_name) st.label_value_count_by_name.push_back({n, c});
  for (const auto& [n, c] : bytes_per_name) st.memory_by_label_name.push_back({n, c});
  auto top10 = [](std::vector<StoreStats::Count>& v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.value != b.value ? a.value > b.value : a.name < b.name;
    });
    if (v.size() > 10) v.resize(10);
  };
  top10(st.series_by_metric);
  top10(st.series_by_label_pair);
  top10(st.label_value_count_by_name);
  top10(st.memory_by_label_name);
  return st;
}

void MetricsDb::MaintenanceLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.maintenance_interval_ms),
                      [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    for (auto step : {&MetricsDb::CompactHead, &MetricsDb::CompactBlocks, &MetricsDb::ApplyRetention}) {
      if (absl::Status st = (this->*step)(); !st.ok()) {
        LogError("tsdb", "maintenance step failed", {{"error", std::string(st.message())}});
      }
    }
    lock.lock();
  }
}

}  // namespace vigil
