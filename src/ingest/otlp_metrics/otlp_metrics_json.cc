// The structural half of the OTLP/JSON metrics decoder: request, resources, scopes, metrics.
#include "ingest/otlp_metrics/otlp_metrics_json.h"

#include <limits>

#include "common/strings.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

OtlpMetricKind DataKind(std::string_view key) {
  if (key == "gauge") return OtlpMetricKind::kGauge;
  if (key == "sum") return OtlpMetricKind::kSum;
  if (key == "histogram") return OtlpMetricKind::kHistogram;
  if (Is(key, "exponentialHistogram", "exponential_histogram")) {
    return OtlpMetricKind::kExponentialHistogram;
  }
  if (key == "summary") return OtlpMetricKind::kSummary;
  return OtlpMetricKind::kNone;
}

}  // namespace

struct OtlpMetricsJsonDecoder::Context {
  // Counts the points; its errors refuse every point of a resource (scope).
  OtlpRefusals* refusals = nullptr;
  size_t resource = 0, scope = 0, metric = 0;
  std::string fatal;  // why the request failed, on kMalformed
};

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::Malformed(Context& ctx,
                                                               std::string_view where) {
  if (ctx.fatal.empty()) ctx.fatal = StrCat(where, ": ", error_);
  return Step::kMalformed;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodePoints(ondemand::value& points,
                                                                  Context& ctx,
                                                                  std::string_view label,
                                                                  std::string_view metric_error,
                                                                  size_t* metric_refused) {
  size_t index = 0;
  Step s = ForEachElement(points, "dataPoints", &error_, [&](ondemand::value& point) {
    const size_t i = index++;
    // Points under a refused resource, scope or metric are only counted.
    size_t ordinal;
    if (!ctx.refusals->Admit(&ordinal)) return Step::kOk;
    if (!metric_error.empty()) {
      ++*metric_refused;
      return Step::kOk;
    }
    std::string error;
    Step p = DecodePoint(point, &error);
    if (p == Step::kMalformed) {
      error_ = std::move(error);
      return p;
    }
    if (p == Step::kOk && !mapper_.AddPoint(point_, &error)) p = Step::kRefused;
    if (p == Step::kRefused) ctx.refusals->result()->Refuse(ordinal, 1, label, ": data point ", i, ": ", error);
    return Step::kOk;
  });
  // dataPoints of another type than an array fails the request like a malformed body.
  return s == Step::kRefused ? Step::kMalformed : s;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodeMetric(ondemand::value& v,
                                                                  Context& ctx) {
  const std::string where = StrCat("resourceMetrics[", ctx.resource, "].scopeMetrics[", ctx.scope,
                                   "].metrics[", ctx.metric, "]");
  ondemand::object o;
  bool null;
  if (GetObject(v, "a metric", &o, &null, &error_) != Step::kOk) return Malformed(ctx, where);
  if (null) return Step::kOk;

  // First pass: the metric's identity and type; the data object is read for its temporality.
  OtlpMetricInfo info;
  std::string metric_error, data_error;
  size_t field = 0, data_field = std::numeric_limits<size_t>::max();
  Step s = ForEachField(o, &error_, [&](std::string_view key, ondemand::value& val, JsonType t) {
    const size_t index = field++;
    std::string_view* text = key == "name"          ? &info.name
                             : key == "unit"        ? &info.unit
                             : key == "description" ? &info.description
                                                    : nullptr;
    if (text != nullptr) {
      JsonRead r = reader_.String(val, text);
      if (r == JsonRead::kMalformed) return ReadFailure(r, "", "", &error_);
      if (r != JsonRead::kOk) {
        *text = {};
        // A bad description only loses the help text.
        if (key != "description" && metric_error.empty()) {
          metric_error = JsonReadMessage(r, StrCat("metric ", key), "a string", t);
        }
      }
      return Step::kOk;
    }
    const OtlpMetricKind kind = DataKind(key);
    if (kind == OtlpMetricKind::kNone) return Step::kOk;
    if (t != JsonType::object) {
      error_ = StrCat(key, " must be an object, got ", JsonTypeName(t));
      return Step::kMalformed;
    }
    // A oneof: the last member wins.
    info.kind = kind;
    info.temporality = kTemporalityUnspecified;
    info.monotonic = false;
    data_field = index;
    data_error.clear();
    if (DecodeMetricData(val, &info, &data_error) == Step::kMalformed) {
      error_ = data_error;
      return Step::kMalformed;
    }
    return Step::kOk;
  });
  if (s != Step::kOk) return Malformed(ctx, where);
  if (metric_error.empty()) metric_error = data_error;

  const std::string label = metric_error.empty() && !info.name.empty()
                                ? StrCat("metric ", QuoteString(Truncated(info.name, 128)))
                                : where;
  if (!ctx.refusals->refusing() && metric_error.empty()) mapper_.BeginMetric(info, &metric_error);

  // Second pass: the data points of the data member chosen above.
  if (auto e = o.reset().error(); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    error_ = reader_.MalformedMessage();
    return Malformed(ctx, where);
  }
  size_t metric_refused = 0, metric_first = ctx.refusals->result()->total;
  field = 0;
  s = ForEachField(o, &error_, [&](std::string_view, ondemand::value& val, JsonType) {
    if (field++ != data_field) return Step::kOk;
    ondemand::object data;
    bool data_null;
    if (GetObject(val, "metric data", &data, &data_null, &error_) != Step::kOk) {
      return Step::kMalformed;
    }
    if (data_null) return Step::kOk;
    return ForEachField(data, &error_,
                        [&](std::string_view key, ondemand::value& points, JsonType) {
                          if (!Is(key, "dataPoints", "data_points")) return Step::kOk;
                          return DecodePoints(points, ctx, label, metric_error, &metric_refused);
                        });
  });
  if (s != Step::kOk) return Malformed(ctx, where);
  if (metric_refused > 0) {
    ctx.refusals->result()->Refuse(metric_first, metric_refused, label, ": ", metric_error, " (",
                                   metric_refused, ctx.refusals->Entries(metric_refused),
                                   " refused)");
  }
  return Step::kOk;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodeScopeMetrics(ondemand::value& v,
                                                                        Context& ctx) {
  const std::string where =
      StrCat("resourceMetrics[", ctx.resource, "].scopeMetrics[", ctx.scope, "]");
  ondemand::object o;
  bool null;
  if (GetObject(v, "a scopeMetrics element", &o, &null, &error_) != Step::kOk) {
    return Malformed(ctx, where);
  }
  if (null) return Step::kOk;
  ctx.refusals->BeginScope(ctx.scope);
  std::string& scope_error = ctx.refusals->scope_error();
  std::string_view name, version;
  Step s = ForEachField(o, &error_, [&](std::string_view key, ondemand::value& val, JsonType) {
    if (key != "scope") return Step::kOk;
    ondemand::object so;
    bool scope_null;
    Step gs = GetObject(val, "scope", &so, &scope_null, &scope_error);
    if (gs != Step::kOk || scope_null) {
      if (gs == Step::kMalformed) error_ = scope_error;
      return gs == Step::kMalformed ? gs : Step::kOk;
    }
    return ForEachField(so, &error_, [&](std::string_view k, ondemand::value& sv, JsonType st) {
      if (k != "name" && k != "version") return Step::kOk;
      JsonRead r = reader_.String(sv, k == "name" ? &name : &version);
      if (r == JsonRead::kMalformed) return ReadFailure(r, "", "", &error_);
      if (r != JsonRead::kOk && scope_error.empty()) {
        scope_error = JsonReadMessage(r, StrCat("scope ", k), "a string", st);
      }
      return Step::kOk;
    });
  });
  if (s != Step::kOk) return Malformed(ctx, where);
  mapper_.BeginScope(name, version);
  if (auto e = o.reset().error(); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    error_ = reader_.MalformedMessage();
    return Malformed(ctx, where);
  }
  ctx.metric = 0;
  s = ForEachField(o, &error_, [&](std::string_view key, ondemand::value& val, JsonType) {
    if (key != "metrics") return Step::kOk;
    Step ms = ForEachElement(val, "metrics", &error_, [&](ondemand::value& m) {
      Step r = DecodeMetric(m, ctx);
      ++ctx.metric;
      return r;
    });
    return ms == Step::kRefused ? Step::kMalformed : ms;
  });
  if (s != Step::kOk) return Malformed(ctx, where);
  ctx.refusals->EndScope();
  return Step::kOk;
}

OtlpMetricsJsonDecoder::Step OtlpMetricsJsonDecoder::DecodeResourceMetrics(ondemand::value& v,
                                                                           Context& ctx) {
  const std::string where = StrCat("resourceMetrics[", ctx.resource, "]");
  ondemand::object o;
  bool null;
  if (GetObject(v, "a resourceMetrics element", &o, &null, &error_) != Step::kOk) {
    return Malformed(ctx, where);
  }
  if (null) return Step::kOk;
  ctx.refusals->BeginResource(ctx.resource);
  std::string& resource_error = ctx.refusals->resource_error();
  resource_attrs_.clear();
  Step s = ForEachField(o, &error_, [&](std::string_view key, ondemand::value& val, JsonType) {
    if (key != "resource") return Step::kOk;
    ondemand::object ro;
    bool resource_null;
    Step gs = GetObject(val, "resource", &ro, &resource_null, &resource_error);
    if (gs != Step::kOk || resource_null) {
      if (gs == Step::kMalformed) error_ = resource_error;
      return gs == Step::kMalformed ? gs : Step::kOk;
    }
    return ForEachField(ro, &error_, [&](std::string_view k, ondemand::value& attrs, JsonType) {
      if (k != "attributes") return Step::kOk;
      std::string error;
      Step as = values_.Attributes(attrs, &resource_attrs_, &error);
      if (as == Step::kMalformed) error_ = error;
      if (as == Step::kRefused) resource_error = StrCat("resource: ", error);
      return as == Step::kMalformed ? as : Step::kOk;
    });
  });
  if (s != Step::kOk) return Malformed(ctx, where);
  if (!resource_error.empty()) resource_attrs_.clear();
  mapper_.BeginResource(resource_attrs_);
  if (auto e = o.reset().error(); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    error_ = reader_.MalformedMessage();
    return Malformed(ctx, where);
  }
  ctx.scope = 0;
  s = ForEachField(o, &error_, [&](std::string_view key, ondemand::value& val, JsonType) {
    if (!Is(key, "scopeMetrics", "scope_metrics")) return Step::kOk;
    Step ss = ForEachElement(val, "scopeMetrics", &error_, [&](ondemand::value& sm) {
      Step r = DecodeScopeMetrics(sm, ctx);
      ++ctx.scope;
      return r;
    });
    return ss == Step::kRefused ? Step::kMalformed : ss;
  });
  if (s != Step::kOk) return Malformed(ctx, where);
  mapper_.EndResource();
  ctx.refusals->EndResource();
  return Step::kOk;
}

DecodeResult OtlpMetricsJsonDecoder::Decode(std::string_view body, int64_t now_ms,
                                            DeltaToCumulative::Session* deltas,
                                            OtlpMetricsBatch* batch) {
  DecodeResult result;
  batch->Clear();
  auto fail = [&](std::string_view message) {
    result = DecodeResult();
    result.status =
        absl::InvalidArgumentError(StrCat("malformed OTLP/JSON metrics request: ", message));
    batch->Clear();
    return result;
  };
  if (absl::Status st = json_.Reset(body); !st.ok()) return fail(ToStd(st.message()));
  batch_ = batch;
  reader_.Reset(&json_, batch->arena());
  values_.Reset(&reader_, batch->arena());
  mapper_.Reset(batch, deltas, now_ms);
  refusals_.Reset(&result, &kOtlpMetricsEnvelope, /*json=*/true);
  Context ctx;
  ctx.refusals = &refusals_;
  ondemand::document doc;
  ondemand::object root;
  if (!OpenOtlpJsonRoot(json_, parser_, &doc, &root, &error_)) return fail(error_);
  error_.clear();
  Step s = ForEachField(root, &error_, [&](std::string_view key, ondemand::value& val, JsonType) {
    if (!Is(key, "resourceMetrics", "resource_metrics")) return Step::kOk;
    Step rs = ForEachElement(val, "resourceMetrics", &error_, [&](ondemand::value& rm) {
      Step r = DecodeResourceMetrics(rm, ctx);
      ++ctx.resource;
      return r;
    });
    return rs == Step::kRefused ? Step::kMalformed : rs;
  });
  if (s != Step::kOk) return fail(!ctx.fatal.empty() ? ctx.fatal : error_);
  if (!CheckOtlpJsonEnd(doc, &error_)) return fail(error_);
  batch->Finish();
  return result;
}

}  // namespace vigil
