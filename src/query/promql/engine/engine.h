// The PromQL engine: evaluates a parsed expression against the metrics store as an instant
// query (one evaluation time) or a range query (start, end, step), with Prometheus 2.42's
// semantics.
//
// Errors: a parse error is InvalidArgument ("1:17: parse error: …"); an evaluation error
// (many-to-many matching, duplicate output series …) is Aborted, which the API reports as
// Prometheus' "execution" error; the sample limit is ResourceExhausted; the timeout is
// DeadlineExceeded.
//
// Thread-safety: an Engine is immutable after construction; queries may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/promql/syntax/ast.h"
#include "query/promql/engine/value.h"
#include "storage/metrics_store.h"

namespace boost::asio {
class thread_pool;
}

namespace vigil::promql {

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Most samples (points of all intermediate vectors and matrices) held at once by a query.
  int64_t max_samples = 50'000'000;
  int64_t timeout_ms = 2 * 60 * 1000;
  // Step of a subquery written without one (`x[1h:]`): Prometheus uses the global
  // evaluation interval.
  int64_t default_subquery_step_ms = 60 * 1000;
  // Worker threads a query spreads per-series work over (range functions): 0 uses one per
  // core, 1 evaluates on the calling thread only.
  int parallelism = 0;
};

// Per-query overrides (the API's `timeout` parameter).
struct QueryOptions {
  int64_t timeout_ms = 0;  // 0: the engine's; a larger value is capped at the engine's
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  const EngineOptions& options() const { return options_; }

  absl::StatusOr<QueryResult> InstantQuery(MetricsStore& store, std::string_view query,
                                           int64_t t_ms, const QueryOptions& qo = {}) const;
  // A matrix result for vector expressions; scalars become one series without labels.
  absl::StatusOr<QueryResult> RangeQuery(MetricsStore& store, std::string_view query,
                                         int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                         const QueryOptions& qo = {}) const;

  // Same, for an already parsed expression.
  absl::StatusOr<QueryResult> Evaluate(MetricsStore& store, const Expr& expr, int64_t start_ms,
                                       int64_t end_ms, int64_t step_ms, bool instant,
                                       const QueryOptions& qo = {}) const;

 private:
  EngineOptions options_;
  int pool_threads_ = 0;
  std::unique_ptr<boost::asio::thread_pool> pool_;  // null without parallelism
};

}  // namespace vigil::promql
