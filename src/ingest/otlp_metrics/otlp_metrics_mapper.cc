#include "ingest/otlp_metrics/otlp_metrics_mapper.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/strings.h"

namespace vigil {
namespace {

constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kServiceNamespace = "service.namespace";
constexpr std::string_view kServiceInstanceId = "service.instance.id";
constexpr std::string_view kJob = "job";
constexpr std::string_view kInstance = "instance";
constexpr std::string_view kScopeName = "otel_scope_name";
constexpr std::string_view kScopeVersion = "otel_scope_version";
constexpr std::string_view kTargetInfo = "target_info";

// Beyond this many distinct sanitized keys the cache starts over (at a request boundary).
constexpr size_t kMaxCachedNames = 8192;

bool ByName(const LabelView& a, const LabelView& b) { return a.name < b.name; }

// Replaces the value of `name` or adds the label (the vector is sorted afterwards).
void SetLabel(std::vector<LabelView>* labels, std::string_view name, std::string_view value) {
  for (LabelView& l : *labels) {
    if (l.name == name) {
      l.value = value;
      return;
    }
  }
  labels->push_back({name, value});
}

void DeleteLabel(std::vector<LabelView>* labels, std::string_view name) {
  std::erase_if(*labels, [&](const LabelView& l) { return l.name == name; });
}

// Characters (UTF-8 code points) of `s`.
size_t Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string FormatBoundLabel(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[400];  // the longest fixed form of a double is ~330 characters
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

void OtlpMetricsMapper::Reset(OtlpMetricsBatch* batch, DeltaToCumulative::Session* deltas,
                              int64_t now_ms) {
  batch_ = batch;
  deltas_ = deltas;
  now_ms_ = now_ms;
  job_.clear();
  instance_ = {};
  target_labels_.clear();
  scope_name_ = scope_version_ = {};
  metric_ = {};
  if (names_.size() > kMaxCachedNames) {
    names_.clear();
    names_arena_.Clear();
  }
}

std::string_view OtlpMetricsMapper::LabelName(std::string_view key) {
  if (IsPrometheusLabelNameAsIs(key)) return key;
  if (auto it = names_.find(ToAbsl(key)); it != names_.end()) return it->second;
  scratch_.clear();
  AppendPrometheusLabelName(key, &scratch_);
  std::string_view name = names_arena_.Copy(scratch_);
  names_.emplace(std::string(key), name);
  return name;
}

void OtlpMetricsMapper::AttributeLabels(std::span<const OtlpAttribute> attrs,
                                        std::span<const std::string_view> skip,
                                        std::vector<LabelView>* out) {
  attrs_.clear();
  for (const OtlpAttribute& a : attrs) {
    if (a.key.empty() || a.value.empty()) continue;
    if (std::find(skip.begin(), skip.end(), a.key) != skip.end()) continue;
    attrs_.push_back({LabelName(a.key), a.key, a.value});
  }
  std::sort(attrs_.begin(), attrs_.end(), [](const Attr& a, const Attr& b) {
    return a.name != b.name ? a.name < b.name : a.key < b.key;
  });
  out->clear();
  for (size_t i = 0; i < attrs_.size();) {
    size_t j = i + 1;
    while (j < attrs_.size() && attrs_[j].name == attrs_[i].name) ++j;
    if (j == i + 1) {
      out->push_back({attrs_[i].name, attrs_[i].value});
    } else {
      // Keys that sanitize to one name: values joined with ';' in the order of the keys.
      scratch_.clear();
      for (size_t k = i; k < j; ++k) {
        if (k > i) scratch_.push_back(';');
        scratch_.append(attrs_[k].value);
      }
      out->push_back({attrs_[i].name, batch_->arena()->Copy(scratch_)});
    }
    i = j;
  }
}

void OtlpMetricsMapper::BeginResource(std::span<const OtlpAttribute> attrs) {
  job_.clear();
  instance_ = {};
  resource_max_t_ = std::numeric_limits<int64_t>::min();
  resource_points_ = 0;
  std::string_view name, ns;
  for (const OtlpAttribute& a : attrs) {
    if (a.key == kServiceName) name = a.value;
    if (a.key == kServiceNamespace) ns = a.value;
    if (a.key == kServiceInstanceId) instance_ = a.value;
  }
  if (!name.empty()) job_ = ns.empty() ? std::string(name) : StrCat(ns, "/", name);
  static constexpr std::string_view kIdentifying[] = {kServiceName, kServiceNamespace,
                                                      kServiceInstanceId};
  AttributeLabels(attrs, kIdentifying, &target_labels_);
}

void OtlpMetricsMapper::EndResource() {
  if (target_labels_.empty() || resource_points_ == 0) return;
  series_labels_.assign(target_labels_.begin(), target_labels_.end());
  if (!job_.empty()) SetLabel(&series_labels_, kJob, job_);
  if (!instance_.empty()) SetLabel(&series_labels_, kInstance, instance_);
  SetLabel(&series_labels_, kMetricName, kTargetInfo);
  std::sort(series_labels_.begin(), series_labels_.end(), ByName);
  scratch_.clear();
  PackLabels(series_labels_, &scratch_);
  batch_->Get(scratch_).samples.push_back({resource_max_t_, 1});
}

void OtlpMetricsMapper::BeginScope(std::string_view name, std::string_view version) {
  scope_name_ = name;
  scope_version_ = version;
}

bool OtlpMetricsMapper::BeginMetric(const OtlpMetricInfo& m, std::string* error) {
  metric_ = m;
  delta_ = false;
  if (m.name.empty()) {
    *error = "empty metric name";
    return false;
  }
  MetricType type = MetricType::kGauge;
  switch (m.kind) {
    case OtlpMetricKind::kNone:
      return true;
    case OtlpMetricKind::kExponentialHistogram:
      *error = "exponential histograms are not supported";
      return false;
    case OtlpMetricKind::kGauge:
      family_kind_ = PromFamilyKind::kGauge;
      break;
    case OtlpMetricKind::kSum:
    case OtlpMetricKind::kHistogram: {
      const bool sum = m.kind == OtlpMetricKind::kSum;
      if (m.temporality != kTemporalityDelta && m.temporality != kTemporalityCumulative) {
        *error = StrCat("aggregation temporality ", m.temporality,
                        m.temporality == kTemporalityUnspecified ? " (unspecified)" : "",
                        " is not delta (1) or cumulative (2)");
        return false;
      }
      delta_ = m.temporality == kTemporalityDelta;
      if (sum && delta_ && !m.monotonic) {
        *error =
            "delta temporality on a non-monotonic sum is not supported (only monotonic delta "
            "sums can be made cumulative)";
        return false;
      }
      family_kind_ = !sum          ? PromFamilyKind::kHistogram
                     : m.monotonic ? PromFamilyKind::kCounter
                                   : PromFamilyKind::kGauge;
      type = !sum          ? MetricType::kHistogram
             : m.monotonic ? MetricType::kCounter
                           : MetricType::kGauge;
      break;
    }
    case OtlpMetricKind::kSummary:
      family_kind_ = PromFamilyKind::kSummary;
      type = MetricType::kSummary;
      break;
  }
  family_ = PrometheusMetricName(m.name, m.unit, family_kind_);
  bucket_name_ = family_ + "_bucket";
  sum_name_ = family_ + "_sum";
  count_name_ = family_ + "_count";
  batch_->SetMetadata(family_, MetricMetadata{type, std::string(m.description),
                                              PrometheusUnit(m.unit, family_kind_)});
  return true;
}

void OtlpMetricsMapper::BuildPointLabels(const OtlpDataPoint& p) {
  AttributeLabels(p.attrs, {}, &labels_);
  if (!job_.empty()) SetLabel(&labels_, kJob, job_);
  if (!instance_.empty()) SetLabel(&labels_, kInstance, instance_);
  if (!scope_name_.empty()) SetLabel(&labels_, kScopeName, scope_name_);
  if (!scope_version_.empty()) SetLabel(&labels_, kScopeVersion, scope_version_);
  // Names the mapping sets itself.
  DeleteLabel(&labels_, kMetricName);
  if (family_kind_ == PromFamilyKind::kHistogram) DeleteLabel(&labels_, "le");
  if (family_kind_ == PromFamilyKind::kSummary) DeleteLabel(&labels_, "quantile");
  std::sort(labels_.begin(), labels_.end(), ByName);
}

void OtlpMetricsMapper::Emit(std::string_view name, LabelView extra, double v) {
  series_labels_.assign(labels_.begin(), labels_.end());
  series_labels_.push_back({kMetricName, name});
  if (!extra.name.empty()) series_labels_.push_back(extra);
  std::sort(series_labels_.begin(), series_labels_.end(), ByName);
  const size_t begin = pending_keys_.size();
  PackLabels(series_labels_, &pending_keys_);
  pending_.push_back(
      {static_cast<uint32_t>(begin), static_cast<uint32_t>(pending_keys_.size() - begin), v});
}

bool OtlpMetricsMapper::AddExemplars(const OtlpDataPoint& p, int64_t t_ms,
                                     std::span<const double> bounds, std::string* error) {
  for (size_t i = 0; i < p.exemplars.size(); ++i) {
    const OtlpExemplarPoint& e = p.exemplars[i];
    if (e.time_ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      *error = StrCat("exemplar ", i, ": time_unix_nano ", e.time_ns, " is out of range");
      return false;
    }
    exemplar_labels_.clear();
    size_t chars = 0;
    if (!e.trace_id.empty()) {
      exemplar_labels_.push_back({"trace_id", std::string(e.trace_id)});
      chars += 8 + e.trace_id.size();
    }
    if (!e.span_id.empty()) {
      exemplar_labels_.push_back({"span_id", std::string(e.span_id)});
      chars += 7 + e.span_id.size();
    }
    for (uint32_t k = e.attrs_begin; k < e.attrs_end; ++k) {
      const OtlpAttribute& a = p.exemplar_attrs[k];
      if (a.key.empty() || a.value.empty()) continue;
      std::string_view name = LabelName(a.key);
      if (name == "trace_id" || name == "span_id") continue;
      // Attributes that would push the label set past OpenMetrics' limit are left out.
      const size_t n = Chars(name) + Chars(a.value);
      if (chars + n > kMaxExemplarLabelChars) continue;
      chars += n;
      exemplar_labels_.push_back({std::string(name), std::string(a.value)});
    }
    // The bucket is the first whose bound is at or above the value (NaN: +Inf).
    uint32_t target = 0;
    if (family_kind_ == PromFamilyKind::kHistogram) {
      size_t b = std::isnan(e.value)
                     ? bounds.size()
                     : static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), e.value) -
                                           bounds.begin());
      target = static_cast<uint32_t>(b);
    }
    const int64_t et = e.time_ns != 0 ? static_cast<int64_t>(e.time_ns / 1'000'000) : t_ms;
    pending_exemplars_.push_back(
        Exemplar{Labels::FromUnsorted(std::move(exemplar_labels_)), e.value, et});
    exemplar_labels_ = {};
    pending_exemplar_target_.push_back(target);
  }
  return true;
}

bool OtlpMetricsMapper::AddNumber(const OtlpDataPoint& p, bool stale, std::string* error) {
  if (!p.has_value && !stale) {
    *error = "no value (as_double or as_int)";
    return false;
  }
  if (delta_ && !stale) {
    if (!std::isfinite(p.value)) {
      *error = StrCat("delta value ", p.value, " cannot be added to a running total");
      return false;
    }
    if (p.value < 0) {
      *error = StrCat("negative delta ", p.value, " on a monotonic sum");
      return false;
    }
  }
  Emit(family_, {}, stale ? StaleNaN() : p.value);
  return true;
}

bool OtlpMetricsMapper::AddHistogram(const OtlpDataPoint& p, bool stale, int64_t t_ms,
                                     std::string* error) {
  const std::vector<double>& bounds = p.explicit_bounds;
  if (p.bucket_counts.empty() ? !bounds.empty() : p.bucket_counts.size() != bounds.size() + 1) {
    *error = StrCat("bucket_counts has ", p.bucket_counts.size(), " entries for ", bounds.size(),
                    " explicit bounds");
    return false;
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i]) || (std::isinf(bounds[i]) && bounds[i] > 0)) {
      *error = StrCat("explicit_bounds[", i, "] is ", bounds[i], " (bounds must be below +Inf)");
      return false;
    }
    if (i > 0 && bounds[i] <= bounds[i - 1]) {
      *error = StrCat("explicit_bounds are not increasing at index ", i, " (", bounds[i - 1],
                      " then ", bounds[i], ")");
      return false;
    }
  }
  if (delta_ && !stale && p.has_sum && !std::isfinite(p.sum)) {
    *error = StrCat("delta sum ", p.sum, " cannot be added to a running total");
    return false;
  }
  double cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += static_cast<double>(p.bucket_counts[i]);
    std::string le = FormatBoundLabel(bounds[i]);
    Emit(bucket_name_, {"le", le}, stale ? StaleNaN() : cumulative);
  }
  const double count = stale ? StaleNaN() : static_cast<double>(p.count);
  Emit(bucket_name_, {"le", "+Inf"}, count);
  if (p.has_sum) Emit(sum_name_, {}, stale ? StaleNaN() : p.sum);
  Emit(count_name_, {}, count);
  return stale || AddExemplars(p, t_ms, bounds, error);
}

bool OtlpMetricsMapper::AddSummary(const OtlpDataPoint& p, bool stale, std::string* error) {
  for (size_t i = 0; i < p.quantiles.size(); ++i) {
    const double q = p.quantiles[i].first;
    if (!(q >= 0 && q <= 1)) {
      *error = StrCat("quantile_values[", i, "]: quantile ", q, " is outside [0, 1]");
      return false;
    }
  }
  for (const auto& [q, v] : p.quantiles) {
    std::string label = FormatBoundLabel(q);
    Emit(family_, {"quantile", label}, stale ? StaleNaN() : v);
  }
  Emit(sum_name_, {}, stale ? StaleNaN() : p.sum);
  Emit(count_name_, {}, stale ? StaleNaN() : static_cast<double>(p.count));
  return true;
}

bool OtlpMetricsMapper::AddPoint(const OtlpDataPoint& p, std::string* error) {
  if (metric_.kind == OtlpMetricKind::kNone) return true;
  if (p.time_ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *error = StrCat("time_unix_nano ", p.time_ns, " is out of range");
    return false;
  }
  const int64_t t_ms = p.time_ns != 0 ? static_cast<int64_t>(p.time_ns / 1'000'000) : now_ms_;
  const bool stale = (p.flags & kFlagNoRecordedValue) != 0;
  pending_keys_.clear();
  pending_.clear();
  pending_exemplars_.clear();
  pending_exemplar_target_.clear();
  BuildPointLabels(p);
  bool ok = false;
  switch (metric_.kind) {
    case OtlpMetricKind::kGauge:
      ok = AddNumber(p, stale, error);
      break;
    case OtlpMetricKind::kSum:
      ok = AddNumber(p, stale, error) &&
           (!metric_.monotonic || stale || AddExemplars(p, t_ms, {}, error));
      break;
    case OtlpMetricKind::kHistogram:
      ok = AddHistogram(p, stale, t_ms, error);
      break;
    case OtlpMetricKind::kSummary:
      ok = AddSummary(p, stale, error);
      break;
    default:
      *error = "unsupported metric type";
      break;
  }
  return ok && Flush(t_ms, delta_ && !stale, error);
}

bool OtlpMetricsMapper::Flush(int64_t t_ms, bool delta, std::string* error) {
  auto key = [&](const PendingSample& s) {
    return std::string_view(pending_keys_).substr(s.key_begin, s.key_size);
  };
  if (delta) {
    for (const PendingSample& s : pending_) {
      int64_t last = 0;
      if (!deltas_->CanAdd(key(s), t_ms, &last)) {
        *error = StrCat("delta point at ", t_ms, " ms is older than the last one of its series (",
                        last, " ms)");
        return false;
      }
    }
    for (PendingSample& s : pending_) s.v = deltas_->Add(key(s), t_ms, s.v);
  }
  for (size_t i = 0; i < pending_exemplars_.size(); ++i) {
    const uint32_t target = pending_exemplar_target_[i];
    if (target >= pending_.size()) continue;
    batch_->Get(key(pending_[target])).exemplars.push_back(std::move(pending_exemplars_[i]));
  }
  for (const PendingSample& s : pending_) batch_->Get(key(s)).samples.push_back({t_ms, s.v});
  resource_max_t_ = std::max(resource_max_t_, t_ms);
  ++resource_points_;
  return true;
}

}  // namespace vigil
