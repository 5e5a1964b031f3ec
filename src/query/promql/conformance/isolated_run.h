// Runs a test script in a child process, so an engine crash or hang fails only the case it
// happened in: the child reports each case over a pipe as it starts and ends; when it dies
// (or a case exceeds the timeout and it is killed) mid-case, that case is failed and a new
// child resumes after it (replaying the loads and clears that come before).
//
// Must be called while the process has a single thread (fork()).
//
// Thread-safety: not thread-safe (forks).
#pragma once

#include <map>

#include "query/promql/conformance/script_runner.h"
#include "query/promql/conformance/test_script.h"

namespace vigil::promql::conformance {

// Outcomes by eval line. `case_timeout_ms` bounds each case (and the loads before it).
std::map<int, CaseOutcome> RunScriptIsolated(const TestScript& script, int64_t case_timeout_ms);

// The same in this process (no protection; for debugging).
std::map<int, CaseOutcome> RunScriptInProcess(const TestScript& script);

}  // namespace vigil::promql::conformance
