#include "api/traces_read_api.h"

#include "api/api_response.h"
#include "api/log_params.h"
#include "api/trace_json.h"
#include "api/trace_params.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/traces/service_graph.h"
#include "query/traces/trace_analysis.h"
#include "query/traces/trace_search.h"

namespace vigil {
namespace {

void GetTraceHandler(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  TracesStore* store = ctx.TracesOr503(resp);
  if (!store) return;
  auto id = ParseTraceIdParam(req.PathParam("id"));
  if (!id.ok()) return WriteApiError(resp, id.status());
  auto start = LogTimeParam(req, "start", 0);
  if (!start.ok()) return WriteApiError(resp, start.status());
  auto end = LogTimeParam(req, "end", 0);
  if (!end.ok()) return WriteApiError(resp, end.status());
  std::vector<Span> spans;
  if (absl::Status st = store->GetTrace(*id, *start, *end, &spans); !st.ok()) {
    return WriteApiError(resp, st);
  }
  if (spans.empty()) {
    return WriteApiError(resp, absl::NotFoundError(StrCat("trace ", id->Hex(), " not found")));
  }
  TraceAnalysis analysis = AnalyzeTrace(spans);
  WriteApiData(resp, [&](JsonWriter& w) { WriteTraceJson(w, spans, analysis); });
}

void SearchHandler(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  TracesStore* store = ctx.TracesOr503(resp);
  if (!store) return;
  auto search = ParseTraceSearchParams(req);
  if (!search.ok()) return WriteApiError(resp, search.status());
  auto found = SearchTraces(*store, *search);
  if (!found.ok()) return WriteApiError(resp, found.status());
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginObject();
    w.Key("traces").BeginArray();
    for (size_t i = 0; i < found->traces.size(); ++i) {
      const TraceSummary& t = found->traces[i];
      w.BeginObject();
      w.KV("trace_id", t.trace_id.Hex());
      w.KV("root_service", t.root_service);
      w.KV("root_span_name", t.root_span_name);
      w.KV("start_time_unix_nano", StrCat(t.start_ns));
      w.Key("duration_ns").Int(t.duration_ns);
      w.Key("span_count").Uint(t.span_count);
      w.Key("error_count").Uint(t.error_count);
      w.Key("services").BeginArray();
      for (const std::string& s : t.services) w.String(s);
      w.EndArray();
      w.Key("matched_spans").Uint(found->matched_spans[i]);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

void ServiceGraphHandler(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  TracesStore* store = ctx.TracesOr503(resp);
  if (!store) return;
  auto range = TimeRangeParams(req);
  if (!range.ok()) return WriteApiError(resp, range.status());
  SpanScanRequest scan;
  scan.start_ns = range->first;
  scan.end_ns = range->second;
  ServiceGraphBuilder graph;
  absl::Status st = store->ScanSpans(scan, [&](std::span<const SpanRow> rows) {
    graph.Add(rows);
    return true;
  });
  if (!st.ok()) return WriteApiError(resp, st);
  std::vector<ServiceNode> nodes;
  std::vector<ServiceEdge> edges = graph.Finish(&nodes);
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginObject();
    w.Key("nodes").BeginArray();
    for (const ServiceNode& n : nodes) {
      w.BeginObject();
      w.KV("service", n.service);
      w.Key("spans").Uint(n.spans);
      w.Key("calls").Uint(n.calls);
      w.Key("errors").Uint(n.errors);
      w.Key("p95_ns").Int(n.p95_ns);
      w.EndObject();
    }
    w.EndArray();
    w.Key("edges").BeginArray();
    for (const ServiceEdge& e : edges) {
      w.BeginObject();
      w.KV("client", e.client);
      w.KV("server", e.server);
      w.Key("calls").Uint(e.calls);
      w.Key("errors").Uint(e.errors);
      w.Key("p50_ns").Int(e.p50_ns);
      w.Key("p95_ns").Int(e.p95_ns);
      w.Key("p99_ns").Int(e.p99_ns);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

void WriteStrings(HttpResponse& resp, const std::vector<std::string>& v) {
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginArray();
    for (const std::string& s : v) w.String(s);
    w.EndArray();
  });
}

}  // namespace

void RegisterTracesReadApi(Router& router, ApiContext& ctx) {
  router.Handle("GET", "/api/v1/traces/search",
                [&ctx](const HttpRequest& req, HttpResponse& resp) { SearchHandler(ctx, req, resp); },
                "traces_search");
  router.Handle("GET", "/api/v1/traces/service_graph",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  ServiceGraphHandler(ctx, req, resp);
                },
                "traces_service_graph");
  router.Handle("GET", "/api/v1/traces/services",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  TracesStore* store = ctx.TracesOr503(resp);
                  if (!store) return;
                  auto range = TimeRangeParams(req);
                  if (!range.ok()) return WriteApiError(resp, range.status());
                  auto services = store->Services(range->first, range->second);
                  if (!services.ok()) return WriteApiError(resp, services.status());
                  WriteStrings(resp, *services);
                },
                "traces_services");
  router.Handle("GET", "/api/v1/traces/span_names",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  TracesStore* store = ctx.TracesOr503(resp);
                  if (!store) return;
                  std::string service = req.Param("service").value_or("");
                  if (service.empty()) {
                    return WriteApiError(resp, absl::InvalidArgumentError(
                                                   "missing parameter \"service\""));
                  }
                  auto range = TimeRangeParams(req);
                  if (!range.ok()) return WriteApiError(resp, range.status());
                  auto names = store->SpanNames(service, range->first, range->second);
                  if (!names.ok()) return WriteApiError(resp, names.status());
                  WriteStrings(resp, *names);
                },
                "traces_span_names");
  router.Handle("GET", "/api/v1/traces/:id",
                [&ctx](const HttpRequest& req, HttpResponse& resp) { GetTraceHandler(ctx, req, resp); },
                "traces_get");
}

}  // namespace vigil
