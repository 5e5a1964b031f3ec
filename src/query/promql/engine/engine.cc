#include "query/promql/engine/engine.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "boost/asio/thread_pool.hpp"

#include "common/strings.h"
#include "query/promql/engine/evaluator.h"
#include "query/promql/syntax/parser.h"

namespace vigil::promql {
namespace {

int64_t DeadlineNs(int64_t timeout_ms) {
  if (timeout_ms <= 0) return 0;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() +
         timeout_ms * 1'000'000;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(options) {
  int threads = options_.parallelism;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (threads > 1) {
    pool_ = std::make_unique<boost::asio::thread_pool>(threads);
    pool_threads_ = threads;
  }
}

Engine::~Engine() {
  if (pool_) pool_->join();
}

absl::StatusOr<QueryResult> Engine::InstantQuery(MetricsStore& store, std::string_view query,
                                                 int64_t t_ms, const QueryOptions& qo) const {
  absl::StatusOr<ExprPtr> expr = ParseExpr(query);
  if (!expr.ok()) return expr.status();
  return Evaluate(store, **expr, t_ms, t_ms, 0, /*instant=*/true, qo);
}

absl::StatusOr<QueryResult> Engine::RangeQuery(MetricsStore& store, std::string_view query,
                                               int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                               const QueryOptions& qo) const {
  absl::StatusOr<ExprPtr> expr = ParseExpr(query);
  if (!expr.ok()) return expr.status();
  return Evaluate(store, **expr, start_ms, end_ms, step_ms, /*instant=*/false, qo);
}

absl::StatusOr<QueryResult> Engine::Evaluate(MetricsStore& store, const Expr& expr,
                                             int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                             bool instant, const QueryOptions& qo) const {
  const ValueType type = TypeOf(expr);
  if (!instant) {
    if (type != ValueType::kScalar && type != ValueType::kVector) {
      return absl::InvalidArgumentError(StrCat("invalid expression type ",
                                               QuoteString(ValueTypeDocName(type)),
                                               " for range query, must be Scalar or instant Vector"));
    }
    if (step_ms <= 0) {
      return absl::InvalidArgumentError(
          "zero or negative query resolution step widths are not accepted. Try a positive "
          "integer");
    }
    if (end_ms < start_ms) {
      return absl::InvalidArgumentError("end timestamp must not be before start time");
    }
  } else {
    end_ms = start_ms;
  }
  QueryContext ctx;
  ctx.store = &store;
  ctx.options = &options_;
  // A per-query timeout can only shorten the engine's.
  ctx.deadline_ns = DeadlineNs(qo.timeout_ms > 0 ? std::min(qo.timeout_ms, options_.timeout_ms)
                                                 : options_.timeout_ms);
  ctx.query_start_ms = start_ms;
  ctx.query_end_ms = end_ms;
  ctx.pool = pool_.get();
  ctx.pool_threads = pool_threads_;
  Evaluator ev(&ctx, start_ms, end_ms, instant ? 1 : step_ms);

  QueryResult res;
  res.type = type;
  res.t = start_ms;
  if (type == ValueType::kMatrix) {
    absl::StatusOr<Matrix> m = ev.EvalRangeAsMatrix(expr);
    if (!m.ok()) return m.status();
    res.matrix = std::move(*m);
    res.warnings = std::move(ctx.warnings);
    return res;
  }
  absl::StatusOr<StepValue> v = ev.Eval(expr);
  if (!v.ok()) return v.status();
  res.warnings = std::move(ctx.warnings);
  switch (type) {
    case ValueType::kString:
      res.string = std::move(v->str);
      return res;
    case ValueType::kScalar:
      if (instant) {
        res.scalar = v->scalars.empty() ? 0 : v->scalars[0];
        return res;
      }
      res.type = ValueType::kMatrix;
      {
        Series s;
        for (size_t k = 0; k < ev.num_steps(); ++k) s.points.push_back({ev.StepTime(k), v->scalars[k]});
        res.matrix.push_back(std::move(s));
      }
      return res;
    default:
      break;
  }
  if (instant) {
    res.vector.reserve(v->series.size());
    for (Series& s : v->series) {
      if (s.points.empty()) continue;
      res.vector.push_back(VectorSample{std::move(s.labels), s.points[0].v, start_ms});
    }
    return res;
  }
  res.type = ValueType::kMatrix;
  res.matrix = std::move(v->series);
  std::sort(res.matrix.begin(), res.matrix.end(),
            [](const Series& a, const Series& b) { return a.labels < b.labels; });
  return res;
}

}  // namespace vigil::promql
