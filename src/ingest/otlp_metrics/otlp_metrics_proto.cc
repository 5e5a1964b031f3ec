#include "ingest/otlp_metrics/otlp_metrics_proto.h"

#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/common/utf8.h"
#include "simdjson.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

}  // namespace

bool OtlpMetricsProtoDecoder::DecodeMetric(std::string_view pb, size_t index, std::string* fatal) {
  OtlpRefusals& refusals = envelope_.refusals();
  const std::string where = StrCat("resource_metrics[", refusals.resource(), "].scope_metrics[",
                                   refusals.scope(), "].metrics[", index, "]");
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
      *fatal = StrCat(where, ": ", OtlpWrongWireType(kNames[f], t, proto::kLengthDelimited));
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
      *fatal = StrCat(where, ": ", OtlpWrongWireType("data_points", t, proto::kLengthDelimited));
      return false;
    }
    if (has_temporality && (f == 2 || (f == 3 && info.kind == OtlpMetricKind::kSum))) {
      if (t != proto::kVarint) {
        *fatal = StrCat(
            where, ": ",
            OtlpWrongWireType(f == 2 ? "aggregation_temporality" : "is_monotonic", t, proto::kVarint));
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
  if (!IsUtf8(info.name)) {
    metric_error = "invalid UTF-8 in metric name";
  } else if (!IsUtf8(info.unit)) {
    metric_error = "invalid UTF-8 in unit";
  }
  if (!IsUtf8(info.description)) info.description = {};  // help text only: not worth a refusal
  label = metric_error.empty() && !info.name.empty()
              ? StrCat("metric ", QuoteString(Truncated(info.name, 128)))
              : where;
  if (!refusals.refusing() && metric_error.empty()) mapper_.BeginMetric(info, &metric_error);

  DecodeResult* result = refusals.result();
  WireReader p(data);
  size_t point = 0, metric_refused = 0, metric_first = result->total;
  while (p.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 1) {
      p.Skip(t);
      continue;
    }
    if (!p.ReadBytes(&bytes)) break;
    const size_t i = point++;
    size_t ordinal;
    if (!refusals.Admit(&ordinal)) continue;
    if (!metric_error.empty()) {
      ++metric_refused;
    } else if (!DecodePoint(bytes, info.kind, &error_) || !mapper_.AddPoint(point_, &error_)) {
      result->Refuse(ordinal, 1, label, ": data point ", i, ": ", error_);
    }
  }
  if (metric_refused > 0) {
    result->Refuse(metric_first, metric_refused, label, ": ", metric_error, " (", metric_refused,
                   refusals.Entries(metric_refused), " refused)");
  }
  return true;
}

// The envelope's callbacks: resources and scopes go to the mapper; metrics hold the points.
struct OtlpMetricsProtoDecoder::Visitor {
  static constexpr bool kItemsAreEntries = false;
  OtlpMetricsProtoDecoder& d;

  void OnResource(std::span<const OtlpAttribute> attrs, std::string* /*error*/) {
    d.mapper_.BeginResource(attrs);
  }
  void OnResourceEnd() { d.mapper_.EndResource(); }
  void OnScope(std::string_view name, std::string_view version, std::string* error) {
    if (error->empty() && (!IsUtf8(name) || !IsUtf8(version))) {
      *error = "invalid UTF-8 in scope name or version";
    }
    d.mapper_.BeginScope(name, version);
  }
  bool OnItem(std::string_view metric, size_t index, std::string* fatal) {
    return d.DecodeMetric(metric, index, fatal);
  }
};

DecodeResult OtlpMetricsProtoDecoder::Decode(std::string_view body, int64_t now_ms,
                                             DeltaToCumulative::Session* deltas,
                                             OtlpMetricsBatch* batch) {
  DecodeResult result;
  batch->Clear();
  batch_ = batch;
  values_.Reset(batch->arena());
  mapper_.Reset(batch, deltas, now_ms);
  Visitor visitor{*this};
  std::string fatal;
  if (!envelope_.Walk(body, &result, visitor, &fatal)) {
    result = DecodeResult();
    result.status = absl::InvalidArgumentError(StrCat("malformed OTLP metrics request: ", fatal));
    batch->Clear();
    return result;
  }
  batch->Finish();
  return result;
}

}  // namespace vigil
