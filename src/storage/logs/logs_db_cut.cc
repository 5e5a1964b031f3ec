// LogsDb: cutting the head into segments, and retention.
#include <algorithm>
#include <filesystem>

#include "common/file_util.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/logs/cut_order.h"
#include "storage/logs/logs_db.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

std::string CutDirName(uint64_t id) {
  std::string n = StrCat(id);
  return std::string(n.size() < 8 ? 8 - n.size() : 0, '0') + n;
}

}  // namespace

size_t LogsDb::RuleOf(const Labels& stream) const {
  for (size_t r = 0; r < options_.retention_rules.size(); ++r) {
    bool ok = true;
    for (const LabelMatcher& m : options_.retention_rules[r].matchers) {
      if (!m.Matches(stream.Get(m.name()))) {
        ok = false;
        break;
      }
    }
    if (ok) return r;
  }
  return options_.retention_rules.size();
}

int64_t LogsDb::PeriodOf(size_t rule) const {
  return rule < options_.retention_rules.size() ? options_.retention_rules[rule].period_ns
                                                : options_.retention_ns;
}

absl::Status LogsDb::CutHead() {
  std::lock_guard cut(cut_mu_);
  {
    // No append is between its WAL write and its head insert while this is held, so the
    // frozen head holds exactly the records of the WAL segments before the new one.
    absl::WriterMutexLock appends(&append_mu_);
    std::shared_ptr<logs::LogHead> current;
    {
      std::lock_guard lock(mu_);
      current = head_;
    }
    if (current->rows() > 0) {
      auto next = wal_->NextSegment();
      if (!next.ok()) return next.status();
      std::lock_guard lock(mu_);
      frozen_.push_back(current);
      frozen_wal_upto_.push_back(*next);
      head_ = std::make_shared<logs::LogHead>(options_.max_streams);
    }
  }
  // Persist every frozen head, oldest first (an earlier failure leaves some behind).
  for (;;) {
    std::shared_ptr<logs::LogHead> head;
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
    auto segs = WriteCut(*head, upto, cut_id);
    if (!segs.ok()) return segs.status();
    {
      std::lock_guard lock(mu_);
      segments_.insert(segments_.end(), segs->begin(), segs->end());
      frozen_.erase(frozen_.begin());
      frozen_wal_upto_.erase(frozen_wal_upto_.begin());
    }
    if (cuts_) cuts_->Inc();
    LogInfo("logs", "log head written into segments",
            {{"cut", CutDirName(cut_id)}, {"lines", StrCat(head->rows())},
             {"segments", StrCat(segs->size())},
             {"duration_ms", StrCat((MonotonicNs() - start) / 1'000'000)}});
    if (absl::Status st = wal_->TruncateBefore(upto); !st.ok()) {
      LogWarn("logs", "truncating the log WAL failed", {{"error", std::string(st.message())}});
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::shared_ptr<const logs::Segment>>> LogsDb::WriteCut(
    logs::LogHead& head, int wal_upto, uint64_t cut_id) {
  logs::HeadSnapshot snap = head.Snapshot();
  // Streams ranked by labels, so each segment lists them sorted.
  std::vector<uint32_t> by_labels(snap.streams.size());
  for (uint32_t i = 0; i < by_labels.size(); ++i) by_labels[i] = i;
  std::sort(by_labels.begin(), by_labels.end(), [&](uint32_t a, uint32_t b) {
    return *snap.streams[a].labels < *snap.streams[b].labels;
  });
  std::vector<uint32_t> rank(snap.streams.size());
  for (uint32_t r = 0; r < by_labels.size(); ++r) rank[by_labels[r]] = r;
  std::vector<uint32_t> rule(snap.streams.size());
  for (uint32_t i = 0; i < rule.size(); ++i) rule[i] = static_cast<uint32_t>(RuleOf(*snap.streams[i].labels));

  std::vector<logs::CutRef> refs;
  for (uint32_t b = 0; b < snap.blocks.size(); ++b) {
    const auto& rows = snap.blocks[b]->rows();
    for (uint32_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      refs.push_back({rule[r.stream], WindowOf(r.timestamp_ns, options_.segment_window_ns),
                      rank[r.stream], r.timestamp_ns, b, i});
    }
  }
  // Ties keep arrival order (block, row), so equal timestamps stay in the order received.
  logs::SortCutRefs(&refs);

  const std::string root = options_.dir + "/segments";
  const std::string final_dir = root + "/" + CutDirName(cut_id);
  const std::string tmp_dir = final_dir + ".tmp";
  std::error_code ec;
  fs::remove_all(tmp_dir, ec);
  fs::create_directories(tmp_dir, ec);
  if (ec) return absl::UnavailableError(StrCat("cannot create ", tmp_dir, ": ", ec.message()));

  std::vector<std::string> names;
  std::vector<Labels> streams;
  std::vector<logs::SegmentRowInfo> infos;
  for (size_t start = 0; start < refs.size();) {
    size_t end = start;
    while (end < refs.size() && refs[end].rule == refs[start].rule &&
           refs[end].window == refs[start].window) {
      ++end;
    }
    streams.clear();
    infos.clear();
    for (size_t i = start; i < end; ++i) {
      if (i == start || refs[i].rank != refs[i - 1].rank) {
        streams.push_back(*snap.streams[by_labels[refs[i].rank]].labels);
      }
      infos.push_back({static_cast<uint32_t>(streams.size() - 1), refs[i].ts,
                       snap.blocks[refs[i].block]->rows()[refs[i].row].body_size});
    }
    std::string name = StrCat(refs[start].window * (options_.segment_window_ns / 1'000'000'000),
                              "-", refs[start].rule, ".seg");
    auto read = [&](size_t i, LogRecordView* out, std::vector<LogFieldView>* pool) {
      // Rows come in stream order, scattered over the head: start loading a few ahead.
      constexpr size_t kAhead = 8;
      if (start + i + kAhead < end) {
        const logs::CutRef& a = refs[start + i + kAhead];
        snap.blocks[a.block]->Prefetch(a.row);
      }
      const logs::CutRef& r = refs[start + i];
      snap.blocks[r.block]->Read(r.row, out, pool);
    };
    auto size = logs::WriteSegment(tmp_dir + "/" + name, streams, infos, read,
                                   options_.segment);
    if (!size.ok()) return size.status();
    names.push_back(name);
    start = end;
  }
  if (absl::Status st = WriteFileSync(tmp_dir + "/cut.meta", StrCat("wal_upto ", wal_upto, "\n"));
      !st.ok()) {
    return st;
  }
  if (absl::Status st = SyncDir(tmp_dir); !st.ok()) return st;
  fs::rename(tmp_dir, final_dir, ec);
  if (ec) return absl::UnavailableError(StrCat("cannot rename ", tmp_dir, ": ", ec.message()));
  if (absl::Status st = SyncDir(root); !st.ok()) return st;

  std::vector<std::shared_ptr<const logs::Segment>> out;
  for (const std::string& name : names) {
    auto seg = logs::Segment::Open(final_dir + "/" + name);
    if (!seg.ok()) return seg.status();
    out.push_back(std::move(*seg));
  }
  return out;
}

absl::Status LogsDb::ApplyRetention(int64_t now_ns) {
  std::lock_guard cut(cut_mu_);
  std::vector<std::shared_ptr<const logs::Segment>> expired;
  {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const logs::Segment>> kept;
    for (auto& seg : segments_) {
      // The longest period any of its streams is kept for (rules may have changed since
      // the cut grouped them).
      int64_t period = 0;
      for (const logs::StreamMeta& s : seg->meta().streams) {
        period = std::max(period, PeriodOf(RuleOf(s.labels)));
      }
      if (seg->meta().max_time < now_ns - period) {
        expired.push_back(seg);
      } else {
        kept.push_back(seg);
      }
    }
    segments_ = std::move(kept);
  }
  absl::Status first_error;
  for (const auto& seg : expired) {
    // Readers still holding the segment keep their mapping; the file goes now.
    std::error_code ec;
    fs::path path(seg->path());
    fs::remove(path, ec);
    if (ec && first_error.ok()) {
      first_error = absl::UnavailableError(StrCat("cannot delete ", seg->path(), ": ", ec.message()));
    }
    if (segments_deleted_) segments_deleted_->Inc();
    LogInfo("logs", "log segment deleted by retention",
            {{"segment", seg->path()}, {"newest", FormatRfc3339Nano(seg->meta().max_time)}});
    // An emptied cut directory goes too; its cut.meta only matters for the newest cut.
    fs::path dir = path.parent_path();
    bool has_segments = false;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".seg") has_segments = true;
    }
    uint64_t id = 0;
    ParseUint64(dir.filename().string(), &id);
    bool newest;
    {
      std::lock_guard lock(mu_);
      newest = id + 1 >= next_cut_id_;
    }
    if (!has_segments && !newest) fs::remove_all(dir, ec);
  }
  return first_error;
}

}  // namespace vigil
