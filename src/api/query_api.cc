#include "api/query_api.h"

#include <chrono>

#include "api/api_params.h"
#include "api/api_response.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/promql/syntax/parser.h"

namespace vigil {
namespace {

// Prometheus refuses range queries with more points per series than this.
constexpr int64_t kMaxPointsPerSeries = 11000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status ParamError(std::string_view name, const absl::Status& st) {
  return absl::Status(st.code(),
                      StrCat("invalid parameter \"", name, "\": ", ToStd(st.message())));
}

absl::StatusOr<std::string> QueryParam(const HttpRequest& req) {
  auto q = req.Param("query");
  if (!q || q->empty()) {
    return absl::InvalidArgumentError("invalid parameter \"query\": unknown query: empty string");
  }
  return *q;
}

absl::StatusOr<int64_t> DurationParam(const HttpRequest& req, std::string_view name) {
  auto v = req.Param(name);
  if (!v || v->empty()) return 0;
  auto d = ParseApiDurationMs(*v);
  if (!d.ok()) return ParamError(name, d.status());
  return *d;
}

void WriteValue(JsonWriter& w, int64_t t, double v) {
  w.BeginArray();
  std::string ts;
  AppendPromTimestamp(&ts, t);
  w.Raw(ts);
  w.String(FormatPromFloat(v));
  w.EndArray();
}

void WriteResult(HttpResponse& resp, const promql::QueryResult& r) {
  WriteApiData(
      resp,
      [&](JsonWriter& w) {
        w.BeginObject().KV("resultType", promql::ValueTypeApiName(r.type)).Key("result");
        switch (r.type) {
          case promql::ValueType::kScalar:
            WriteValue(w, r.t, r.scalar);
            break;
          case promql::ValueType::kString: {
            w.BeginArray();
            std::string ts;
            AppendPromTimestamp(&ts, r.t);
            w.Raw(ts);
            w.String(r.string);
            w.EndArray();
            break;
          }
          case promql::ValueType::kVector:
            w.BeginArray();
            for (const auto& s : r.vector) {
              w.BeginObject().Key("metric").LabelsObject(s.labels).Key("value");
              WriteValue(w, s.t, s.v);
              w.EndObject();
            }
            w.EndArray();
            break;
          default:
            w.BeginArray();
            for (const auto& s : r.matrix) {
              w.BeginObject().Key("metric").LabelsObject(s.labels).Key("values").BeginArray();
              for (const Sample& p : s.points) WriteValue(w, p.t, p.v);
              w.EndArray().EndObject();
            }
            w.EndArray();
        }
        w.EndObject();
      },
      r.warnings);
}

void WriteQueryError(HttpResponse& resp, const absl::Status& st) {
  // Parse errors name the parameter, as Prometheus reports them.
  if (st.code() == absl::StatusCode::kInvalidArgument &&
      ToStd(st.message()).find("parse error") != std::string_view::npos) {
    return WriteApiError(resp, ParamError("query", st));
  }
  WriteApiError(resp, st);
}

void Query(ApiContext& ctx, const promql::Engine& engine, const HttpRequest& req,
           HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  auto query = QueryParam(req);
  if (!query.ok()) return WriteApiError(resp, query.status());
  auto t = TimeParam(req, "time", NowMs());
  if (!t.ok()) return WriteApiError(resp, t.status());
  auto timeout = DurationParam(req, "timeout");
  if (!timeout.ok()) return WriteApiError(resp, timeout.status());
  auto r = engine.InstantQuery(*store, *query, *t, promql::QueryOptions{*timeout});
  if (!r.ok()) return WriteQueryError(resp, r.status());
  WriteResult(resp, *r);
}

void QueryRange(ApiContext& ctx, const promql::Engine& engine, const HttpRequest& req,
                HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  auto query = QueryParam(req);
  if (!query.ok()) return WriteApiError(resp, query.status());
  for (std::string_view name : {"start", "end", "step"}) {
    auto v = req.Param(name);
    if (!v || v->empty()) {
      return WriteApiError(resp, absl::InvalidArgumentError(StrCat(
                                     "invalid parameter \"", name, "\": cannot parse \"\" to a valid ",
                                     name == "step" ? "duration" : "timestamp")));
    }
  }
  auto start = TimeParam(req, "start", 0);
  if (!start.ok()) return WriteApiError(resp, start.status());
  auto end = TimeParam(req, "end", 0);
  if (!end.ok()) return WriteApiError(resp, end.status());
  if (*end < *start) {
    return WriteApiError(resp, absl::InvalidArgumentError(
                                   "invalid parameter \"end\": end timestamp must not be before start time"));
  }
  auto step = DurationParam(req, "step");
  if (!step.ok()) return WriteApiError(resp, step.status());
  if (*step <= 0) {
    return WriteApiError(resp, absl::InvalidArgumentError(
                                   "invalid parameter \"step\": zero or negative query resolution "
                                   "step widths are not accepted. Try a positive integer"));
  }
  if ((*end - *start) / *step > kMaxPointsPerSeries) {
    return WriteApiError(resp, absl::InvalidArgumentError(
                                   "exceeded maximum resolution of 11,000 points per timeseries. "
                                   "Try decreasing the query resolution (?step=XX)"));
  }
  auto timeout = DurationParam(req, "timeout");
  if (!timeout.ok()) return WriteApiError(resp, timeout.status());
  auto r = engine.RangeQuery(*store, *query, *start, *end, *step, promql::QueryOptions{*timeout});
  if (!r.ok()) return WriteQueryError(resp, r.status());
  WriteResult(resp, *r);
}

void FormatQuery(const HttpRequest& req, HttpResponse& resp) {
  auto query = QueryParam(req);
  if (!query.ok()) return WriteApiError(resp, query.status());
  auto expr = promql::ParseExpr(*query);
  if (!expr.ok()) return WriteQueryError(resp, expr.status());
  std::string pretty = promql::Prettify(**expr);
  WriteApiData(resp, [&](JsonWriter& w) { w.String(pretty); });
}

}  // namespace

void RegisterQueryApi(Router& router, ApiContext& ctx, const promql::Engine& engine) {
  for (const char* method : {"GET", "POST"}) {
    router.Handle(method, "/api/v1/query",
                  [&ctx, &engine](const HttpRequest& req, HttpResponse& resp) {
                    Query(ctx, engine, req, resp);
                  },
                  "query");
    router.Handle(method, "/api/v1/query_range",
                  [&ctx, &engine](const HttpRequest& req, HttpResponse& resp) {
                    QueryRange(ctx, engine, req, resp);
                  },
                  "query_range");
    router.Handle(method, "/api/v1/format_query",
                  [](const HttpRequest& req, HttpResponse& resp) { FormatQuery(req, resp); },
                  "format_query");
  }
}

}  // namespace vigil
