#include "query/promql/engine/cell_aggregator.h"

#include "common/strings.h"
#include "query/promql/engine/label_util.h"

namespace vigil::promql {

Labels AggregationGroupLabels(const Labels& l, const AggregateExpr& e, std::string_view extra) {
  if (e.without) {
    std::vector<std::string> drop = e.grouping;
    drop.emplace_back(kMetricName);
    return RemoveLabels(l, drop);
  }
  if (extra.empty()) return KeepLabels(l, e.grouping);
  std::vector<std::string> keep = e.grouping;
  keep.emplace_back(extra);
  return KeepLabels(l, keep);
}

bool IsCellAggregation(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum: case AggregateOp::kAvg: case AggregateOp::kMin:
    case AggregateOp::kMax: case AggregateOp::kCount: case AggregateOp::kGroup:
    case AggregateOp::kStddev: case AggregateOp::kStdvar:
      return true;
    default:
      return false;
  }
}

CellAggregator::Group& CellAggregator::GroupOf(const Labels& series_labels) {
  Labels g = AggregationGroupLabels(series_labels, e_, "");
  auto [it, inserted] = ids_.try_emplace(ToAbsl(g.packed()), groups_.size());
  if (!inserted) return groups_[it->second];
  Group& group = groups_.emplace_back();
  group.labels = std::move(g);
  const size_t steps = ev_.num_steps();
  group.count.assign(steps, 0);
  if (e_.op == AggregateOp::kAvg) {
    group.avg.resize(steps);
  } else if (e_.op == AggregateOp::kStddev || e_.op == AggregateOp::kStdvar) {
    group.var.resize(steps);
  } else {
    group.value.resize(steps);
  }
  return group;
}

void CellAggregator::Add(const Labels& series_labels, std::span<const Sample> pts) {
  if (pts.empty()) return;
  Group& g = GroupOf(series_labels);
  const AggregateOp op = e_.op;
  for (const Sample& p : pts) {
    const size_t c = ev_.StepIndex(p.t);
    const bool first = g.count[c]++ == 0;
    const double v = p.v;
    switch (op) {
      case AggregateOp::kSum: g.value[c] = first ? v : g.value[c] + v; break;
      case AggregateOp::kMin:
        if (first) {
          g.value[c] = v;
        } else {
          UpdateMin(&g.value[c], v);
        }
        break;
      case AggregateOp::kMax:
        if (first) {
          g.value[c] = v;
        } else {
          UpdateMax(&g.value[c], v);
        }
        break;
      case AggregateOp::kAvg:
        if (first) {
          g.avg[c].Init(v);
        } else {
          g.avg[c].Add(v);
        }
        break;
      case AggregateOp::kStddev: case AggregateOp::kStdvar:
        if (first) {
          g.var[c].Init(v);
        } else {
          g.var[c].Add(v);
        }
        break;
      default: break;  // count and group need only the count
    }
  }
}

StepValue CellAggregator::Finish() {
  StepValue out;
  out.type = ValueType::kVector;
  out.series.reserve(groups_.size());
  const size_t steps = ev_.num_steps();
  for (Group& g : groups_) {
    Series s{std::move(g.labels), {}};
    for (size_t k = 0; k < steps; ++k) {
      if (g.count[k] == 0) continue;
      double v = 0;
      switch (e_.op) {
        case AggregateOp::kSum: case AggregateOp::kMin: case AggregateOp::kMax:
          v = g.value[k];
          break;
        case AggregateOp::kAvg: v = g.avg[k].Result(); break;
        case AggregateOp::kCount: v = g.count[k]; break;
        case AggregateOp::kGroup: v = 1; break;
        case AggregateOp::kStdvar: v = g.var[k].Stdvar(); break;
        case AggregateOp::kStddev: v = g.var[k].Stddev(); break;
        default: break;
      }
      s.points.push_back({ev_.StepTime(k), v});
    }
    out.series.push_back(std::move(s));
  }
  groups_.clear();
  ids_.clear();
  return out;
}

}  // namespace vigil::promql
