#include "api/api_params.h"

#include "common/strings.h"
#include "common/time_util.h"
#include "query/promql/syntax/parser.h"

namespace vigil {

absl::StatusOr<int64_t> TimeParam(const HttpRequest& req, std::string_view name, int64_t fallback) {
  auto v = req.Param(name);
  if (!v || v->empty()) return fallback;
  auto t = ParseTimestampMs(*v);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        StrCat("invalid parameter \"", name, "\": ", ToStd(t.status().message())));
  }
  return *t;
}

absl::StatusOr<std::vector<Matchers>> MatchParams(const HttpRequest& req, bool required) {
  std::vector<std::string> raw = req.Params("match[]");
  if (raw.empty() && required) return absl::InvalidArgumentError("no match[] parameter provided");
  std::vector<Matchers> out;
  for (const auto& s : raw) {
    auto sel = promql::ParseMetricSelector(s);
    if (!sel.ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid parameter \"match[]\": ", ToStd(sel.status().message())));
    }
    // As in Prometheus: a selector that matches everything (every matcher accepts the
    // empty value) is refused.
    bool selective = false;
    for (const LabelMatcher& m : (*sel)->matchers) selective |= !m.MatchesEmpty();
    if (!selective) {
      return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    }
    out.push_back(std::move((*sel)->matchers));
  }
  return out;
}

absl::StatusOr<uint64_t> LimitParam(const HttpRequest& req, std::string_view name) {
  auto v = req.Param(name);
  if (!v || v->empty()) return 0;
  uint64_t n;
  if (!ParseUint64(*v, &n)) {
    return absl::InvalidArgumentError(StrCat("invalid parameter \"", name, "\": cannot parse \"",
                                             *v, "\" to a non-negative integer"));
  }
  return n;
}

}  // namespace vigil
