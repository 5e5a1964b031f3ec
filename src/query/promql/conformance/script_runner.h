// Runs a parsed PromQL test script against the engine over a real embedded metrics store,
// the way Prometheus 2.42's harness runs it.
//
// Each eval is a case. It runs as an instant query at its time and as a range query from
// t-1m to t+1m with a 1m step (the middle point must match; not checked for eval_ordered),
// and again, unless the query uses a function that depends on the evaluation time, with
// `@ t` set on all selectors (see at_rewrite.h) at each of AtVariantTimes(t), instant and
// range. eval_fail needs an error from every instant variant. A case passes only when every
// variant does. `load` writes the samples through the store's appender; `clear` starts a
// fresh store.
//
// Thread-safety: a ScriptRunner is used by one thread.
#pragma once

#include <functional>
#include <string>

#include "query/promql/conformance/test_script.h"
#include "query/promql/engine/engine.h"

namespace vigil::promql::conformance {

struct CaseOutcome {
  int line = 0;
  bool passed = false;
  std::string variant;  // the failing run, e.g. "range query around t=3000000ms"
  std::string message;  // why, with the expected and the actual result
};

class ScriptRunner {
 public:
  explicit ScriptRunner(EngineOptions options = UpstreamTestOptions()) : engine_(options) {}

  // What upstream's test engine uses: lookback 5m, 10000 samples, 100 s timeout, 1m default
  // subquery step.
  static EngineOptions UpstreamTestOptions();

  // Evals at lines <= skip_through are not run (the loads and clears before them are), so
  // a run can resume after a case that crashed. `on_start` is called before each case runs.
  void Run(const TestScript& script, int skip_through,
           const std::function<void(int line)>& on_start,
           const std::function<void(const CaseOutcome&)>& on_done);

 private:
  Engine engine_;
};

}  // namespace vigil::promql::conformance
