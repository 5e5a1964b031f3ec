#include "api/metrics_read_api.h"

#include <set>

#include "api/api_params.h"
#include "api/api_response.h"
#include "common/strings.h"
#include "query/promql/syntax/parser.h"

namespace vigil {
namespace {

struct Range {
  int64_t start, end;
};

absl::StatusOr<Range> RangeParams(const HttpRequest& req) {
  auto start = TimeParam(req, "start", kApiMinTime);
  if (!start.ok()) return start.status();
  auto end = TimeParam(req, "end", kApiMaxTime);
  if (!end.ok()) return end.status();
  if (*end < *start) {
    return absl::InvalidArgumentError("invalid parameter \"end\": end timestamp must not be before start time");
  }
  return Range{*start, *end};
}

// Calls fn once for each series any of the match[] selectors picks in [start, end] (a series
// several selectors pick is visited once), in label order per selector.
absl::Status ForEachSelected(MetricsStore& store, const HttpRequest& req, bool labels_only,
                             const std::function<void(const SeriesSet&)>& fn) {
  auto range = RangeParams(req);
  if (!range.ok()) return range.status();
  auto match = MatchParams(req, true);
  if (!match.ok()) return match.status();
  auto q = store.Querier(range->start, range->end);
  std::set<Labels> seen;
  for (const Matchers& m : *match) {
    auto set = q->Select(m, {range->start, range->end, labels_only});
    while (set->Next()) {
      if (seen.insert(set->labels()).second) fn(*set);
    }
    if (!set->status().ok()) return set->status();
  }
  return absl::OkStatus();
}

void Series(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  auto limit = LimitParam(req, "limit");
  if (!limit.ok()) return WriteApiError(resp, limit.status());
  std::set<Labels> found;
  absl::Status st = ForEachSelected(*store, req, /*labels_only=*/true,
                                    [&](const SeriesSet& s) { found.insert(s.labels()); });
  if (!st.ok()) return WriteApiError(resp, st);
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginArray();
    size_t n = 0;
    for (const auto& l : found) {
      if (*limit != 0 && n++ >= *limit) break;
      w.LabelsObject(l);
    }
    w.EndArray();
  });
}

// Label names or values over the union of the match[] selectors (or everything).
absl::StatusOr<std::vector<std::string>> Collect(MetricsStore& store, const HttpRequest& req,
                                                 const std::string* label_name) {
  auto range = RangeParams(req);
  if (!range.ok()) return range.status();
  auto match = MatchParams(req, false);
  if (!match.ok()) return match.status();
  auto q = store.Querier(range->start, range->end);
  if (match->empty()) match->push_back({});
  std::set<std::string> all;
  for (const Matchers& m : *match) {
    auto got = label_name ? q->LabelValues(*label_name, m) : q->LabelNames(m);
    if (!got.ok()) return got.status();
    all.insert(got->begin(), got->end());
  }
  return std::vector<std::string>(all.begin(), all.end());
}

void WriteStrings(HttpResponse& resp, const absl::StatusOr<std::vector<std::string>>& got,
                  uint64_t limit) {
  if (!got.ok()) return WriteApiError(resp, got.status());
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginArray();
    size_t n = 0;
    for (const auto& s : *got) {
      if (limit != 0 && n++ >= limit) break;
      w.String(s);
    }
    w.EndArray();
  });
}

void LabelNames(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  auto limit = LimitParam(req, "limit");
  if (!limit.ok()) return WriteApiError(resp, limit.status());
  WriteStrings(resp, Collect(*store, req, nullptr), *limit);
}

void LabelValues(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  std::string name(req.PathParam("name"));
  if (!IsValidLabelName(name)) {
    return WriteApiError(resp, absl::InvalidArgumentError(StrCat("invalid label name: ", QuoteString(name))));
  }
  auto limit = LimitParam(req, "limit");
  if (!limit.ok()) return WriteApiError(resp, limit.status());
  WriteStrings(resp, Collect(*store, req, &name), *limit);
}

void Metadata(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  auto limit = LimitParam(req, "limit");
  if (!limit.ok()) return WriteApiError(resp, limit.status());
  auto md = store->Metadata(req.Param("metric").value_or(""), *limit);
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginObject();
    for (const auto& [name, m] : md) {
      w.Key(name).BeginArray().BeginObject();
      w.KV("type", MetricTypeName(m.type)).KV("help", m.help).KV("unit", m.unit);
      w.EndObject().EndArray();
    }
    w.EndObject();
  });
}

void QueryExemplars(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  auto range = RangeParams(req);
  if (!range.ok()) return WriteApiError(resp, range.status());
  auto query = req.Param("query");
  if (!query || query->empty()) {
    return WriteApiError(resp, absl::InvalidArgumentError("invalid parameter \"query\": empty query"));
  }
  // As in Prometheus: the exemplars of every series any selector of the expression picks.
  auto expr = promql::ParseExpr(*query);
  if (!expr.ok()) {
    return WriteApiError(resp, absl::InvalidArgumentError(StrCat(
                                   "invalid parameter \"query\": ", ToStd(expr.status().message()))));
  }
  std::vector<Matchers> selectors;
  for (const promql::VectorSelector* vs : promql::Selectors(**expr)) selectors.push_back(vs->matchers);
  auto got = store->Exemplars().SelectExemplars(selectors, range->start, range->end);
  if (!got.ok()) return WriteApiError(resp, got.status());
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginArray();
    for (const auto& se : *got) {
      w.BeginObject().Key("seriesLabels");
      w.LabelsObject(se.series);
      w.Key("exemplars").BeginArray();
      for (const auto& e : se.exemplars) {
        w.BeginObject().Key("labels");
        w.LabelsObject(e.labels);
        w.KV("value", FormatPromFloat(e.value));
        std::string ts;
        AppendPromTimestamp(&ts, e.t);
        w.Key("timestamp").Raw(ts);
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray();
  });
}

void Export(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  MetricsStore* store = ctx.MetricsOr503(resp);
  if (!store) return;
  std::string body;
  absl::Status st = ForEachSelected(*store, req, /*labels_only=*/false, [&](const SeriesSet& s) {
    if (s.samples().empty()) return;
    JsonWriter w(&body);
    w.BeginObject().Key("metric");
    w.LabelsObject(s.labels());
    w.Key("values").BeginArray();
    for (const Sample& smp : s.samples()) {
      // Non-finite values have no JSON number: they are written as Prometheus strings.
      if (std::isfinite(smp.v)) {
        w.Raw(FormatPromFloat(smp.v));
      } else {
        w.String(FormatPromFloat(smp.v));
      }
    }
    w.EndArray().Key("timestamps").BeginArray();
    for (const Sample& smp : s.samples()) w.Int(smp.t);
    w.EndArray().EndObject();
    body.push_back('\n');
  });
  if (!st.ok()) return WriteApiError(resp, st);
  resp.set_status(200);
  resp.set_content_type("application/stream+json");
  resp.set_body(std::move(body));
}

}  // namespace

void RegisterMetricsReadApi(Router& router, ApiContext& ctx) {
  auto bind = [&ctx](void (*fn)(ApiContext&, const HttpRequest&, HttpResponse&)) {
    return [&ctx, fn](const HttpRequest& req, HttpResponse& resp) { fn(ctx, req, resp); };
  };
  for (const char* method : {"GET", "POST"}) {
    router.Handle(method, "/api/v1/series", bind(Series), "series");
    router.Handle(method, "/api/v1/labels", bind(LabelNames), "labels");
    router.Handle(method, "/api/v1/query_exemplars", bind(QueryExemplars), "query_exemplars");
    router.Handle(method, "/api/v1/export", bind(Export), "export");
  }
  router.Handle("GET", "/api/v1/label/:name/values", bind(LabelValues), "label_values");
  router.Handle("GET", "/api/v1/metadata", bind(Metadata), "metadata");
}

}  // namespace vigil
