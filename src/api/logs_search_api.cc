#include "api/logs_search_api.h"

#include "api/api_response.h"
#include "api/log_params.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/logsearch/log_search.h"

namespace vigil {
namespace {

constexpr int64_t kHourNs = 3600LL * 1'000'000'000;
constexpr size_t kMaxLimit = 5000;

absl::Status ParseWhere(const HttpRequest& req, logsearch::SearchQuery* q) {
  int64_t now = NowNs();
  auto end = LogTimeParam(req, "end", now);
  if (!end.ok()) return end.status();
  auto start = LogTimeParam(req, "start", *end - kHourNs);
  if (!start.ok()) return start.status();
  if (*start > *end) return absl::InvalidArgumentError("invalid time range: end is before start");
  q->start_ns = *start;
  q->end_ns = *end == INT64_MAX ? *end : *end + 1;  // end is inclusive, as in Loki
  if (std::optional<std::string> sel = req.Param("selector"); sel && !sel->empty()) {
    auto m = ParseStreamSelector(*sel);
    if (!m.ok()) return m.status();
    q->selector = std::move(*m);
  }
  for (const std::string& f : req.Params("filter")) {
    auto filter = logsearch::FieldFilter::Parse(f);
    if (!filter.ok()) return filter.status();
    q->filters.push_back(std::move(*filter));
  }
  q->text = req.Param("q").value_or("");
  std::string order = req.Param("order").value_or("desc");
  if (order == "desc" || order == "backward") {
    q->newest_first = true;
  } else if (order == "asc" || order == "forward") {
    q->newest_first = false;
  } else {
    return absl::InvalidArgumentError(StrCat("invalid order ", QuoteString(order), ": use desc or asc"));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> SizeParam(const HttpRequest& req, std::string_view name, size_t fallback) {
  std::optional<std::string> v = req.Param(name);
  if (!v || v->empty()) return fallback;
  uint64_t n;
  if (!ParseUint64(*v, &n) || n == 0 || n > kMaxLimit) {
    return absl::InvalidArgumentError(
        StrCat("invalid ", name, " parameter ", QuoteString(*v), ": must be between 1 and ", kMaxLimit));
  }
  return n;
}

void WriteRecord(JsonWriter& w, const logsearch::FoundRecord& r) {
  w.BeginObject();
  w.KV("timestamp", StrCat(r.timestamp_ns));
  w.KV("time", FormatRfc3339Nano(r.timestamp_ns));
  w.Key("stream").LabelsObject(r.stream);
  std::string_view level = r.severity_text.empty() ? std::string_view(r.stream.Get("level")) : r.severity_text;
  if (level.empty() && r.severity != kSeverityUnspecified) level = SeverityName(r.severity);
  w.KV("level", level);
  w.KV("body", r.body);
  if (!r.trace_id.empty()) w.KV("trace_id", r.trace_id);
  if (!r.span_id.empty()) w.KV("span_id", r.span_id);
  w.Key("fields").BeginObject();
  for (const auto& [k, v] : r.fields) w.KV(k, v);
  w.EndObject();
  w.EndObject();
}

void Search(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  LogsStore* store = ctx.LogsOr503(resp);
  if (!store) return;
  logsearch::SearchQuery q;
  if (absl::Status st = ParseWhere(req, &q); !st.ok()) return WriteApiError(resp, st);
  auto limit = SizeParam(req, "limit", 100);
  if (!limit.ok()) return WriteApiError(resp, limit.status());
  q.limit = *limit;
  q.cursor = req.Param("cursor").value_or("");
  auto res = logsearch::Search(*store, q);
  if (!res.ok()) return WriteApiError(resp, res.status());
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginObject();
    w.Key("records").BeginArray();
    for (const auto& r : res->records) WriteRecord(w, r);
    w.EndArray();
    w.KV("next_cursor", res->next_cursor);
    w.Key("stats").BeginObject();
    w.Key("scanned").Uint(res->scanned);
    w.Key("matched").Uint(res->matched);
    w.EndObject();
    w.EndObject();
  });
}

void Aggregate(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  LogsStore* store = ctx.LogsOr503(resp);
  if (!store) return;
  logsearch::AggregateQuery q;
  if (absl::Status st = ParseWhere(req, &q.where); !st.ok()) return WriteApiError(resp, st);
  q.by = req.Param("by").value_or("");
  auto top = SizeParam(req, "top", 10);
  if (!top.ok()) return WriteApiError(resp, top.status());
  q.top = *top;
  auto step = LogDurationParam(req, "step", 0);
  if (!step.ok()) return WriteApiError(resp, step.status());
  q.step_ns = *step;
  if (q.step_ns > 0 && (q.where.end_ns - q.where.start_ns) / q.step_ns > 11000) {
    return WriteApiError(resp, absl::InvalidArgumentError(
                                   "exceeded maximum resolution of 11,000 buckets per query; "
                                   "increase step or shorten the range"));
  }
  auto res = logsearch::Aggregate(*store, q);
  if (!res.ok()) return WriteApiError(resp, res.status());
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginObject();
    if (!q.by.empty()) w.KV("by", q.by);
    w.Key("total").Uint(res->total);
    if (!q.by.empty()) {
      w.Key("distinct").Uint(res->distinct);
      w.Key("top").BeginArray();
      for (const auto& [value, n] : res->top) {
        w.BeginObject().KV("value", value).Key("count").Uint(n).EndObject();
      }
      w.EndArray();
    }
    if (q.step_ns > 0) {
      w.Key("buckets").BeginArray();
      for (const auto& b : res->buckets) {
        w.BeginObject();
        w.KV("time", FormatRfc3339Nano(b.start_ns));
        w.Key("total").Uint(b.total);
        if (!q.by.empty()) {
          w.Key("counts").BeginObject();
          for (size_t i = 0; i < res->top.size(); ++i) {
            if (b.counts[i] > 0) w.Key(res->top[i].first).Uint(b.counts[i]);
          }
          w.EndObject();
        }
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  });
}

}  // namespace

void RegisterLogsSearchApi(Router& router, ApiContext& ctx) {
  for (const char* method : {"GET", "POST"}) {
    router.Handle(method, "/api/v1/logs/search",
                  [&ctx](const HttpRequest& req, HttpResponse& resp) { Search(ctx, req, resp); },
                  "logs_search");
    router.Handle(method, "/api/v1/logs/aggregate",
                  [&ctx](const HttpRequest& req, HttpResponse& resp) { Aggregate(ctx, req, resp); },
                  "logs_aggregate");
  }
}

}  // namespace vigil
