#include "query/promql/conformance/known_failures.h"

#include "common/strings.h"

namespace vigil::promql::conformance {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

absl::StatusOr<std::map<CaseKey, std::string>> ParseKnownFailures(std::string_view text) {
  std::map<CaseKey, std::string> out;
  size_t start = 0;
  for (int line = 1; start <= text.size(); ++line) {
    size_t nl = text.find('\n', start);
    std::string_view l = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    std::string reason;
    if (size_t hash = l.find('#'); hash != std::string_view::npos) {
      reason = std::string(Trim(l.substr(hash + 1)));
      l = l.substr(0, hash);
    }
    l = Trim(l);
    if (l.empty()) continue;
    size_t colon = l.rfind(':');
    int64_t n = 0;
    if (colon == std::string_view::npos || colon == 0 || !ParseInt64(l.substr(colon + 1), &n) ||
        n <= 0 || n > (1 << 30)) {
      return absl::InvalidArgumentError(
          StrCat("line ", line, ": expected `file.test:LINE`, got ", QuoteString(Truncated(l))));
    }
    std::string file(Trim(l.substr(0, colon)));
    if (file.find('/') != std::string::npos || file.find_first_of(" \t") != std::string::npos) {
      return absl::InvalidArgumentError(
          StrCat("line ", line, ": the file must be a bare name like functions.test, got ",
                 QuoteString(Truncated(file))));
    }
    CaseKey key{std::move(file), static_cast<int>(n)};
    if (out.contains(key)) {
      return absl::InvalidArgumentError(
          StrCat("line ", line, ": ", FormatCaseKey(key), " is listed twice"));
    }
    out.emplace(std::move(key), std::move(reason));
  }
  return out;
}

KnownFailureCheck CheckKnownFailures(const std::vector<CaseStatus>& cases,
                                     const std::map<CaseKey, std::string>& known,
                                     const std::set<std::string>& files_run) {
  KnownFailureCheck r;
  std::set<CaseKey> present;
  for (const CaseStatus& c : cases) {
    present.insert(c.key);
    bool listed = known.contains(c.key);
    if (!c.passed && !listed) r.regressions.push_back(c.key);
    if (c.passed && listed) r.now_passing.push_back(c.key);
  }
  for (const auto& [key, reason] : known) {
    if (files_run.contains(key.first) && !present.contains(key)) r.no_such_case.push_back(key);
  }
  return r;
}

std::string FormatCaseKey(const CaseKey& k) { return StrCat(k.first, ":", k.second); }

}  // namespace vigil::promql::conformance
