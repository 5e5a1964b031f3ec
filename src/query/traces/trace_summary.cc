#include "query/traces/trace_summary.h"

#include <algorithm>
#include <tuple>

#include "query/traces/trace_analysis.h"

namespace vigil {
namespace {

void SortUnique(std::vector<uint32_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

uint32_t TraceSummarizer::InternService(std::string_view name) {
  auto it = service_index_.find(name);
  if (it != service_index_.end()) return it->second;
  const std::string_view kept = names_arena_.Copy(name);
  const uint32_t id = static_cast<uint32_t>(service_names_.size());
  service_names_.push_back(kept);
  service_index_.emplace(kept, id);
  return id;
}

void TraceSummarizer::AddRow(Accum& t, const SpanRow& row) {
  const int64_t end = std::max(row.start_ns, row.end_ns);
  if (t.span_count == 0) {
    t.start_ns = row.start_ns;
    t.end_ns = end;
  } else {
    t.start_ns = std::min(t.start_ns, row.start_ns);
    t.end_ns = std::max(t.end_ns, end);
  }
  ++t.span_count;
  if (row.status == SpanStatus::kError) ++t.error_count;

  // Rows of one service tend to come together: skip the repeat before it costs memory.
  const uint32_t service = InternService(row.service_name);
  if (t.services.empty() || t.services.back() != service) {
    t.services.push_back(service);
    if (t.services.size() >= 2 * t.services_unique + 8) {
      SortUnique(&t.services);
      t.services_unique = t.services.size();
    }
  }

  const bool genuine = row.parent_span_id == 0;
  const bool better =
      t.span_count == 1 || (genuine && !t.root_is_genuine) ||
      (genuine == t.root_is_genuine &&
       std::tie(row.start_ns, row.span_id) < std::tie(t.root_start_ns, t.root_span_id));
  if (better) {
    t.root_is_genuine = genuine;
    t.root_start_ns = row.start_ns;
    t.root_span_id = row.span_id;
    t.root_service = service;
    t.root_span_name.assign(row.name);
  }
}

void TraceSummarizer::Add(std::span<const SpanRow> rows) {
  // The rows of one trace are adjacent within a batch: look the trace up once per run.
  Accum* current = nullptr;
  for (const SpanRow& row : rows) {
    if (current == nullptr || current->trace_id != row.trace_id) {
      auto [it, inserted] =
          trace_index_.try_emplace(row.trace_id, static_cast<uint32_t>(traces_.size()));
      if (inserted) {
        traces_.emplace_back();
        traces_.back().trace_id = row.trace_id;
      }
      current = &traces_[it->second];
    }
    AddRow(*current, row);
  }
}

std::vector<TraceSummary> TraceSummarizer::Finish() {
  std::vector<TraceSummary> out;
  out.reserve(traces_.size());
  for (Accum& t : traces_) {
    TraceSummary s;
    s.trace_id = t.trace_id;
    s.root_service = service_names_[t.root_service];
    s.root_span_name = std::move(t.root_span_name);
    s.start_ns = t.start_ns;
    s.duration_ns = SpanDurationNs(t.start_ns, t.end_ns);
    s.span_count = t.span_count;
    s.error_count = t.error_count;
    SortUnique(&t.services);
    s.services.reserve(t.services.size());
    for (uint32_t id : t.services) s.services.emplace_back(service_names_[id]);
    std::sort(s.services.begin(), s.services.end());
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const TraceSummary& a, const TraceSummary& b) {
    if (a.start_ns != b.start_ns) return a.start_ns > b.start_ns;
    return a.trace_id < b.trace_id;
  });
  trace_index_.clear();
  traces_.clear();
  service_index_.clear();
  service_names_.clear();
  names_arena_.Clear();
  return out;
}

bool TraceFilter::Matches(const TraceSummary& t) const {
  if (!root_service.empty() && t.root_service != root_service) return false;
  if (!root_span_name.empty() && t.root_span_name != root_span_name) return false;
  if (t.duration_ns < min_duration_ns || t.duration_ns > max_duration_ns) return false;
  if (t.span_count < min_span_count || t.span_count > max_span_count) return false;
  if (has_error.has_value() && t.has_error() != *has_error) return false;
  if (!service.empty() && !std::binary_search(t.services.begin(), t.services.end(), service)) {
    return false;
  }
  return true;
}

}  // namespace vigil
