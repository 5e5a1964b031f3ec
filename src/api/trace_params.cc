#include "api/trace_params.h"

#include "api/log_params.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {
namespace {

constexpr int64_t kHourNs = 3600LL * 1'000'000'000;
constexpr uint64_t kMaxLimit = 1000;

absl::Status UintParam(const HttpRequest& req, std::string_view name, uint64_t* out) {
  std::optional<std::string> v = req.Param(name);
  if (!v || v->empty()) return absl::OkStatus();
  if (!ParseUint64(*v, out)) {
    return absl::InvalidArgumentError(
        StrCat("invalid ", name, " parameter ", QuoteString(*v), ": not a non-negative integer"));
  }
  return absl::OkStatus();
}

absl::Status DurationParam(const HttpRequest& req, std::string_view name, int64_t* out) {
  auto d = LogDurationParam(req, name, *out);
  if (!d.ok()) return d.status();
  *out = *d;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TraceId> ParseTraceIdParam(std::string_view text) {
  TraceId id;
  if (!TraceId::FromHex(text, &id)) {
    return absl::InvalidArgumentError(StrCat("invalid trace id ", QuoteString(Truncated(text, 64)),
                                             ": expected 32 hex digits"));
  }
  if (id.empty()) return absl::InvalidArgumentError("invalid trace id: all zeros");
  return id;
}

absl::StatusOr<std::pair<int64_t, int64_t>> TimeRangeParams(const HttpRequest& req) {
  auto end = LogTimeParam(req, "end", NowNs());
  if (!end.ok()) return end.status();
  auto start = LogTimeParam(req, "start", *end - kHourNs);
  if (!start.ok()) return start.status();
  if (*start > *end) return absl::InvalidArgumentError("invalid time range: end is before start");
  return std::pair<int64_t, int64_t>{*start, *end == INT64_MAX ? *end : *end + 1};
}

absl::StatusOr<TraceSearchRequest> ParseTraceSearchParams(const HttpRequest& req) {
  TraceSearchRequest r;
  auto range = TimeRangeParams(req);
  if (!range.ok()) return range.status();
  r.start_ns = range->first;
  r.end_ns = range->second;
  SpanFilter& s = r.spans;
  s.service_name = req.Param("service").value_or("");
  s.span_name = req.Param("name").value_or("");
  if (std::string kind = req.Param("kind").value_or(""); !kind.empty()) {
    SpanKind k;
    if (!ParseSpanKind(kind, &k)) {
      return absl::InvalidArgumentError(
          StrCat("invalid kind ", QuoteString(kind),
                 ": use server, client, producer, consumer, internal or unspecified"));
    }
    s.kind = k;
  }
  if (std::string status = req.Param("status").value_or(""); !status.empty()) {
    SpanStatus st;
    if (!ParseSpanStatus(status, &st)) {
      return absl::InvalidArgumentError(
          StrCat("invalid status ", QuoteString(status), ": use ok, error or unset"));
    }
    s.status = st;
  }
  if (absl::Status st = DurationParam(req, "min_duration", &s.min_duration_ns); !st.ok()) return st;
  if (absl::Status st = DurationParam(req, "max_duration", &s.max_duration_ns); !st.ok()) return st;
  for (const std::string& a : req.Params("attr")) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          StrCat("invalid attr ", QuoteString(a), ": expected key=value"));
    }
    s.attributes.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  TraceFilter& t = r.traces;
  t.root_service = req.Param("root_service").value_or("");
  t.root_span_name = req.Param("root_name").value_or("");
  t.service = req.Param("involves").value_or("");
  if (absl::Status st = DurationParam(req, "min_trace_duration", &t.min_duration_ns); !st.ok()) {
    return st;
  }
  if (absl::Status st = DurationParam(req, "max_trace_duration", &t.max_duration_ns); !st.ok()) {
    return st;
  }
  if (absl::Status st = UintParam(req, "min_spans", &t.min_span_count); !st.ok()) return st;
  if (absl::Status st = UintParam(req, "max_spans", &t.max_span_count); !st.ok()) return st;
  if (std::string e = req.Param("has_error").value_or(""); !e.empty()) {
    if (e != "true" && e != "false") {
      return absl::InvalidArgumentError(
          StrCat("invalid has_error ", QuoteString(e), ": use true or false"));
    }
    t.has_error = e == "true";
  }
  uint64_t limit = r.limit;
  if (absl::Status st = UintParam(req, "limit", &limit); !st.ok()) return st;
  if (limit == 0 || limit > kMaxLimit) {
    return absl::InvalidArgumentError(StrCat("invalid limit: must be between 1 and ", kMaxLimit));
  }
  r.limit = limit;
  return r;
}

}  // namespace vigil
