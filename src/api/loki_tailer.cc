#include "api/loki_tailer.h"

#include <algorithm>
#include <functional>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "common/json_writer.h"
#include "common/strings.h"

namespace vigil {
namespace {

// splitmix64's finalizer: spreads the bits of combined hashes.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t EntryKey(uint64_t labels_hash, int64_t ts, std::string_view line) {
  uint64_t h = Mix(labels_hash ^ std::hash<std::string_view>{}(line));
  return Mix(h ^ static_cast<uint64_t>(ts));
}

// What an entry weighs in the buffer: its line plus the bookkeeping around it.
size_t EntryBytes(const std::string& line) { return line.size() + 64; }

}  // namespace

LokiTailer::LokiTailer(const logql::LogqlEngine& engine, LokiTailQuery query,
                       LokiTailerOptions options)
    : engine_(engine), query_(std::move(query)), options_(options) {}

absl::StatusOr<bool> LokiTailer::Poll(LogsStore& store, int64_t now_ns) {
  // End of the window, exclusive: entries stamped up to now - delay are due.
  const int64_t hi = now_ns - query_.delay_ns + 1;
  logql::LogqlQuery q;
  q.text = query_.query;
  size_t total = 0;
  int64_t newest = 0, oldest = 0;

  if (!initial_done_) {
    initial_done_ = true;
    lo_ = std::max(query_.start_ns, hi - options_.late_window_ns);
    if (query_.limit == 0) {
      lo_ = std::max(query_.start_ns, hi);  // no history asked for: only what comes next
      return false;
    }
    if (hi <= query_.start_ns) return false;
    // The newest `limit` entries since start.
    q.start_ns = query_.start_ns;
    q.end_ns = hi;
    q.limit = query_.limit;
    q.backward = true;
    auto result = engine_.Exec(store, q);
    if (!result.ok()) return result.status();
    Take(result->streams, &total, &newest, &oldest);
    // Cut by the limit: what is older than the oldest kept entry was passed over on
    // purpose and must not come back through the overlap window.
    if (total >= q.limit) lo_ = std::max(lo_, oldest + 1);
    Forget();
    return false;
  }

  if (hi <= lo_) return false;
  q.start_ns = lo_;
  q.end_ns = hi;
  q.limit = std::max<size_t>(1, std::min(options_.poll_limit, engine_.options().max_entries));
  q.backward = false;
  auto result = engine_.Exec(store, q);
  if (!result.ok()) return result.status();
  Take(result->streams, &total, &newest, &oldest);
  bool truncated = total >= q.limit;
  if (truncated) {
    // Page on from the newest timestamp seen (its entries are remembered); if the whole page
    // shared lo_'s timestamp, no page can get past it, so skip the rest of that instant.
    lo_ = newest > lo_ ? newest : lo_ + 1;
  } else {
    lo_ = std::max(lo_, hi - options_.late_window_ns);
  }
  Forget();
  return truncated;
}

void LokiTailer::Take(std::vector<logql::LogStream>& streams, size_t* total, int64_t* newest,
                      int64_t* oldest) {
  struct Item {
    int64_t ts;
    uint64_t key;
    size_t stream;
    std::string* line;
  };
  std::vector<std::shared_ptr<const Labels>> labels;
  labels.reserve(streams.size());
  std::vector<Item> items;
  for (logql::LogStream& s : streams) {
    uint64_t lh = s.labels.Hash();
    for (logql::LogEntry& e : s.entries) {
      items.push_back(
          {e.timestamp_ns, EntryKey(lh, e.timestamp_ns, e.line), labels.size(), &e.line});
    }
    labels.push_back(std::make_shared<const Labels>(std::move(s.labels)));
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.ts < b.ts; });
  *total = items.size();
  if (!items.empty()) {
    *oldest = items.front().ts;
    *newest = items.back().ts;
  }
  for (Item& it : items) {
    if (!seen_.insert(it.key).second) continue;
    seen_order_.emplace_back(it.ts, it.key);
    Push({it.ts, labels[it.stream], std::move(*it.line)});
  }
}

void LokiTailer::Forget() {
  while (!seen_order_.empty() &&
         (seen_order_.front().first < lo_ || seen_order_.size() > options_.max_remembered)) {
    seen_.erase(seen_order_.front().second);
    seen_order_.pop_front();
  }
}

void LokiTailer::Push(Entry e) {
  buffer_bytes_ += EntryBytes(e.line);
  buffer_.push_back(std::move(e));
  while (buffer_.size() > 1 && (buffer_.size() > options_.max_buffered_entries ||
                                buffer_bytes_ > options_.max_buffered_bytes)) {
    Entry& old = buffer_.front();
    buffer_bytes_ -= EntryBytes(old.line);
    dropped_.push_back({old.ts, std::move(old.labels)});
    if (dropped_.size() > options_.max_dropped_reported) dropped_.pop_front();
    ++dropped_total_;
    buffer_.pop_front();
  }
}

std::string LokiTailer::BuildFrame(size_t* entries) const {
  size_t n = 0, bytes = 0;
  while (n < buffer_.size() && n < options_.max_frame_entries &&
         (n == 0 || bytes + buffer_[n].line.size() <= options_.max_frame_bytes)) {
    bytes += buffer_[n].line.size();
    ++n;
  }
  *entries = n;
  // One stream object per label set, in order of first appearance; values oldest first.
  std::vector<const Labels*> order;
  absl::flat_hash_map<const Labels*, std::vector<size_t>> groups;
  for (size_t i = 0; i < n; ++i) {
    const Labels* l = buffer_[i].labels.get();
    auto [it, added] = groups.try_emplace(l);
    if (added) order.push_back(l);
    it->second.push_back(i);
  }
  std::string out;
  out.reserve(bytes + n * 32 + 64);
  JsonWriter w(&out);
  w.BeginObject().Key("streams").BeginArray();
  for (const Labels* l : order) {
    w.BeginObject().Key("stream").LabelsObject(*l).Key("values").BeginArray();
    for (size_t i : groups[l]) {
      w.BeginArray().String(StrCat(buffer_[i].ts)).String(buffer_[i].line).EndArray();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().Key("dropped_entries");
  if (dropped_.empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const Dropped& d : dropped_) {
      w.BeginObject().Key("labels").LabelsObject(*d.labels);
      w.KV("timestamp", StrCat(d.ts)).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return out;
}

void LokiTailer::ConsumeFrame(size_t entries) {
  entries = std::min(entries, buffer_.size());
  for (size_t i = 0; i < entries; ++i) {
    buffer_bytes_ -= EntryBytes(buffer_.front().line);
    buffer_.pop_front();
  }
  dropped_.clear();
}

}  // namespace vigil
