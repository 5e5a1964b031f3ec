// MetricsDb's write-back path: persisting head ranges as blocks, WAL truncation, block
// compaction, retention, and the admin operations (flush, snapshot, delete) built on them.
#include <filesystem>

#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/metrics/block/block_id.h"
#include "storage/metrics/block/block_writer.h"
#include "storage/metrics/block/compact.h"
#include "storage/metrics/chunkenc/xor_chunk.h"
#include "storage/metrics/db/db_querier.h"
#include "storage/metrics/db/metrics_db.h"
#include "storage/metrics/head/head_index.h"
#include "storage/metrics/wal/records.h"

namespace vigil {

namespace fs = std::filesystem;

std::unique_ptr<MetricsQuerier> MetricsDb::Querier(int64_t mint, int64_t maxt) {
  return std::make_unique<DbQuerier>(*head_, Blocks(), mint, maxt);
}

absl::StatusOr<std::vector<SeriesExemplars>> MetricsDb::SelectExemplars(
    const std::vector<Matchers>& selectors, int64_t mint, int64_t maxt) {
  std::map<Labels, std::vector<Exemplar>> found;
  HeadIndex index(*head_);
  for (const Matchers& m : selectors) {
    Postings refs = PostingsForMatchers(index, m);
    head_->ForEachSeries(refs, [&](MemSeries& s) {
      std::vector<Exemplar> ex;
      {
        std::lock_guard lock(s.mu);
        if (s.exemplars) s.exemplars->Collect(mint, maxt, &ex);
      }
      if (!ex.empty()) found[s.labels] = std::move(ex);
    });
  }
  std::vector<SeriesExemplars> out;
  for (auto& [labels, ex] : found) out.push_back({labels, std::move(ex)});
  return out;
}

namespace {

// Copies one series' head chunks within [mint, maxt]: whole chunks as they are, and a chunk
// crossing a bound re-encoded with just the samples inside. (The block writer then re-chunks
// every series into its dense encoding.)
void CopyChunks(const MemSeries& s, int64_t mint, int64_t maxt, std::vector<block::OwnedChunk>* out) {
  auto add = [&](int64_t cmin, int64_t cmax, std::span<const uint8_t> bytes) {
    if (cmax < mint || cmin > maxt) return;
    if (cmin >= mint && cmax <= maxt) {
      out->push_back({cmin, cmax, {bytes.begin(), bytes.end()}});
      return;
    }
    std::vector<Sample> samples;
    (void)chunkenc::DecodeXorChunk(bytes, &samples, mint, maxt);
    if (samples.empty()) return;
    chunkenc::XorChunk c;
    for (const Sample& smp : samples) c.Append(smp.t, smp.v);
    auto b = c.bytes();
    out->push_back({samples.front().t, samples.back().t, {b.begin(), b.end()}});
  };
  for (const auto& c : s.closed) add(c.mint, c.maxt, c.bytes);
  if (!s.open.empty()) add(s.open.first_t(), s.open.last_t(), s.open.bytes());
}

}  // namespace

absl::StatusOr<block::BlockMeta> MetricsDb::WriteHeadBlock(const std::string& parent, int64_t mint,
                                                           int64_t maxt) {
  std::vector<block::OwnedSeries> series;
  for (SeriesRef ref : head_->AllRefs()) {
    MemSeries* s = head_->GetPinned(ref);
    if (s == nullptr) continue;
    block::OwnedSeries os{s->labels, {}};
    {
      std::lock_guard lock(s->mu);
      CopyChunks(*s, mint, maxt, &os.chunks);
    }
    head_->Unpin(s);
    if (!os.chunks.empty()) series.push_back(std::move(os));
  }
  if (series.empty()) return absl::NotFoundError("no head data in range");
  block::BlockMeta meta;
  meta.id = block::NewBlockId();
  meta.max_time = maxt == INT64_MAX ? block::kUnsetTime : maxt + 1;
  block::VectorSeriesSource source(std::move(series));
  return block::WriteBlock(parent, meta, source);
}

absl::Status MetricsDb::AddBlock(const std::string& id) {
  auto b = block::Block::Open(options_.dir + "/" + id);
  if (!b.ok()) return b.status();
  std::lock_guard lock(blocks_mu_);
  blocks_.push_back(std::shared_ptr<const block::Block>(std::move(*b)));
  std::sort(blocks_.begin(), blocks_.end(),
            [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
  return absl::OkStatus();
}

void MetricsDb::RemoveBlocks(const std::vector<std::string>& ids) {
  {
    std::lock_guard lock(blocks_mu_);
    std::erase_if(blocks_, [&](const auto& b) {
      return std::find(ids.begin(), ids.end(), b->meta().id) != ids.end();
    });
  }
  // Queries still reading a removed block hold it open; its mappings stay valid after the
  // files are unlinked.
  for (const auto& id : ids) {
    std::error_code ec;
    fs::remove_all(options_.dir + "/" + id, ec);
    if (ec) LogWarn("tsdb", "cannot delete block", {{"block", id}, {"error", ec.message()}});
  }
}

absl::Status MetricsDb::PersistHead(int64_t maxt) {
  // Raise the head's lower bound and wait out in-flight commits, so nothing lands in the
  // persisted range after it is copied.
  {
    std::unique_lock gate(head_->commit_gate());
    head_->SetMinValidTime(maxt + 1);
  }
  auto meta = WriteHeadBlock(options_.dir, INT64_MIN, maxt);
  if (meta.ok()) {
    if (absl::Status st = AddBlock(meta->id); !st.ok()) return st;
    if (head_persists_) head_persists_->Inc();
    LogInfo("tsdb", "persisted head range as block",
            {{"block", meta->id}, {"min_time", StrCat(meta->min_time)},
             {"max_time", StrCat(meta->max_time)}, {"series", StrCat(meta->stats.num_series)},
             {"samples", StrCat(meta->stats.num_samples)}});
  } else if (!absl::IsNotFound(meta.status())) {
    return meta.status();
  }
  head_->TruncateBefore(maxt + 1);
  return TruncateWal(maxt + 1);
}

absl::Status MetricsDb::TruncateWal(int64_t before) {
  auto next = wal_->NextSegment();
  if (!next.ok()) return next.status();
  int upto = -1;
  {
    std::lock_guard lock(wal_seg_mu_);
    // The longest prefix of closed segments whose samples are all older than `before`.
    int candidate = -1;
    for (int seg = 1; seg < *next; ++seg) {  // segments are numbered from 1
      auto it = segment_max_t_.find(seg);
      if (it != segment_max_t_.end() && it->second >= before) break;
      candidate = seg;
    }
    upto = candidate;
    for (auto it = segment_max_t_.begin(); it != segment_max_t_.end() && it->first <= upto;) {
      it = segment_max_t_.erase(it);
    }
  }
  if (upto < 1) return absl::OkStatus();
  // The checkpoint keeps what the dropped segments defined and is still needed: series
  // that remain in the head, and metric metadata.
  std::vector<wal::RefSeries> series;
  for (SeriesRef ref : head_->AllRefs()) {
    if (MemSeries* s = head_->GetForReplay(ref)) series.push_back({s->ref, s->labels});
  }
  std::vector<wal::RefMetadata> md;
  {
    std::lock_guard lock(metadata_mu_);
    for (const auto& [name, m] : metadata_) {
      md.push_back({name, m.type, m.unit, m.help});
    }
  }
  std::string series_rec, md_rec;
  wal::EncodeSeries(series, &series_rec);
  wal::EncodeMetadata(md, &md_rec);
  std::string_view recs[] = {series_rec, md_rec};
  if (absl::Status st = wal_->WriteCheckpoint(upto, recs); !st.ok()) return st;
  return wal_->TruncateBefore(upto + 1);
}

absl::Status MetricsDb::CompactHead() {
  std::lock_guard lock(maintenance_mu_);
  const int64_t range = options_.head.chunk_range_ms;
  // Like Prometheus: persist the oldest block range once the head spans 1.5 ranges, so
  // the newest hour stays writable for late samples.
  while (head_->NumSeries() > 0 && head_->MaxTime() != INT64_MIN &&
         head_->MaxTime() - head_->MinTime() > range * 3 / 2) {
    int64_t mint = head_->MinTime();
    int64_t boundary = (mint >= 0 ? mint / range : (mint - range + 1) / range) * range + range;
    if (absl::Status st = PersistHead(boundary - 1); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status MetricsDb::Flush() {
  std::lock_guard lock(maintenance_mu_);
  if (head_->MaxTime() == INT64_MIN) return absl::OkStatus();
  return PersistHead(head_->MaxTime());
}

absl::Status MetricsDb::CompactBlocks() {
  std::lock_guard lock(maintenance_mu_);
  const int64_t base = options_.head.chunk_range_ms;
  // Level ranges grow 3x (2h, 6h, 18h, 54h …) up to a tenth of retention, as in Prometheus.
  int64_t max_range = options_.retention_ms > 0 ? options_.retention_ms / 10 : 31LL * 86400000;
  for (int64_t r = base * 3; r <= std::max(max_range, base * 3); r *= 3) {
    auto blocks = Blocks();
    if (blocks.size() < 2) return absl::OkStatus();
    int64_t newest = blocks.back()->meta().max_time;
    std::map<int64_t, std::vector<std::shared_ptr<const block::Block>>> groups;
    for (const auto& b : blocks) {
      int64_t start = b->meta().min_time >= 0 ? b->meta().min_time / r * r
                                              : (b->meta().min_time - r + 1) / r * r;
      // Only blocks that fit inside one aligned range, and only ranges that are complete.
      if (b->meta().max_time > start + r || start + r > newest) continue;
      groups[start].push_back(b);
    }
    for (auto& [start, group] : groups) {
      if (group.size() < 2) continue;
      std::vector<const block::Block*> in;
      std::vector<std::string> ids;
      for (const auto& b : group) {
        in.push_back(b.get());
        ids.push_back(b->meta().id);
      }
      auto meta = block::CompactBlocks(in, options_.dir);
      if (!meta.ok()) return meta.status();
      if (absl::Status st = AddBlock(meta->id); !st.ok()) return st;
      RemoveBlocks(ids);
      if (compactions_) compactions_->Inc();
      LogInfo("tsdb", "compacted blocks",
              {{"into", meta->id}, {"inputs", StrCat(ids.size())}, {"range_ms", StrCat(r)}});
    }
  }
  return absl::OkStatus();
}

absl::Status MetricsDb::ApplyRetention() {
  std::lock_guard lock(maintenance_mu_);
  auto blocks = Blocks();
  if (blocks.empty()) return absl::OkStatus();
  std::vector<std::string> drop;
  int64_t newest = std::max(blocks.back()->meta().max_time, head_->MaxTime());
  if (options_.retention_ms > 0) {
    for (const auto& b : blocks) {
      if (b->meta().max_time <= newest - options_.retention_ms) drop.push_back(b->meta().id);
    }
  }
  if (options_.retention_bytes > 0) {
    uint64_t total = wal_->SizeBytes();
    for (const auto& b : blocks) total += b->SizeBytes();
    // Oldest first, always keeping the newest block.
    for (size_t i = 0; i + 1 < blocks.size() && total > options_.retention_bytes; ++i) {
      const std::string& id = blocks[i]->meta().id;
      if (std::find(drop.begin(), drop.end(), id) == drop.end()) drop.push_back(id);
      total -= blocks[i]->SizeBytes();
    }
  }
  if (!drop.empty()) {
    LogInfo("tsdb", "retention removes blocks", {{"count", StrCat(drop.size())}});
    RemoveBlocks(drop);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MetricsDb::Snapshot() {
  std::lock_guard lock(maintenance_mu_);
  std::string name = StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()),
                            "-", block::NewBlockId().substr(16));
  std::string dir = StrCat(options_.dir, "/snapshots/", name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(StrCat("cannot create snapshot folder: ", ec.message()));
  // Blocks are immutable: hard links make the snapshot instant and free of extra space.
  for (const auto& b : Blocks()) {
    fs::path src = b->dir();
    fs::path dst = fs::path(dir) / src.filename();
    for (const auto& e : fs::recursive_directory_iterator(src)) {
      fs::path rel = fs::relative(e.path(), src);
      if (e.is_directory()) {
        fs::create_directories(dst / rel, ec);
      } else {
        fs::create_directories((dst / rel).parent_path(), ec);
        fs::create_hard_link(e.path(), dst / rel, ec);
      }
      if (ec) return absl::UnavailableError(StrCat("snapshot of block failed: ", ec.message()));
    }
  }
  // The head goes into the snapshot as one more block.
  auto head_block = WriteHeadBlock(dir, INT64_MIN, INT64_MAX);
  if (!head_block.ok() && !absl::IsNotFound(head_block.status())) return head_block.status();
  return name;
}

absl::Status MetricsDb::DeleteSeries(const std::vector<Matchers>& selectors, int64_t mint,
                                     int64_t maxt) {
  std::lock_guard lock(maintenance_mu_);
  // Head: log tombstones first (so a restart replays the deletion), then rewrite chunks.
  HeadIndex index(*head_);
  std::vector<wal::RefTombstone> tombstones;
  for (const Matchers& m : selectors) {
    for (uint64_t ref : PostingsForMatchers(index, m)) tombstones.push_back({ref, mint, maxt});
  }
  if (!tombstones.empty()) {
    std::string rec;
    wal::EncodeTombstones(tombstones, &rec);
    if (absl::Status st = wal_->Append(rec); !st.ok()) return st;
    for (const auto& t : tombstones) {
      if (MemSeries* s = head_->GetPinned(t.ref)) {
        head_->DeleteRange(*s, t.mint, t.maxt);
        head_->Unpin(s);
      }
    }
  }
  // Blocks: rewrite every block that holds matching data in the range.
  std::vector<block::Deletion> deletions;
  for (const Matchers& m : selectors) deletions.push_back({m, mint, maxt});
  for (const auto& b : Blocks()) {
    if (b->meta().max_time <= mint || b->meta().min_time > maxt) continue;
    bool touched = false;
    for (const Matchers& m : selectors) {
      auto ids = b->PostingsForMatchers(m);
      if (!ids.ok()) return ids.status();
      if (!ids->empty()) touched = true;
    }
    if (!touched) continue;
    block::CompactOptions opts;
    opts.deletions = deletions;
    opts.min_time = b->meta().min_time;
    opts.max_time = b->meta().max_time;
    opts.compaction_level = b->meta().compaction_level;
    const block::Block* in[] = {b.get()};
    auto meta = block::CompactBlocks(in, options_.dir, opts);
    if (!meta.ok()) return meta.status();
    if (absl::Status st = AddBlock(meta->id); !st.ok()) return st;
    RemoveBlocks({b->meta().id});
  }
  return absl::OkStatus();
}

}  // namespace vigil
