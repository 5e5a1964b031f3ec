// The expected-failures list of the conformance run: one case per line,
// `file.test:LINE  # reason`, blank lines and `#` lines ignored. The run fails when a case
// not on the list fails (a regression) and when a listed case passes or does not exist (the
// list must shrink as the engine improves, and never hide anything).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::promql::conformance {

using CaseKey = std::pair<std::string, int>;  // file name (no folder), 1-based eval line

// Case -> reason ("" when none given). Errors: InvalidArgument "line N: …".
absl::StatusOr<std::map<CaseKey, std::string>> ParseKnownFailures(std::string_view text);

struct CaseStatus {
  CaseKey key;
  bool passed = false;
};

struct KnownFailureCheck {
  std::vector<CaseKey> regressions;   // failed, not listed
  std::vector<CaseKey> now_passing;   // listed, passed
  std::vector<CaseKey> no_such_case;  // listed for a file that ran, but not one of its cases
  bool ok() const { return regressions.empty() && now_passing.empty() && no_such_case.empty(); }
};

// Entries for files outside `files_run` are ignored (a run over some files only).
KnownFailureCheck CheckKnownFailures(const std::vector<CaseStatus>& cases,
                                     const std::map<CaseKey, std::string>& known,
                                     const std::set<std::string>& files_run);

std::string FormatCaseKey(const CaseKey& k);

}  // namespace vigil::promql::conformance
