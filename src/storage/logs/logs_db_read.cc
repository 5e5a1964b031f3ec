// LogsDb: the read side (records, streams, label names and values).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "storage/logs/logs_db.h"

namespace vigil {
namespace {

bool MatchesAll(const Matchers& matchers, const Labels& labels) {
  for (const LabelMatcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

bool Overlaps(int64_t min, int64_t max, int64_t start, int64_t end) {
  return max >= start && min < end;
}

// The head's records of matching streams, sorted by stream and time and handed over in
// batches per stream.
bool SelectHead(logs::LogHead& head, const LogSelectRequest& req, const LogRecordsFn& fn) {
  logs::HeadSnapshot snap = head.Snapshot();
  std::vector<uint8_t> matched(snap.streams.size(), 0);
  bool any = false;
  for (size_t s = 0; s < snap.streams.size(); ++s) {
    const logs::HeadStream& hs = snap.streams[s];
    matched[s] = Overlaps(hs.min_time, hs.max_time, req.start_ns, req.end_ns) &&
                 MatchesAll(req.matchers, *hs.labels);
    any = any || matched[s];
  }
  if (!any) return true;
  struct Ref {
    uint32_t stream;
    int64_t ts;
    uint32_t block;
    uint32_t row;
  };
  std::vector<Ref> refs;
  for (uint32_t b = 0; b < snap.blocks.size(); ++b) {
    const logs::HeadBlock& block = *snap.blocks[b];
    if (!Overlaps(block.min_time(), block.max_time(), req.start_ns, req.end_ns)) continue;
    const auto& rows = block.rows();
    for (uint32_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      if (matched[r.stream] && r.timestamp_ns >= req.start_ns && r.timestamp_ns < req.end_ns) {
        refs.push_back({r.stream, r.timestamp_ns, b, i});
      }
    }
  }
  std::sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) {
    return std::tie(a.stream, a.ts, a.block, a.row) < std::tie(b.stream, b.ts, b.block, b.row);
  });
  constexpr size_t kBatch = 4096;
  std::vector<LogRecordView> records;
  std::vector<LogFieldView> pool;
  std::vector<uint32_t> counts;
  for (size_t start = 0; start < refs.size();) {
    size_t end = start;
    while (end < refs.size() && end - start < kBatch && refs[end].stream == refs[start].stream) ++end;
    records.assign(end - start, LogRecordView{});
    counts.assign(end - start, 0);
    pool.clear();
    for (size_t i = start; i < end; ++i) {
      counts[i - start] = static_cast<uint32_t>(
          snap.blocks[refs[i].block]->Read(refs[i].row, &records[i - start], &pool));
    }
    size_t at = 0;
    for (size_t j = 0; j < records.size(); ++j) {
      records[j].fields = std::span<const LogFieldView>(pool.data() + at, counts[j]);
      at += counts[j];
    }
    if (!fn(*snap.streams[refs[start].stream].labels, records)) return false;
    start = end;
  }
  return true;
}

// Calls fn(labels) for every stream with records in the range, segments and heads alike
// (a stream may come several times).
template <typename Fn>
void ForEachStream(const std::vector<std::shared_ptr<const logs::Segment>>& segments,
                   const std::vector<std::shared_ptr<logs::LogHead>>& heads, int64_t start,
                   int64_t end, Fn&& fn) {
  for (const auto& seg : segments) {
    if (!Overlaps(seg->meta().min_time, seg->meta().max_time, start, end)) continue;
    for (const logs::StreamMeta& s : seg->meta().streams) {
      if (Overlaps(s.min_time, s.max_time, start, end)) fn(s.labels);
    }
  }
  for (const auto& head : heads) {
    logs::HeadSnapshot snap = head->Snapshot();
    for (const logs::HeadStream& s : snap.streams) {
      if (Overlaps(s.min_time, s.max_time, start, end)) fn(*s.labels);
    }
  }
}

}  // namespace

absl::Status LogsDb::Select(const LogSelectRequest& req, const LogRecordsFn& fn) {
  View v = Snapshot();
  using Order = LogSelectRequest::Order;
  if (req.order == Order::kAny) {
    // Segments are decompressed on several threads; the caller's function still runs on one
    // thread at a time (under `fn_mu`), as the interface promises.
    std::mutex fn_mu;
    std::atomic<bool> stop{false};
    auto serial = [&](const Labels& stream, std::span<const LogRecordView> records) {
      std::lock_guard lock(fn_mu);
      if (stop.load(std::memory_order_relaxed)) return false;
      if (!fn(stream, records)) stop.store(true, std::memory_order_relaxed);
      return !stop.load(std::memory_order_relaxed);
    };
    std::atomic<size_t> next{0};
    std::mutex err_mu;
    absl::Status error;
    auto work = [&] {
      for (size_t i; !stop.load(std::memory_order_relaxed) &&
                     (i = next.fetch_add(1, std::memory_order_relaxed)) < v.segments.size();) {
        auto more = v.segments[i]->Select(req, serial);
        if (!more.ok()) {
          std::lock_guard lock(err_mu);
          if (error.ok()) error = more.status();
          stop.store(true, std::memory_order_relaxed);
        }
      }
    };
    const size_t threads = std::min<size_t>(options_.query_threads, v.segments.size());
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (std::thread& t : helpers) t.join();
    if (!error.ok()) return error;
    if (stop.load()) return absl::OkStatus();
    for (const auto& head : v.heads) {
      if (!SelectHead(*head, req, fn)) return absl::OkStatus();
    }
    return absl::OkStatus();
  }
  // Time-ordered: the candidate blocks of every segment, newest (oldest) first, so that a
  // caller keeping the newest N records can raise the cutoff early and end the scan.
  const bool newest = req.order == Order::kNewestFirst;
  auto unwanted = [&](int64_t min_t, int64_t max_t) {
    if (req.cutoff == nullptr) return false;
    int64_t c = req.cutoff->load(std::memory_order_relaxed);
    return newest ? max_t < c : min_t > c;
  };
  if (newest) {
    // The heads hold the newest records as a rule; the live head is the last.
    for (auto it = v.heads.rbegin(); it != v.heads.rend(); ++it) {
      if (!SelectHead(**it, req, fn)) return absl::OkStatus();
    }
  }
  std::vector<logs::SegmentPlan> plans(v.segments.size());
  struct Ref {
    uint32_t seg, block;
    int64_t min_t, max_t;
  };
  std::vector<Ref> refs;
  for (uint32_t i = 0; i < v.segments.size(); ++i) {
    if (!v.segments[i]->Plan(req, &plans[i])) continue;
    for (uint32_t b : plans[i].blocks) {
      const logs::BlockMeta& bm = v.segments[i]->meta().blocks[b];
      refs.push_back({i, b, bm.min_time, bm.max_time});
    }
  }
  std::sort(refs.begin(), refs.end(), [&](const Ref& a, const Ref& b) {
    return newest ? a.max_t > b.max_t : a.min_t < b.min_t;
  });
  for (const Ref& r : refs) {
    // Sorted, so once one block is past the cutoff every later one is too.
    if (unwanted(r.min_t, r.max_t)) break;
    auto more = v.segments[r.seg]->ReadBlock(req, plans[r.seg], r.block, fn);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
  if (!newest) {
    for (const auto& head : v.heads) {
      if (!SelectHead(*head, req, fn)) return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Labels>> LogsDb::Streams(const Matchers& matchers, int64_t start_ns,
                                                    int64_t end_ns) {
  View v = Snapshot();
  std::set<Labels> found;
  ForEachStream(v.segments, v.heads, start_ns, end_ns, [&](const Labels& l) {
    if (MatchesAll(matchers, l)) found.insert(l);
  });
  return std::vector<Labels>(found.begin(), found.end());
}

absl::StatusOr<std::vector<std::string>> LogsDb::LabelNames(int64_t start_ns, int64_t end_ns) {
  View v = Snapshot();
  std::set<std::string, std::less<>> names;
  ForEachStream(v.segments, v.heads, start_ns, end_ns, [&](const Labels& l) {
    for (const LabelView& lv : l) {
      if (names.find(lv.name) == names.end()) names.emplace(lv.name);
    }
  });
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::vector<std::string>> LogsDb::LabelValues(std::string_view name,
                                                             int64_t start_ns, int64_t end_ns) {
  View v = Snapshot();
  std::set<std::string, std::less<>> values;
  ForEachStream(v.segments, v.heads, start_ns, end_ns, [&](const Labels& l) {
    std::string_view value = l.Get(name);
    if (!value.empty() && values.find(value) == values.end()) values.emplace(value);
  });
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace vigil
