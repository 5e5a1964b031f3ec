#include "query/traces/service_graph.h"

#include <algorithm>
#include <cmath>

#include "query/traces/trace_analysis.h"

namespace vigil {

int64_t NearestRankQuantile(std::vector<int64_t>* values, double q) {
  if (values->empty()) return 0;
  const size_t n = values->size();
  q = std::clamp(q, 0.0, 1.0);
  // The epsilon keeps q * n that should be an integer (0.95 * 20) from rounding up past it.
  const double rank = std::ceil(q * static_cast<double>(n) - 1e-9);
  const size_t index = rank < 1 ? 0 : std::min(n, static_cast<size_t>(rank)) - 1;
  std::nth_element(values->begin(), values->begin() + index, values->end());
  return (*values)[index];
}

uint32_t ServiceGraphBuilder::InternService(std::string_view name) {
  auto it = service_index_.find(name);
  if (it != service_index_.end()) return it->second;
  const std::string_view kept = names_arena_.Copy(name);
  const uint32_t id = static_cast<uint32_t>(service_names_.size());
  service_names_.push_back(kept);
  service_index_.emplace(kept, id);
  nodes_.emplace_back();
  return id;
}

void ServiceGraphBuilder::AddEdge(uint32_t client, uint32_t server, bool error,
                                  int64_t duration_ns) {
  EdgeStats& e = edges_[(static_cast<uint64_t>(client) << 32) | server];
  if (error) ++e.errors;
  e.durations.push_back(duration_ns);
}

void ServiceGraphBuilder::Add(std::span<const SpanRow> rows) {
  uint32_t last_service = 0;
  std::string_view last_name;
  bool have_last = false;
  for (const SpanRow& row : rows) {
    // Rows of one service tend to come together: skip the lookup for a repeat.
    if (!have_last || row.service_name != last_name) {
      last_service = InternService(row.service_name);
      last_name = service_names_[last_service];
      have_last = true;
    }
    const uint32_t service = last_service;
    if (!span_service_.try_emplace(SpanKey{row.trace_id, row.span_id}, service).second) {
      continue;  // seen before
    }
    const bool error = row.status == SpanStatus::kError;
    const int64_t duration = SpanDurationNs(row.start_ns, row.end_ns);
    NodeStats& node = nodes_[service];
    ++node.spans;
    if (row.kind == SpanKind::kServer || row.parent_span_id == 0) {
      if (error) ++node.errors;
      node.call_durations.push_back(duration);
    }
    if (row.parent_span_id == 0) continue;
    const SpanKey parent{row.trace_id, row.parent_span_id};
    auto it = span_service_.find(parent);
    if (it == span_service_.end()) {
      pending_.push_back({parent, service, error, duration});
    } else if (it->second != service) {
      AddEdge(it->second, service, error, duration);
    }
  }
}

std::vector<ServiceEdge> ServiceGraphBuilder::Finish(std::vector<ServiceNode>* nodes) {
  unresolved_parents_ = 0;
  for (const Pending& p : pending_) {
    auto it = span_service_.find(p.parent);
    if (it == span_service_.end()) {
      ++unresolved_parents_;
    } else if (it->second != p.service) {
      AddEdge(it->second, p.service, p.error, p.duration_ns);
    }
  }

  std::vector<ServiceEdge> edges;
  edges.reserve(edges_.size());
  for (auto& [key, stats] : edges_) {
    ServiceEdge e;
    e.client = service_names_[key >> 32];
    e.server = service_names_[key & 0xffffffffu];
    e.calls = stats.durations.size();
    e.errors = stats.errors;
    e.p50_ns = NearestRankQuantile(&stats.durations, 0.50);
    e.p95_ns = NearestRankQuantile(&stats.durations, 0.95);
    e.p99_ns = NearestRankQuantile(&stats.durations, 0.99);
    edges.push_back(std::move(e));
  }
  std::sort(edges.begin(), edges.end(), [](const ServiceEdge& a, const ServiceEdge& b) {
    if (a.client != b.client) return a.client < b.client;
    return a.server < b.server;
  });

  if (nodes != nullptr) {
    nodes->clear();
    nodes->reserve(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].spans == 0) continue;  // named only by a repeated span
      ServiceNode n;
      n.service = service_names_[i];
      n.spans = nodes_[i].spans;
      n.calls = nodes_[i].call_durations.size();
      n.errors = nodes_[i].errors;
      n.p95_ns = NearestRankQuantile(&nodes_[i].call_durations, 0.95);
      nodes->push_back(std::move(n));
    }
    std::sort(nodes->begin(), nodes->end(),
              [](const ServiceNode& a, const ServiceNode& b) { return a.service < b.service; });
  }

  service_index_.clear();
  service_names_.clear();
  nodes_.clear();
  span_service_.clear();
  edges_.clear();
  pending_.clear();
  names_arena_.Clear();
  return edges;
}

}  // namespace vigil
