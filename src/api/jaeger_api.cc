#include "api/jaeger_api.h"

#include "api/api_response.h"
#include "api/jaeger_json.h"
#include "api/log_params.h"
#include "api/trace_params.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/traces/trace_search.h"
#include "simdjson.h"

namespace vigil {
namespace {

constexpr int64_t kHourNs = 3600LL * 1'000'000'000;

void WriteEnvelope(HttpResponse& resp, size_t total, const std::function<void(JsonWriter&)>& data) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Key("data");
  data(w);
  w.Key("total").Uint(total);
  w.Key("limit").Int(0);
  w.Key("offset").Int(0);
  w.Key("errors").Null();
  w.EndObject();
  resp.SetJson(200, std::move(body));
}

void WriteJaegerError(HttpResponse& resp, const absl::Status& st) {
  int code = ErrorKindOf(st.code()).http_status;
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Key("data").Null();
  w.Key("total").Int(0);
  w.Key("limit").Int(0);
  w.Key("offset").Int(0);
  w.Key("errors").BeginArray().BeginObject();
  w.Key("code").Int(code);
  w.KV("msg", ToStd(st.message()));
  w.EndObject().EndArray();
  w.EndObject();
  resp.SetJson(code, std::move(body));
}

absl::StatusOr<int64_t> MicrosParam(const HttpRequest& req, std::string_view name,
                                    int64_t fallback_ns) {
  std::optional<std::string> v = req.Param(name);
  if (!v || v->empty()) return fallback_ns;
  int64_t us;
  if (!ParseInt64(*v, &us) || us < 0 || us > INT64_MAX / 1000) {
    return absl::InvalidArgumentError(
        StrCat("invalid ", name, " ", QuoteString(*v), ": expected Unix microseconds"));
  }
  return us * 1000;
}

// `tags`: a JSON object {"k":"v"} (values of any scalar type, compared as text), or repeated
// `key:value` pairs.
absl::Status ParseTags(const HttpRequest& req, SpanFilter* f) {
  for (const std::string& tags : req.Params("tags")) {
    if (tags.empty()) continue;
    if (tags.front() != '{') {
      size_t colon = tags.find(':');
      if (colon == std::string::npos || colon == 0) {
        return absl::InvalidArgumentError(
            StrCat("malformed tags ", QuoteString(tags), ": expected a JSON object or key:value"));
      }
      f->attributes.emplace_back(tags.substr(0, colon), tags.substr(colon + 1));
      continue;
    }
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    if (parser.parse(tags).get(obj) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(
          StrCat("malformed tags ", QuoteString(Truncated(tags, 200)), ": not a JSON object"));
    }
    for (auto [key, value] : obj) {
      std::string text;
      if (value.is_string()) {
        text = std::string(std::string_view(value.get_string().value_unsafe()));
      } else {
        text = simdjson::minify(value);
      }
      f->attributes.emplace_back(std::string(std::string_view(key)), std::move(text));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TraceSearchRequest> ParseSearch(const HttpRequest& req) {
  TraceSearchRequest r;
  auto end = MicrosParam(req, "end", NowNs());
  if (!end.ok()) return end.status();
  int64_t lookback = kHourNs;
  if (std::string lb = req.Param("lookback").value_or(""); !lb.empty() && lb != "custom") {
    auto d = LogDurationParam(req, "lookback", kHourNs);
    if (!d.ok()) return d.status();
    lookback = *d;
  }
  auto start = MicrosParam(req, "start", *end - lookback);
  if (!start.ok()) return start.status();
  r.start_ns = *start;
  r.end_ns = *end + 1;
  r.spans.service_name = req.Param("service").value_or("");
  r.spans.span_name = req.Param("operation").value_or("");
  for (auto [name, field] : {std::pair{"minDuration", &r.spans.min_duration_ns},
                             std::pair{"maxDuration", &r.spans.max_duration_ns}}) {
    auto d = LogDurationParam(req, name, *field);
    if (!d.ok()) return d.status();
    *field = *d;
  }
  if (absl::Status st = ParseTags(req, &r.spans); !st.ok()) return st;
  if (std::string limit = req.Param("limit").value_or(""); !limit.empty()) {
    uint64_t n;
    if (!ParseUint64(limit, &n) || n == 0 || n > 1500) {
      return absl::InvalidArgumentError(
          StrCat("invalid limit ", QuoteString(limit), ": must be between 1 and 1500"));
    }
    r.limit = n;
  }
  return r;
}

void FindTraces(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  TracesStore* store = ctx.TracesOr503(resp);
  if (!store) return;
  auto search = ParseSearch(req);
  if (!search.ok()) return WriteJaegerError(resp, search.status());
  auto found = SearchTraces(*store, *search);
  if (!found.ok()) return WriteJaegerError(resp, found.status());
  std::vector<std::vector<Span>> traces;
  for (const TraceSummary& t : found->traces) {
    std::vector<Span> spans;
    absl::Status st = store->GetTrace(t.trace_id, t.start_ns - search->trace_slack_ns,
                                      t.start_ns + t.duration_ns + search->trace_slack_ns, &spans);
    if (!st.ok()) return WriteJaegerError(resp, st);
    traces.push_back(std::move(spans));
  }
  WriteEnvelope(resp, traces.size(), [&](JsonWriter& w) {
    w.BeginArray();
    for (const auto& spans : traces) WriteJaegerTrace(w, spans);
    w.EndArray();
  });
}

void GetTrace(ApiContext& ctx, const HttpRequest& req, HttpResponse& resp) {
  TracesStore* store = ctx.TracesOr503(resp);
  if (!store) return;
  auto id = ParseTraceIdParam(req.PathParam("id"));
  if (!id.ok()) return WriteJaegerError(resp, id.status());
  std::vector<Span> spans;
  if (absl::Status st = store->GetTrace(*id, 0, 0, &spans); !st.ok()) {
    return WriteJaegerError(resp, st);
  }
  if (spans.empty()) return WriteJaegerError(resp, absl::NotFoundError("trace not found"));
  WriteEnvelope(resp, 1, [&](JsonWriter& w) {
    w.BeginArray();
    WriteJaegerTrace(w, spans);
    w.EndArray();
  });
}

// Services and operations of the last `lookback` (Jaeger lists those of the retention).
constexpr int64_t kNamesLookbackNs = 7 * 24 * kHourNs;

void Strings(HttpResponse& resp, const std::vector<std::string>& v, bool as_operations) {
  WriteEnvelope(resp, v.size(), [&](JsonWriter& w) {
    w.BeginArray();
    for (const std::string& s : v) {
      if (!as_operations) {
        w.String(s);
        continue;
      }
      w.BeginObject();
      w.KV("name", s);
      w.KV("spanKind", "");
      w.EndObject();
    }
    w.EndArray();
  });
}

void Operations(ApiContext& ctx, std::string_view service, HttpResponse& resp, bool objects) {
  TracesStore* store = ctx.TracesOr503(resp);
  if (!store) return;
  if (service.empty()) {
    return WriteJaegerError(resp, absl::InvalidArgumentError("parameter 'service' is required"));
  }
  int64_t now = NowNs();
  auto names = store->SpanNames(service, now - kNamesLookbackNs, now + kHourNs);
  if (!names.ok()) return WriteJaegerError(resp, names.status());
  Strings(resp, *names, objects);
}

}  // namespace

void RegisterJaegerApi(Router& router, ApiContext& ctx) {
  router.Handle("GET", "/api/traces",
                [&ctx](const HttpRequest& req, HttpResponse& resp) { FindTraces(ctx, req, resp); },
                "jaeger_find_traces");
  router.Handle("GET", "/api/traces/:id",
                [&ctx](const HttpRequest& req, HttpResponse& resp) { GetTrace(ctx, req, resp); },
                "jaeger_get_trace");
  router.Handle("GET", "/api/services",
                [&ctx](const HttpRequest&, HttpResponse& resp) {
                  TracesStore* store = ctx.TracesOr503(resp);
                  if (!store) return;
                  int64_t now = NowNs();
                  auto services = store->Services(now - kNamesLookbackNs, now + kHourNs);
                  if (!services.ok()) return WriteJaegerError(resp, services.status());
                  Strings(resp, *services, false);
                },
                "jaeger_services");
  router.Handle("GET", "/api/services/:service/operations",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  Operations(ctx, req.PathParam("service"), resp, false);
                },
                "jaeger_operations");
  router.Handle("GET", "/api/operations",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  Operations(ctx, req.Param("service").value_or(""), resp, true);
                },
                "jaeger_operations_v2");
}

}  // namespace vigil
