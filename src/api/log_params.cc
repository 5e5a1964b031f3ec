#include "api/log_params.h"

#include <cmath>

#include "absl/time/time.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/promql/syntax/parser.h"

namespace vigil {

absl::StatusOr<int64_t> ParseLogTime(std::string_view value) {
  if (value.find('.') != std::string_view::npos) {
    double secs;
    if (ParseDouble(value, &secs) && std::isfinite(secs) && std::abs(secs) < 9e9) {
      double whole;
      double frac = std::modf(secs, &whole);
      return static_cast<int64_t>(whole) * 1'000'000'000 + static_cast<int64_t>(std::llround(frac * 1e9));
    }
  }
  int64_t n;
  if (ParseInt64(value, &n)) {
    size_t digits = value.size() - (value.starts_with('-') ? 1 : 0);
    if (digits <= 10) return n * 1'000'000'000;
    return n;
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", ToAbsl(value), &t, &err)) {
    return absl::ToUnixNanos(t);
  }
  return absl::InvalidArgumentError(StrCat("cannot parse ", QuoteString(value), " as a time"));
}

absl::StatusOr<int64_t> LogTimeParam(const HttpRequest& req, std::string_view name, int64_t fallback) {
  std::optional<std::string> v = req.Param(name);
  if (!v || v->empty()) return fallback;
  auto t = ParseLogTime(*v);
  if (!t.ok()) {
    return absl::InvalidArgumentError(StrCat("invalid ", name, " parameter: ", ToStd(t.status().message())));
  }
  return *t;
}

absl::StatusOr<int64_t> LogDurationParam(const HttpRequest& req, std::string_view name, int64_t fallback) {
  std::optional<std::string> v = req.Param(name);
  if (!v || v->empty()) return fallback;
  auto ms = ParseApiDurationMs(*v);
  if (!ms.ok() || *ms <= 0) {
    return absl::InvalidArgumentError(StrCat("invalid ", name, " parameter: cannot parse ", QuoteString(*v),
                                             " as a positive duration"));
  }
  return *ms * 1'000'000;
}

absl::StatusOr<Matchers> ParseStreamSelector(std::string_view text) {
  auto sel = promql::ParseMetricSelector(text);
  if (!sel.ok()) {
    return absl::InvalidArgumentError(StrCat("invalid stream selector ", QuoteString(text), ": ",
                                             ToStd(sel.status().message())));
  }
  bool any = false;
  for (const LabelMatcher& m : (*sel)->matchers) any = any || !m.MatchesEmpty();
  if (!any) {
    return absl::InvalidArgumentError(
        "queries require at least one regexp or equality matcher that does not have an "
        "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
        "app=~\".+\" will");
  }
  return (*sel)->matchers;
}

}  // namespace vigil
