#include "query/logsearch/log_search.h"

#include <algorithm>
#include <map>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "common/strings.h"
#include "query/logsearch/record_fields.h"

namespace vigil::logsearch {
namespace {

bool HasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// ASCII case-insensitive substring search; `needle_lower` is already lowercase.
bool ContainsFolded(std::string_view hay, std::string_view needle_lower) {
  if (needle_lower.empty()) return true;
  if (hay.size() < needle_lower.size()) return false;
  const char first = needle_lower[0];
  for (size_t i = 0; i + needle_lower.size() <= hay.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(hay[i])) != first) continue;
    size_t k = 1;
    while (k < needle_lower.size() &&
           absl::ascii_tolower(static_cast<unsigned char>(hay[i + k])) == needle_lower[k]) {
      ++k;
    }
    if (k == needle_lower.size()) return true;
  }
  return false;
}

// The store request and a per-record predicate for a query.
class Matcher {
 public:
  explicit Matcher(const SearchQuery& q) : q_(q) {
    case_sensitive_ = HasUpper(q.text);
    text_lower_ = case_sensitive_ ? q.text : ToStd(absl::AsciiStrToLower(ToAbsl(q.text)));
  }

  LogSelectRequest Request() const {
    LogSelectRequest req;
    req.start_ns = q_.start_ns;
    req.end_ns = q_.end_ns;
    req.matchers = q_.selector;
    if (!q_.text.empty() && case_sensitive_) req.hints.body_contains.push_back(q_.text);
    for (const FieldFilter& f : q_.filters) {
      if (f.op() != FieldFilter::Op::kEq || f.value().empty()) continue;
      if (f.name() == "trace_id") {
        req.hints.trace_id = f.value();
      } else if (f.name() != "body" && f.name() != "message" && f.name() != "level" &&
                 f.name() != "severity" && f.name() != "_line" && f.name() != "_pattern" &&
                 f.name() != "span_id") {
        req.hints.field_equals.emplace_back(f.name(), f.value());
      } else if (f.name() == "span_id") {
        req.hints.field_equals.emplace_back("span_id", f.value());
      }
    }
    return req;
  }

  bool Matches(const Labels& stream, const LogRecordView& r) {
    if (!q_.text.empty()) {
      bool hit = case_sensitive_ ? r.body.find(q_.text) != std::string_view::npos
                                 : ContainsFolded(r.body, text_lower_);
      if (!hit) return false;
    }
    for (const FieldFilter& f : q_.filters) {
      if (!f.Matches(stream, r, &scratch_)) return false;
    }
    return true;
  }

 private:
  const SearchQuery& q_;
  bool case_sensitive_ = false;
  std::string text_lower_;
  std::string scratch_;
};

FoundRecord Own(const Labels& stream, const LogRecordView& r) {
  FoundRecord f;
  f.stream = stream;
  f.timestamp_ns = r.timestamp_ns;
  f.severity = r.severity;
  f.severity_text = r.severity_text;
  f.body = r.body;
  f.trace_id = r.trace_id;
  f.span_id = r.span_id;
  f.fields.reserve(r.fields.size());
  for (const LogFieldView& x : r.fields) f.fields.emplace_back(x.name, x.value);
  return f;
}

// "Comes before" in the page order.
struct PageOrder {
  bool newest_first;
  bool operator()(int64_t ta, const Labels& sa, std::string_view ba, int64_t tb, const Labels& sb,
                  std::string_view bb) const {
    if (ta != tb) return newest_first ? ta > tb : ta < tb;
    if (int c = Labels::Compare(sa, sb); c != 0) return c < 0;
    return ba < bb;
  }
};

bool ParseCursor(std::string_view c, int64_t* ts, uint64_t* skip) {
  size_t colon = c.find(':');
  return colon != std::string_view::npos && ParseInt64(c.substr(0, colon), ts) &&
         ParseUint64(c.substr(colon + 1), skip);
}

}  // namespace

absl::StatusOr<SearchResult> Search(LogsStore& store, const SearchQuery& query) {
  SearchQuery q = query;
  int64_t cursor_ts = 0;
  uint64_t cursor_skip = 0;
  bool has_cursor = !q.cursor.empty();
  if (has_cursor) {
    if (!ParseCursor(q.cursor, &cursor_ts, &cursor_skip)) {
      return absl::InvalidArgumentError(StrCat("invalid cursor ", QuoteString(q.cursor)));
    }
    // Records before the cursor's timestamp are done; those at it are partly done.
    if (q.newest_first) {
      q.end_ns = std::min(q.end_ns, cursor_ts + 1);
    } else {
      q.start_ns = std::max(q.start_ns, cursor_ts);
    }
  }
  if (q.start_ns >= q.end_ns) return SearchResult{};
  Matcher m(q);
  PageOrder before{q.newest_first};
  // Keep the first (skip + limit + 1) records in page order: a heap whose top is the last.
  const size_t keep = static_cast<size_t>(cursor_skip) + q.limit + 1;
  auto heap_less = [&](const FoundRecord& a, const FoundRecord& b) {
    return before(a.timestamp_ns, a.stream, a.body, b.timestamp_ns, b.stream, b.body);
  };
  std::priority_queue<FoundRecord, std::vector<FoundRecord>, decltype(heap_less)> heap(heap_less);
  SearchResult res;
  absl::Status st = store.Select(m.Request(), [&](const Labels& stream, std::span<const LogRecordView> recs) {
    res.scanned += recs.size();
    for (const LogRecordView& r : recs) {
      if (!m.Matches(stream, r)) continue;
      res.matched++;
      if (heap.size() >= keep) {
        const FoundRecord& last = heap.top();
        if (!before(r.timestamp_ns, stream, r.body, last.timestamp_ns, last.stream, last.body)) continue;
        heap.pop();
      }
      heap.push(Own(stream, r));
    }
    return true;
  });
  if (!st.ok()) return st;
  std::vector<FoundRecord> sorted;
  sorted.reserve(heap.size());
  while (!heap.empty()) {
    sorted.push_back(std::move(const_cast<FoundRecord&>(heap.top())));
    heap.pop();
  }
  std::reverse(sorted.begin(), sorted.end());
  // Drop what earlier pages returned: records at the cursor's timestamp, `skip` of them.
  size_t from = 0;
  if (has_cursor) {
    uint64_t skipped = 0;
    while (from < sorted.size() && skipped < cursor_skip && sorted[from].timestamp_ns == cursor_ts) {
      ++from;
      ++skipped;
    }
  }
  size_t to = std::min(sorted.size(), from + q.limit);
  for (size_t i = from; i < to; ++i) res.records.push_back(std::move(sorted[i]));
  if (to < sorted.size() && !res.records.empty()) {
    int64_t last_ts = res.records.back().timestamp_ns;
    uint64_t same = 0;
    for (auto it = res.records.rbegin(); it != res.records.rend() && it->timestamp_ns == last_ts; ++it) {
      ++same;
    }
    if (has_cursor && last_ts == cursor_ts) same += cursor_skip;
    res.next_cursor = StrCat(last_ts, ":", same);
  }
  return res;
}

absl::StatusOr<AggregateResult> Aggregate(LogsStore& store, const AggregateQuery& q) {
  if (q.where.start_ns >= q.where.end_ns) return AggregateResult{};
  Matcher m(q.where);
  LogSelectRequest req = m.Request();
  // Without text, filters or a grouping field that needs them, only timestamps are read.
  bool needs_fields = !q.where.filters.empty() || !q.by.empty();
  req.want_body = !q.where.text.empty() || needs_fields;
  req.want_fields = needs_fields;
  AggregateResult res;
  absl::flat_hash_map<std::string, uint64_t> counts;
  // (bucket, value) -> count; values are decided once the top is known.
  std::map<std::pair<int64_t, std::string>, uint64_t> by_bucket;
  std::map<int64_t, uint64_t> bucket_totals;
  std::string scratch;
  constexpr size_t kMaxDistinct = 1'000'000;
  bool capped = false;
  absl::Status st = store.Select(req, [&](const Labels& stream, std::span<const LogRecordView> recs) {
    for (const LogRecordView& r : recs) {
      if (!m.Matches(stream, r)) continue;
      res.total++;
      std::string_view value;
      if (!q.by.empty()) {
        value = FieldValue(stream, r, q.by, &scratch);
        auto it = counts.find(ToAbsl(value));
        if (it != counts.end()) {
          it->second++;
        } else if (counts.size() < kMaxDistinct) {
          counts.emplace(std::string(value), 1);
        } else {
          capped = true;
        }
      }
      if (q.step_ns > 0) {
        int64_t b = r.timestamp_ns - q.where.start_ns;
        b = q.where.start_ns + (b / q.step_ns) * q.step_ns;
        bucket_totals[b]++;
        if (!q.by.empty()) by_bucket[{b, std::string(value)}]++;
      }
    }
    return true;
  });
  if (!st.ok()) return st;
  if (capped) {
    return absl::ResourceExhaustedError(StrCat("more than ", kMaxDistinct, " distinct values of ",
                                               QuoteString(q.by), "; narrow the search"));
  }
  res.distinct = counts.size();
  std::vector<std::pair<std::string, uint64_t>> all(counts.begin(), counts.end());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (all.size() > q.top) all.resize(q.top);
  res.top = std::move(all);
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < res.top.size(); ++i) index[res.top[i].first] = i;
  for (const auto& [b, total] : bucket_totals) {
    AggregateResult::Bucket bucket{b, total, std::vector<uint64_t>(res.top.size(), 0)};
    res.buckets.push_back(std::move(bucket));
  }
  for (const auto& [key, n] : by_bucket) {
    auto it = index.find(key.second);
    if (it == index.end()) continue;
    auto b = std::lower_bound(res.buckets.begin(), res.buckets.end(), key.first,
                              [](const AggregateResult::Bucket& x, int64_t t) { return x.start_ns < t; });
    b->counts[it->second] += n;
  }
  return res;
}

}  // namespace vigil::logsearch
