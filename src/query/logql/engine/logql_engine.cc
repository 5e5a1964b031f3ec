#include "query/logql/engine/logql_engine.h"

#include <algorithm>
#include <atomic>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/logql/engine/range_aggregation.h"
#include "query/logql/engine/stage_builder.h"
#include "query/logql/engine/vector_ops.h"
#include "query/logql/pipeline/line_state.h"
#include "query/logql/syntax/parser.h"
#include "query/logql/syntax/pushdown.h"

namespace vigil::logql {
namespace {

// Per-query state: limits, deadline, statistics, and the line state the pipeline reuses.
struct EvalContext {
  const LogqlEngineOptions& options;
  LogsStore& store;
  int64_t deadline;
  QueryStats stats;
  bool timed_out = false;
  pipeline::LineState state{pipeline::LineStateOptions{}};
  std::vector<LabelView> views;
  std::vector<LabelView> group_views;
  std::string key;

  bool Expired() {
    if (MonotonicNs() > deadline) timed_out = true;
    return timed_out;
  }
};

LogSelectRequest MakeRequest(const LogSelectorExpr& sel, int64_t start_ns, int64_t end_ns) {
  LogSelectRequest req;
  req.start_ns = start_ns;
  req.end_ns = end_ns;
  req.matchers = sel.matchers;
  RequiredFilters rf = ExtractRequiredFilters(sel);
  req.hints.body_contains = std::move(rf.line_substrings);
  for (auto& [name, value] : rf.field_equals) {
    if (name == "trace_id") {
      req.hints.trace_id = value;
    } else {
      req.hints.field_equals.emplace_back(std::move(name), std::move(value));
    }
  }
  return req;
}

// The labels of the current line: stream and extracted labels (structured metadata only
// when `with_metadata`), plus the error labels, sorted; packed into ctx.key.
void LineLabels(EvalContext& ctx, bool with_metadata) {
  ctx.views.clear();
  pipeline::LineState& st = ctx.state;
  const size_t n = st.LabelSlots();
  for (size_t i = 0; i < n; ++i) {
    std::string_view name, value;
    pipeline::LabelCategory cat;
    if (!st.LabelAt(i, &name, &value, &cat)) continue;
    if (cat == pipeline::LabelCategory::kMetadata && !with_metadata) continue;
    if (value.empty()) continue;
    ctx.views.push_back({name, value});
  }
  if (st.HasError()) {
    ctx.views.push_back({pipeline::kErrorLabel, st.error()});
    if (!st.error_details().empty()) ctx.views.push_back({pipeline::kErrorDetailsLabel, st.error_details()});
  }
  std::sort(ctx.views.begin(), ctx.views.end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  ctx.key.clear();
  PackLabels(ctx.views, &ctx.key);
}

absl::Status PipelineError(const Labels& series) {
  return absl::AbortedError(StrCat(
      "pipeline error: '", series.Get(pipeline::kErrorLabel), "' for series: '", series.ToString(),
      "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"",
      series.Get(pipeline::kErrorLabel),
      "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
      "The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )\n"));
}

absl::Status SeriesLimit(size_t n, size_t max) {
  return absl::ResourceExhaustedError(
      StrCat("maximum of series (", max, ") reached for a single query; the query returns ", n,
             " series or more"));
}

// ---- range aggregations ----------------------------------------------------------------

absl::StatusOr<StepValue> EvalRange(const RangeAggregationExpr& e, const StepGrid& grid,
                                    EvalContext& ctx) {
  auto pipe = BuildPipeline(*e.selector);
  if (!pipe.ok()) return pipe.status();
  const bool bytes = e.op == RangeOp::kBytesOverTime || e.op == RangeOp::kBytesRate;
  const bool plain = pipe->empty();
  // Records whose time falls in some step's window (lo, hi].
  const int64_t lo = grid.start_ns - e.offset_ns - e.range_ns;
  const int64_t hi = grid.end_ns - e.offset_ns;
  LogSelectRequest req = MakeRequest(*e.selector, lo + 1, hi + 1);
  req.want_body = !plain || bytes;
  req.want_fields = !plain;

  // Sums over windows (counts, rates, bytes, sum_over_time) whose range is a whole number of
  // steps need no per-sample storage: each sample is added to the one step-wide bucket it
  // falls in, and each window is the sum of `k` consecutive buckets.
  // (Unwrapped values are left out: a NaN or an infinity would poison a sliding sum.)
  const bool summable =
      !pipe->has_unwrap() && (e.op == RangeOp::kCountOverTime || e.op == RangeOp::kBytesOverTime ||
                              e.op == RangeOp::kBytesRate || e.op == RangeOp::kRate);
  const size_t steps = grid.size();
  const int64_t bucket_ns = steps == 1 ? e.range_ns : grid.step_ns;
  const bool bucketed = summable && e.range_ns % bucket_ns == 0;
  const int64_t k = bucketed ? e.range_ns / bucket_ns : 0;
  struct Series {
    Labels labels;
    std::vector<TimedValue> samples;
    std::vector<double> sums;       // bucketed: steps + k - 1 buckets
    std::vector<uint32_t> counts;
  };
  auto add = [&](Series& s, int64_t ts, double v) {
    if (!bucketed) {
      s.samples.push_back({ts, v});
      return;
    }
    if (s.sums.empty()) {
      s.sums.assign(steps + k - 1, 0);
      s.counts.assign(steps + k - 1, 0);
    }
    // Bucket b holds samples in (t_b - bucket, t_b] of the offset-shifted time.
    int64_t u = ts + e.offset_ns - grid.start_ns;
    int64_t b = u >= 0 ? (u + bucket_ns - 1) / bucket_ns : -((-u) / bucket_ns);
    int64_t slot = b + k - 1;
    if (slot < 0 || slot >= static_cast<int64_t>(s.sums.size())) return;
    s.sums[slot] += v;
    s.counts[slot]++;
  };
  std::vector<Series> series;
  absl::flat_hash_map<std::string, size_t> index;
  absl::Status error;
  auto series_for = [&](std::string_view packed, auto&& make_labels) -> Series* {
    auto it = index.find(ToAbsl(packed));
    if (it != index.end()) return &series[it->second];
    if (series.size() >= ctx.options.max_series) {
      error = SeriesLimit(series.size() + 1, ctx.options.max_series);
      return nullptr;
    }
    index.emplace(std::string(packed), series.size());
    series.push_back({make_labels(), {}});
    return &series.back();
  };
  absl::Status st = ctx.store.Select(req, [&](const Labels& stream, std::span<const LogRecordView> recs) {
    if (ctx.Expired()) return false;
    ctx.stats.lines_scanned += recs.size();
    if (plain) {
      // No pipeline: the stream is the series, every record a sample.
      Series* s = series_for(stream.packed(), [&] { return stream; });
      if (s == nullptr) return false;
      for (const LogRecordView& r : recs) {
        ctx.stats.bytes_scanned += r.body.size();
        add(*s, r.timestamp_ns, bytes ? static_cast<double>(r.body.size()) : 1.0);
      }
      return true;
    }
    for (const LogRecordView& r : recs) {
      ctx.stats.bytes_scanned += r.body.size();
      double v = 1;
      if (!pipe->ProcessSample(stream, r, ctx.state, &v)) continue;
      if (!pipe->has_unwrap()) v = bytes ? static_cast<double>(ctx.state.line().size()) : 1.0;
      LineLabels(ctx, e.grouping.has_value());
      if (ctx.state.HasError()) {
        error = PipelineError(Labels::FromViews(ctx.views));
        return false;
      }
      Series* s;
      if (e.grouping) {
        // The grouped labels straight from the line's sorted views: no label set is built
        // per line, only per new series.
        ctx.group_views.clear();
        for (const LabelView& l : ctx.views) {
          bool listed = std::find(e.grouping->labels.begin(), e.grouping->labels.end(), l.name) !=
                        e.grouping->labels.end();
          if (listed != e.grouping->without) ctx.group_views.push_back(l);
        }
        ctx.key.clear();
        PackLabels(ctx.group_views, &ctx.key);
        s = series_for(ctx.key, [&] { return Labels::FromViews(ctx.group_views); });
      } else {
        s = series_for(ctx.key, [&] { return Labels::FromViews(ctx.views); });
      }
      if (s == nullptr) return false;
      add(*s, r.timestamp_ns, v);
    }
    return true;
  });
  if (!st.ok()) return st;
  if (!error.ok()) return error;
  if (ctx.timed_out) return absl::DeadlineExceededError("query timed out");
  StepValue out;
  std::vector<double> scratch;
  const double range_s = static_cast<double>(e.range_ns) / 1e9;
  const bool per_second = e.op == RangeOp::kRate || e.op == RangeOp::kBytesRate;
  for (Series& s : series) {
    if (bucketed) {
      StepSeries r;
      r.values.assign(steps, 0);
      r.present.assign(steps, false);
      double sum = 0;
      uint64_t count = 0;
      // Sliding window over k buckets: step i covers buckets i .. i + k - 1.
      for (int64_t j = 0; j < static_cast<int64_t>(s.sums.size()); ++j) {
        sum += s.sums[j];
        count += s.counts[j];
        if (j >= k) {
          sum -= s.sums[j - k];
          count -= s.counts[j - k];
        }
        int64_t i = j - (k - 1);
        if (i < 0 || count == 0) continue;
        r.present[i] = true;
        r.values[i] = per_second ? sum / range_s : sum;
      }
      if (r.Empty()) continue;
      r.labels = std::move(s.labels);
      out.series.push_back(std::move(r));
      continue;
    }
    std::stable_sort(s.samples.begin(), s.samples.end(),
                     [](const TimedValue& a, const TimedValue& b) { return a.ts_ns < b.ts_ns; });
    StepSeries r;
    AggregateRange(e, grid, s.samples, &r, &scratch);
    if (r.Empty()) continue;
    r.labels = std::move(s.labels);
    out.series.push_back(std::move(r));
  }
  if (e.op == RangeOp::kAbsentOverTime) {
    StepSeries absent = AbsentSeries(e, grid, out.series);
    out.series.clear();
    if (!absent.Empty()) out.series.push_back(std::move(absent));
  }
  return out;
}

absl::StatusOr<StepValue> Eval(const Expr& e, const StepGrid& grid, EvalContext& ctx) {
  absl::StatusOr<StepValue> v;
  switch (e.kind) {
    case NodeKind::kLiteral: {
      StepValue s;
      s.is_scalar = true;
      s.scalar = static_cast<const LiteralExpr&>(e).value;
      return s;
    }
    case NodeKind::kVector: {
      StepValue s;
      StepSeries one;
      one.values.assign(grid.size(), static_cast<const VectorExpr&>(e).value);
      one.present.assign(grid.size(), true);
      s.series.push_back(std::move(one));
      return s;
    }
    case NodeKind::kRangeAggregation:
      v = EvalRange(static_cast<const RangeAggregationExpr&>(e), grid, ctx);
      break;
    case NodeKind::kVectorAggregation: {
      const auto& a = static_cast<const VectorAggregationExpr&>(e);
      auto in = Eval(*a.expr, grid, ctx);
      if (!in.ok()) return in.status();
      v = AggregateVector(a, std::move(*in), grid.size());
      break;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      auto l = Eval(*b.lhs, grid, ctx);
      if (!l.ok()) return l.status();
      auto r = Eval(*b.rhs, grid, ctx);
      if (!r.ok()) return r.status();
      v = ApplyBinary(b, std::move(*l), std::move(*r), grid.size());
      break;
    }
    case NodeKind::kLabelReplace: {
      const auto& lr = static_cast<const LabelReplaceExpr&>(e);
      auto in = Eval(*lr.expr, grid, ctx);
      if (!in.ok()) return in.status();
      v = ApplyLabelReplace(lr, std::move(*in));
      break;
    }
    case NodeKind::kLogSelector:
      return absl::InvalidArgumentError("a log query cannot be part of a metric expression");
  }
  if (v.ok() && v->series.size() > ctx.options.max_series) {
    return SeriesLimit(v->series.size(), ctx.options.max_series);
  }
  return v;
}

// ---- log queries ----------------------------------------------------------------------

struct Candidate {
  int64_t ts;
  uint64_t seq;  // arrival order, for stable ties
  std::string labels;  // packed
  std::string line;
  std::vector<std::pair<std::string, std::string>> metadata;
};

absl::StatusOr<std::vector<LogStream>> EvalLogQuery(const LogSelectorExpr& sel, const LogqlQuery& q,
                                                    EvalContext& ctx) {
  auto pipe = BuildPipeline(sel);
  if (!pipe.ok()) return pipe.status();
  LogSelectRequest req = MakeRequest(sel, q.start_ns, q.end_ns);
  // Newest (oldest) data first, and once `limit` lines are kept, nothing older (newer) than
  // the worst of them is wanted: the store can end the scan early.
  std::atomic<int64_t> cutoff{q.backward ? INT64_MIN : INT64_MAX};
  req.order = q.backward ? LogSelectRequest::Order::kNewestFirst : LogSelectRequest::Order::kOldestFirst;
  req.cutoff = &cutoff;
  // Keep the first `limit` in the query's direction: a heap whose top is the worst kept.
  auto worse = [&](const Candidate& a, const Candidate& b) {
    if (a.ts != b.ts) return q.backward ? a.ts > b.ts : a.ts < b.ts;
    return a.seq < b.seq;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> heap(worse);
  uint64_t seq = 0;
  absl::Status st = ctx.store.Select(req, [&](const Labels& stream, std::span<const LogRecordView> recs) {
    if (ctx.Expired()) return false;
    ctx.stats.lines_scanned += recs.size();
    for (const LogRecordView& r : recs) {
      ctx.stats.bytes_scanned += r.body.size();
      if (q.limit == 0) continue;
      if (heap.size() >= q.limit) {
        const Candidate& top = heap.top();
        bool better = q.backward ? r.timestamp_ns > top.ts : r.timestamp_ns < top.ts;
        if (!better) continue;
      }
      if (!pipe->Process(stream, r, ctx.state)) continue;
      LineLabels(ctx, /*with_metadata=*/false);
      Candidate c{r.timestamp_ns, seq++, ctx.key, std::string(ctx.state.line()), {}};
      for (const LogFieldView& f : r.fields) c.metadata.emplace_back(f.name, f.value);
      if (!r.trace_id.empty()) c.metadata.emplace_back("trace_id", r.trace_id);
      if (!r.span_id.empty()) c.metadata.emplace_back("span_id", r.span_id);
      if (heap.size() >= q.limit) heap.pop();
      heap.push(std::move(c));
      if (heap.size() >= q.limit) cutoff.store(heap.top().ts, std::memory_order_relaxed);
    }
    return true;
  });
  if (!st.ok()) return st;
  if (ctx.timed_out) return absl::DeadlineExceededError("query timed out");
  std::vector<Candidate> kept;
  kept.reserve(heap.size());
  while (!heap.empty()) {
    kept.push_back(std::move(const_cast<Candidate&>(heap.top())));
    heap.pop();
  }
  std::reverse(kept.begin(), kept.end());  // best first: the query's direction
  std::vector<LogStream> streams;
  absl::flat_hash_map<std::string, size_t> index;
  for (Candidate& c : kept) {
    auto [it, added] = index.try_emplace(c.labels, streams.size());
    if (added) {
      LogStream s;
      s.labels = Labels::FromPacked(c.labels);
      streams.push_back(std::move(s));
    }
    streams[it->second].entries.push_back({c.ts, std::move(c.line), std::move(c.metadata)});
  }
  std::sort(streams.begin(), streams.end(),
            [](const LogStream& a, const LogStream& b) { return a.labels < b.labels; });
  return streams;
}

}  // namespace

absl::StatusOr<LogqlResult> LogqlEngine::Exec(LogsStore& store, const LogqlQuery& q) const {
  const int64_t start = MonotonicNs();
  auto expr = ParseLogQL(q.text);
  if (!expr.ok()) return expr.status();
  EvalContext ctx{options_, store, start + options_.timeout_ns, {}};
  LogqlResult result;
  if (!IsMetricQuery(**expr)) {
    if (q.limit > options_.max_entries) {
      return absl::InvalidArgumentError(StrCat("max entries limit per query exceeded, limit > max_entries_limit (",
                                               q.limit, " > ", options_.max_entries, ")"));
    }
    auto streams = EvalLogQuery(static_cast<const LogSelectorExpr&>(**expr), q, ctx);
    if (!streams.ok()) return streams.status();
    result.type = LogqlResult::Type::kStreams;
    result.streams = std::move(*streams);
  } else {
    StepGrid grid;
    if (q.instant) {
      grid = {q.end_ns, q.end_ns, 1};
    } else {
      if (q.step_ns <= 0) return absl::InvalidArgumentError("zero or negative query resolution step widths are not accepted. Try a positive integer");
      grid = {q.start_ns, q.end_ns, q.step_ns};
      if ((q.end_ns - q.start_ns) / q.step_ns + 1 > static_cast<int64_t>(options_.max_steps)) {
        return absl::InvalidArgumentError(
            "exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter");
      }
    }
    auto v = Eval(**expr, grid, ctx);
    if (!v.ok()) return v.status();
    result.grid = grid;
    result.value = std::move(*v);
    if (result.value.is_scalar) {
      result.type = LogqlResult::Type::kScalar;
    } else {
      result.type = q.instant ? LogqlResult::Type::kVector : LogqlResult::Type::kMatrix;
      // sort()/sort_desc() at the top decide the order; otherwise series come by labels.
      bool ordered = false;
      if ((*expr)->kind == NodeKind::kVectorAggregation) {
        VectorOp op = static_cast<const VectorAggregationExpr&>(**expr).op;
        ordered = op == VectorOp::kSort || op == VectorOp::kSortDesc;
      }
      if (!ordered) {
        std::sort(result.value.series.begin(), result.value.series.end(),
                  [](const StepSeries& a, const StepSeries& b) { return a.labels < b.labels; });
      }
    }
  }
  ctx.stats.exec_ns = MonotonicNs() - start;
  result.stats = ctx.stats;
  return result;
}

}  // namespace vigil::logql
