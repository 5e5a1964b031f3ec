#include "query/traces/trace_search.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"

namespace vigil {
namespace {

struct Candidate {
  int64_t newest_start = std::numeric_limits<int64_t>::min();
  int64_t oldest_start = std::numeric_limits<int64_t>::max();
  uint64_t matched = 0;
};

}  // namespace

bool IsEmpty(const TraceFilter& f) {
  return f.root_service.empty() && f.root_span_name.empty() && f.min_duration_ns <= 0 &&
         f.max_duration_ns == std::numeric_limits<int64_t>::max() && f.min_span_count == 0 &&
         f.max_span_count == std::numeric_limits<uint64_t>::max() && !f.has_error &&
         f.service.empty();
}

absl::StatusOr<TraceSearchResult> SearchTraces(TracesStore& store, const TraceSearchRequest& req) {
  TraceSearchResult out;
  if (req.limit == 0) return out;
  const bool span_conditions = !req.spans.empty();
  const bool trace_conditions = !IsEmpty(req.traces);

  absl::flat_hash_map<TraceId, Candidate> candidates;
  if (span_conditions) {
    auto collect = [&](int64_t from, int64_t to) {
      SpanScanRequest scan;
      scan.start_ns = from;
      scan.end_ns = to;
      scan.filter = req.spans;
      scan.cutoff = req.cutoff;
      scan.span_ids = false;  // candidates are kept by trace id and start only
      return store.ScanSpans(scan, [&](std::span<const SpanRow> rows) {
        for (const SpanRow& r : rows) {
          Candidate& c = candidates[r.trace_id];
          c.newest_start = std::max(c.newest_start, r.start_ns);
          c.oldest_start = std::min(c.oldest_start, r.start_ns);
          c.matched++;
        }
        return true;
      });
    };
    if (trace_conditions) {
      if (absl::Status st = collect(req.start_ns, req.end_ns); !st.ok()) return st;
    } else {
      // Only the newest `limit` traces are wanted: the last sixteenth of the range first, and
      // the rest only when it holds fewer (older data cannot displace them). At most two
      // passes: a store whose segments each cover the whole range reads them once more.
      const int64_t split = req.end_ns - std::max<int64_t>((req.end_ns - req.start_ns) / 16, 1);
      if (absl::Status st = collect(std::max(split, req.start_ns), req.end_ns); !st.ok()) return st;
      if (candidates.size() < req.limit && split > req.start_ns) {
        if (absl::Status st = collect(req.start_ns, split); !st.ok()) return st;
      }
    }
    if (candidates.empty()) return out;
  }

  std::vector<TraceSummary> summaries;
  if (!trace_conditions && span_conditions) {
    // The newest candidates by their newest matching span, each fetched whole.
    std::vector<std::pair<int64_t, TraceId>> order;
    order.reserve(candidates.size());
    for (const auto& [id, c] : candidates) order.push_back({c.newest_start, id});
    size_t n = std::min(req.limit, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n), order.end(),
                      [](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : a.second < b.second;
                      });
    // Fetched in trace-id order: a segment keeps a section's traces in id order, so
    // neighbours often share a block, which is then decoded once.
    std::sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    TraceSummarizer summarizer;
    for (size_t i = 0; i < n; ++i) {
      const Candidate& c = candidates[order[i].second];
      absl::Status st = store.ScanTrace(order[i].second, c.oldest_start - req.trace_slack_ns,
                                        c.newest_start + req.trace_slack_ns,
                                        [&](std::span<const SpanRow> rows) { summarizer.Add(rows); });
      if (!st.ok()) return st;
    }
    summaries = summarizer.Finish();
  } else {
    // Whole traces from the light rows of the (widened) range.
    SpanScanRequest scan;
    scan.start_ns = req.start_ns - (span_conditions ? req.trace_slack_ns : 0);
    scan.end_ns = req.end_ns + (span_conditions ? req.trace_slack_ns : 0);
    if (scan.start_ns > req.start_ns) scan.start_ns = std::numeric_limits<int64_t>::min();
    if (scan.end_ns < req.end_ns) scan.end_ns = std::numeric_limits<int64_t>::max();
    scan.cutoff = req.cutoff;
    TraceSummarizer summarizer;
    std::vector<SpanRow> kept;
    absl::Status st = store.ScanSpans(scan, [&](std::span<const SpanRow> rows) {
      if (!span_conditions) {
        summarizer.Add(rows);
        return true;
      }
      kept.clear();
      for (const SpanRow& r : rows) {
        if (candidates.contains(r.trace_id)) kept.push_back(r);
      }
      summarizer.Add(kept);
      return true;
    });
    if (!st.ok()) return st;
    for (TraceSummary& t : summarizer.Finish()) {
      // Without span conditions a trace belongs to the range by its start.
      if (!span_conditions && (t.start_ns < req.start_ns || t.start_ns >= req.end_ns)) continue;
      if (!req.traces.Matches(t)) continue;
      summaries.push_back(std::move(t));
      if (summaries.size() == req.limit) break;  // Finish lists newest first
    }
  }
  for (TraceSummary& t : summaries) {
    auto it = candidates.find(t.trace_id);
    out.matched_spans.push_back(it == candidates.end() ? 0 : it->second.matched);
    out.traces.push_back(std::move(t));
    if (out.traces.size() == req.limit) break;
  }
  return out;
}

}  // namespace vigil
