#include "query/traces/trace_analysis.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "common/string_view_hash.h"

namespace vigil {
namespace {

int64_t EndOf(const Span& s) { return std::max(s.start_ns, s.end_ns); }

// For non-negative lengths: sums of saturated lengths must not overflow either.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max() : a + b;
}

// Earliest first: (start, span id, input index), as the tree orders spans.
struct Earlier {
  std::span<const Span> spans;
  bool operator()(uint32_t a, uint32_t b) const {
    return std::tie(spans[a].start_ns, spans[a].span_id, a) <
           std::tie(spans[b].start_ns, spans[b].span_id, b);
  }
};

// Extent, span and error counts, services, root and error spans.
void Summarize(std::span<const Span> spans, TraceAnalysis* a) {
  const Earlier earlier{spans};
  StringViewMap<uint32_t> service_index;
  uint32_t earliest = kNoSpan;
  std::vector<uint32_t> error_spans;
  bool first = true;
  for (uint32_t i : a->tree.preorder()) {
    const Span& s = spans[i];
    if (first) {
      a->start_ns = s.start_ns;
      a->end_ns = EndOf(s);
      first = false;
    } else {
      a->start_ns = std::min(a->start_ns, s.start_ns);
      a->end_ns = std::max(a->end_ns, EndOf(s));
    }
    ++a->span_count;
    auto [it, inserted] =
        service_index.try_emplace(std::string_view(s.service_name), a->services.size());
    if (inserted) a->services.push_back({s.service_name, 0, 0});
    ServiceSpanCount& svc = a->services[it->second];
    ++svc.span_count;
    if (s.status == SpanStatus::kError) {
      ++svc.error_count;
      error_spans.push_back(i);
    }
    if (earliest == kNoSpan || earlier(i, earliest)) earliest = i;
    if (s.parent_span_id == 0 && (a->root_span == kNoSpan || earlier(i, a->root_span))) {
      a->root_span = i;
    }
  }
  a->duration_ns = SpanDurationNs(a->start_ns, a->end_ns);
  a->error_count = error_spans.size();
  a->has_error = !error_spans.empty();
  std::sort(
      a->services.begin(), a->services.end(),
      [](const ServiceSpanCount& x, const ServiceSpanCount& y) { return x.service < y.service; });
  if (a->root_span == kNoSpan) a->root_span = earliest;
  a->root_service = spans[a->root_span].service_name;
  a->root_span_name = spans[a->root_span].name;
  std::sort(error_spans.begin(), error_spans.end(), earlier);
  a->errors.reserve(error_spans.size());
  for (uint32_t i : error_spans) {
    a->errors.push_back({i, spans[i].service_name, spans[i].name, spans[i].status_message});
  }
}

// Duration minus the union of the children's intervals clipped to the span. Children come in
// start order, and clipping keeps that order, so one sweep merges overlapping intervals.
void SelfTimes(std::span<const Span> spans, TraceAnalysis* a) {
  const TraceTree& tree = a->tree;
  for (uint32_t i : tree.preorder()) {
    const int64_t s = spans[i].start_ns;
    const int64_t e = EndOf(spans[i]);
    int64_t covered = 0;
    bool open = false;
    int64_t run_start = 0, run_end = 0;
    for (uint32_t c : tree.children(i)) {
      const int64_t cs = std::clamp(spans[c].start_ns, s, e);
      const int64_t ce = std::clamp(EndOf(spans[c]), s, e);
      if (ce <= cs) continue;
      if (open && cs <= run_end) {
        run_end = std::max(run_end, ce);
        continue;
      }
      if (open) covered = SaturatingAdd(covered, SpanDurationNs(run_start, run_end));
      open = true;
      run_start = cs;
      run_end = ce;
    }
    if (open) covered = SaturatingAdd(covered, SpanDurationNs(run_start, run_end));
    a->self_time_ns[i] = std::max<int64_t>(0, SpanDurationNs(s, e) - covered);
  }
}

void CriticalPath(std::span<const Span> spans, TraceAnalysis* a) {
  const TraceTree& tree = a->tree;
  const size_t n = tree.size();

  // Each span's interval clipped to its parent's clipped interval (parents come first in
  // preorder).
  std::vector<int64_t> eff_start(n, 0), eff_end(n, 0);
  for (uint32_t i : tree.preorder()) {
    const uint32_t p = tree.node(i).parent;
    if (p == kNoSpan) {
      eff_start[i] = spans[i].start_ns;
      eff_end[i] = EndOf(spans[i]);
    } else {
      eff_start[i] = std::clamp(spans[i].start_ns, eff_start[p], eff_end[p]);
      eff_end[i] = std::clamp(EndOf(spans[i]), eff_start[i], eff_end[p]);
    }
  }

  // Children by clipped end, latest first. As the cursor inside a span only moves back, a
  // child skipped for ending after the cursor is never eligible again, so one pointer per
  // span (next[]) walks its list once: the whole walk is linear after the sorts.
  std::vector<uint32_t> by_end(tree.child_list().begin(), tree.child_list().end());
  const auto later_end = [&](uint32_t x, uint32_t y) {
    if (eff_end[x] != eff_end[y]) return eff_end[x] > eff_end[y];
    return std::tie(eff_start[x], spans[x].span_id, x) <
           std::tie(eff_start[y], spans[y].span_id, y);
  };
  for (uint32_t i : tree.preorder()) {
    auto first = by_end.begin() + tree.node(i).first_child;
    std::sort(first, first + tree.node(i).num_children, later_end);
  }

  uint32_t root = kNoSpan;
  for (uint32_t r : tree.roots()) {
    if (root == kNoSpan || eff_end[r] > eff_end[root] ||
        (eff_end[r] == eff_end[root] && eff_start[r] < eff_start[root])) {
      root = r;
    }
  }
  a->critical_path_root = root;

  // Segments come out latest first; a segment adjacent to the previous one of the same span
  // (a zero-length child in between) extends it.
  std::vector<CriticalPathSegment>& path = a->critical_path;
  const auto emit = [&](uint32_t span, int64_t start, int64_t end) {
    if (end <= start) return;
    a->critical_path_ns[span] =
        SaturatingAdd(a->critical_path_ns[span], SpanDurationNs(start, end));
    if (!path.empty() && path.back().span == span && path.back().start_ns == end) {
      path.back().start_ns = start;
    } else {
      path.push_back({span, start, end});
    }
  };
  std::vector<uint32_t> next(n, 0);
  std::vector<uint32_t> stack;  // the spans the walk will return to
  uint32_t cur = root;
  int64_t cursor = eff_end[root];
  while (true) {
    const TraceTreeNode& node = tree.node(cur);
    uint32_t& k = next[cur];
    while (k < node.num_children && eff_end[by_end[node.first_child + k]] > cursor) ++k;
    if (k < node.num_children) {
      const uint32_t child = by_end[node.first_child + k];
      ++k;
      emit(cur, eff_end[child], cursor);
      stack.push_back(cur);
      cur = child;
      cursor = eff_end[child];
      continue;
    }
    emit(cur, eff_start[cur], cursor);
    if (stack.empty()) break;
    cursor = eff_start[cur];
    cur = stack.back();
    stack.pop_back();
  }
  std::reverse(path.begin(), path.end());
}

std::vector<RankedSpan> TopN(std::span<const Span> spans, std::span<const uint32_t> candidates,
                             size_t top_n, int64_t trace_duration_ns,
                             const std::vector<int64_t>* values) {
  std::vector<uint32_t> order(candidates.begin(), candidates.end());
  const auto value = [&](uint32_t i) {
    return values ? (*values)[i] : SpanDurationNs(spans[i].start_ns, spans[i].end_ns);
  };
  const auto larger = [&](uint32_t x, uint32_t y) {
    const int64_t vx = value(x), vy = value(y);
    if (vx != vy) return vx > vy;
    return std::tie(spans[x].start_ns, x) < std::tie(spans[y].start_ns, y);
  };
  const size_t k = std::min(top_n, order.size());
  std::partial_sort(order.begin(), order.begin() + k, order.end(), larger);
  std::vector<RankedSpan> out;
  out.reserve(k);
  for (size_t j = 0; j < k; ++j) {
    const int64_t v = value(order[j]);
    const double share = trace_duration_ns > 0
                             ? static_cast<double>(v) / static_cast<double>(trace_duration_ns)
                             : 0.0;
    out.push_back({order[j], v, share});
  }
  return out;
}

}  // namespace

TraceAnalysis AnalyzeTrace(std::span<const Span> spans, const TraceAnalysisOptions& options) {
  TraceAnalysis a;
  a.tree = TraceTree::Build(spans);
  spans = spans.first(a.tree.size());
  a.self_time_ns.assign(spans.size(), 0);
  a.critical_path_ns.assign(spans.size(), 0);
  if (a.tree.tree_size() == 0) return a;
  a.trace_id = spans[0].trace_id;
  Summarize(spans, &a);
  SelfTimes(spans, &a);
  CriticalPath(spans, &a);
  a.slowest_by_duration =
      TopN(spans, a.tree.preorder(), options.top_n, a.duration_ns, /*values=*/nullptr);
  a.slowest_by_self_time =
      TopN(spans, a.tree.preorder(), options.top_n, a.duration_ns, &a.self_time_ns);
  return a;
}

}  // namespace vigil
