#include "ingest/otlp_metrics/otlp_metrics_proto.h"

#include "common/proto_wire.h"
#include "common/strings.h"
#include "simdjson.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

bool Utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::string WrongWireType(std::string_view field, WireType got, WireType want) {
  return StrCat(field, " has wire type ", proto::WireTypeName(got), ", expected ",
                proto::WireTypeName(want));
}

std::string_view PointsWord(size_t n) { return n == 1 ? " data point" : " data points"; }

}  // namespace

struct OtlpMetricsProtoDecoder::Context {
  DecodeResult* result = nullptr;
  size_t resource = 0, scope = 0, metric = 0;
  // Set: every point of the resource (scope) is refused with this message.
  std::string resource_error, scope_error;
  size_t resource_refused = 0, resource_first = 0;
  size_t scope_refused = 0, scope_first = 0;
};

bool OtlpMetricsProtoDecoder::DecodeMetric(std::string_view pb, Context& ctx, std::string* fatal) {
  const std::string where = StrCat("resource_metrics[", ctx.resource, "].scope_metrics[", ctx.scope,
                                   "].metrics[", ctx.metric, "]");
  OtlpMetricInfo info;
  std::string_view data;
  WireReader r(pb);
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    OtlpMetricKind kind = OtlpMetricKind::kNone;
    switch (f) {
      case 5:
        kind = OtlpMetricKind::kGauge;
        break;
      case 7:
        kind = OtlpMetricKind::kSum;
        break;
      case 9:
        kind = OtlpMetricKind::kHistogram;
        break;
      case 10:
        kind = OtlpMetricKind::kExponentialHistogram;
        break;
      case 11:
        kind = OtlpMetricKind::kSummary;
        break;
      case 1:
      case 2:
      case 3:
        break;
      default:
        r.Skip(t);
        continue;
    }
    if (t != proto::kLengthDelimited) {
      static constexpr std::string_view kNames[] = {
          "", "name",      "description",           "unit",   "", "gauge", "", "sum",
          "", "histogram", "exponential_histogram", "summary"};
      *fatal = StrCat(where, ": ", WrongWireType(kNames[f], t, proto::kLengthDelimited));
      return false;
    }
    std::string_view bytes;
    if (!r.ReadBytes(&bytes)) break;
    if (f == 1) {
      info.name = bytes;
    } else if (f == 2) {
      info.description = bytes;
    } else if (f == 3) {
      info.unit = bytes;
    } else {
      info.kind = kind;  // a oneof: the last member wins
      data = bytes;
    }
  }
  if (r.failed()) {
    *fatal = StrCat(where, ": ", r.error());
    return false;
  }
  // Sum/Histogram/ExponentialHistogram{aggregation_temporality = 2}, Sum{is_monotonic = 3}.
  WireReader d(data);
  while (d.NextField(&f, &t)) {
    const bool has_temporality = info.kind == OtlpMetricKind::kSum ||
                                 info.kind == OtlpMetricKind::kHistogram ||
                                 info.kind == OtlpMetricKind::kExponentialHistogram;
    if (f == 1 && t != proto::kLengthDelimited) {
      *fatal = StrCat(where, ": ", WrongWireType("data_points", t, proto::kLengthDelimited));
      return false;
    }
    if (has_temporality && (f == 2 || (f == 3 && info.kind == OtlpMetricKind::kSum))) {
      if (t != proto::kVarint) {
        *fatal = StrCat(
            where, ": ",
            WrongWireType(f == 2 ? "aggregation_temporality" : "is_monotonic", t, proto::kVarint));
        return false;
      }
      uint64_t v = 0;
      d.ReadVarint(&v);
      if (f == 2) {
        info.temporality = v;
      } else {
        info.monotonic = v != 0;
      }
      continue;
    }
    d.Skip(t);
  }
  if (d.failed()) {
    *fatal = StrCat(where, ": malformed metric data: ", d.error());
    return false;
  }

  std::string metric_error;
  std::string label;  // how messages name the metric
  if (!Utf8(info.name)) {
    metric_error = "invalid UTF-8 in metric name";
  } else if (!Utf8(info.unit)) {
    metric_error = "invalid UTF-8 in unit";
  }
  if (!Utf8(info.description)) info.description = {};  // help text only: not worth a refusal
  label = metric_error.empty() && !info.name.empty()
              ? StrCat("metric ", QuoteString(Truncated(info.name, 128)))
              : where;
  const bool skip = !ctx.resource_error.empty() || !ctx.scope_error.empty();
  if (!skip && metric_error.empty()) mapper_.BeginMetric(info, &metric_error);

  WireReader p(data);
  size_t index = 0, metric_refused = 0, metric_first = ctx.result->total;
  while (p.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 1) {
      p.Skip(t);
      continue;
    }
    if (!p.ReadBytes(&bytes)) break;
    const size_t ordinal = ctx.result->total++;
    const size_t i = index++;
    if (!ctx.resource_error.empty()) {
      if (ctx.resource_refused++ == 0) ctx.resource_first = ordinal;
    } else if (!ctx.scope_error.empty()) {
      if (ctx.scope_refused++ == 0) ctx.scope_first = ordinal;
    } else if (!metric_error.empty()) {
      ++metric_refused;
    } else if (!DecodePoint(bytes, info.kind, &error_) || !mapper_.AddPoint(point_, &error_)) {
      ctx.result->Refuse(ordinal, 1, label, ": data point ", i, ": ", error_);
    }
  }
  if (metric_refused > 0) {
    ctx.result->Refuse(metric_first, metric_refused, label, ": ", metric_error, " (",
                       metric_refused, PointsWord(metric_refused), " refused)");
  }
  return true;
}

bool OtlpMetricsProtoDecoder::DecodeScopeMetrics(std::string_view pb, Context& ctx,
                                                 std::string* fatal) {
  const std::string where =
      StrCat("resource_metrics[", ctx.resource, "].scope_metrics[", ctx.scope, "]");
  WireReader r(pb);
  uint32_t f;
  WireType t;
  std::string_view scope;
  while (r.NextField(&f, &t)) {
    if (f != 1 && f != 2) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      *fatal = StrCat(where, ": ",
                      WrongWireType(f == 1 ? "scope" : "metrics", t, proto::kLengthDelimited));
      return false;
    }
    std::string_view bytes;
    if (r.ReadBytes(&bytes) && f == 1) scope = bytes;
  }
  if (r.failed()) {
    *fatal = StrCat(where, ": ", r.error());
    return false;
  }
  // InstrumentationScope{name = 1, version = 2}.
  ctx.scope_error.clear();
  ctx.scope_refused = 0;
  std::string_view name, version;
  WireReader s(scope);
  while (s.NextField(&f, &t)) {
    if ((f == 1 || f == 2) && t == proto::kLengthDelimited) {
      s.ReadBytes(f == 1 ? &name : &version);
    } else {
      s.Skip(t);
    }
  }
  if (s.failed()) {
    ctx.scope_error = StrCat("malformed scope: ", s.error());
  } else if (!Utf8(name) || !Utf8(version)) {
    ctx.scope_error = "invalid UTF-8 in scope name or version";
  }
  mapper_.BeginScope(name, version);

  WireReader m(pb);
  ctx.metric = 0;
  while (m.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 2) {
      m.Skip(t);
      continue;
    }
    if (!m.ReadBytes(&bytes)) break;
    if (!DecodeMetric(bytes, ctx, fatal)) return false;
    ++ctx.metric;
  }
  if (ctx.scope_refused > 0) {
    ctx.result->Refuse(ctx.scope_first, ctx.scope_refused, where, ": ", ctx.scope_error, " (",
                       ctx.scope_refused, PointsWord(ctx.scope_refused), " refused)");
  }
  return true;
}

bool OtlpMetricsProtoDecoder::DecodeResourceMetrics(std::string_view pb, Context& ctx,
                                                    std::string* fatal) {
  const std::string where = StrCat("resource_metrics[", ctx.resource, "]");
  WireReader r(pb);
  uint32_t f;
  WireType t;
  std::string_view resource;
  while (r.NextField(&f, &t)) {
    if (f != 1 && f != 2) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      *fatal =
          StrCat(where, ": ",
                 WrongWireType(f == 1 ? "resource" : "scope_metrics", t, proto::kLengthDelimited));
      return false;
    }
    std::string_view bytes;
    if (r.ReadBytes(&bytes) && f == 1) resource = bytes;
  }
  if (r.failed()) {
    *fatal = StrCat(where, ": ", r.error());
    return false;
  }
  ctx.resource_error.clear();
  ctx.resource_refused = 0;
  if (!values_.Attributes(resource, 1, &resource_attrs_, &ctx.resource_error)) {
    ctx.resource_error = StrCat("resource: ", ctx.resource_error);
    resource_attrs_.clear();
  }
  mapper_.BeginResource(resource_attrs_);
  WireReader s(pb);
  ctx.scope = 0;
  while (s.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 2) {
      s.Skip(t);
      continue;
    }
    if (!s.ReadBytes(&bytes)) break;
    if (!DecodeScopeMetrics(bytes, ctx, fatal)) return false;
    ++ctx.scope;
  }
  mapper_.EndResource();
  if (ctx.resource_refused > 0) {
    ctx.result->Refuse(ctx.resource_first, ctx.resource_refused, where, ": ", ctx.resource_error,
                       " (", ctx.resource_refused, PointsWord(ctx.resource_refused), " refused)");
  }
  return true;
}

DecodeResult OtlpMetricsProtoDecoder::Decode(std::string_view body, int64_t now_ms,
                                             DeltaToCumulative::Session* deltas,
                                             OtlpMetricsBatch* batch) {
  DecodeResult result;
  batch->Clear();
  batch_ = batch;
  values_.Reset(batch->arena());
  mapper_.Reset(batch, deltas, now_ms);
  Context ctx;
  ctx.result = &result;
  WireReader r(body);
  uint32_t f;
  WireType t;
  std::string fatal;
  while (r.NextField(&f, &t)) {
    if (f != 1) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      fatal = WrongWireType("resource_metrics", t, proto::kLengthDelimited);
      break;
    }
    std::string_view bytes;
    if (!r.ReadBytes(&bytes)) break;
    if (!DecodeResourceMetrics(bytes, ctx, &fatal)) break;
    ++ctx.resource;
  }
  if (r.failed() && fatal.empty()) fatal = r.error();
  if (!fatal.empty()) {
    result = DecodeResult();
    result.status = absl::InvalidArgumentError(StrCat("malformed OTLP metrics request: ", fatal));
    batch->Clear();
    return result;
  }
  batch->Finish();
  return result;
}

}  // namespace vigil
