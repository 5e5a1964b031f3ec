#include "server/traces_config.h"

#include "common/strings.h"

namespace vigil {
absl::Status ParseTracesSection(const YAML::Node& root, const YamlReader& r, TracesConfig* out) {
  YAML::Node t = root["traces"];
  if (!t) return absl::OkStatus();
  TracesDbOptions& o = out->db;
  if (absl::Status st = r.CheckKeys(
          t, "traces",
          {"retention", "max_future", "head_max_size", "head_max_age", "wal_sync",
           "max_attribute_value_size", "sampling", "span_metrics"});
      !st.ok()) {
    return st;
  }
  for (auto [key, field] : {std::pair{"retention", &o.retention_ns},
                            std::pair{"max_future", &o.max_future_ns},
                            std::pair{"head_max_age", &o.head_max_age_ns}}) {
    if (absl::Status st = r.PositiveDurationNs(t, key, field); !st.ok()) return st;
  }
  uint64_t head = o.head_max_bytes;
  if (absl::Status st = r.Bytes(t, "head_max_size", &head); !st.ok()) return st;
  if (t["head_max_size"] && head < (1u << 20)) {
    return r.Error(t["head_max_size"], "head_max_size must be at least 1MiB");
  }
  o.head_max_bytes = head;
  if (absl::Status st = r.Bool(t, "wal_sync", &o.wal_sync); !st.ok()) return st;
  uint64_t value_size = out->limits.max_attribute_value_bytes;
  if (absl::Status st = r.Bytes(t, "max_attribute_value_size", &value_size); !st.ok()) return st;
  if (value_size < 64 || value_size > (16u << 20)) {
    return r.Error(t["max_attribute_value_size"],
                   "max_attribute_value_size must be between 64 bytes and 16MiB");
  }
  out->limits.max_attribute_value_bytes = value_size;
  if (YAML::Node sampling = t["sampling"]) {
    traces::TraceSamplingOptions& so = o.sampling;
    if (absl::Status st = r.CheckKeys(sampling, "traces.sampling",
                                      {"fraction", "keep_errors", "latency_threshold",
                                       "decision_wait"});
        !st.ok()) {
      return st;
    }
    if (YAML::Node f = sampling["fraction"]) {
      if (!f.IsScalar() || !ParseDouble(f.Scalar(), &so.fraction) || !(so.fraction >= 0) ||
          so.fraction > 1) {
        return r.Error(f, "fraction must be a number between 0 and 1");
      }
    }
    if (absl::Status st = r.Bool(sampling, "keep_errors", &so.keep_errors); !st.ok()) return st;
    for (auto [key, field] : {std::pair{"latency_threshold", &so.latency_threshold_ns},
                              std::pair{"decision_wait", &so.decision_wait_ns}}) {
      if (absl::Status st = r.PositiveDurationNs(sampling, key, field); !st.ok()) return st;
    }
  }
  YAML::Node m = t["span_metrics"];
  if (!m) return absl::OkStatus();
  SpanMetricsOptions& sm = out->span_metrics;
  if (absl::Status st = r.CheckKeys(m, "traces.span_metrics",
                                    {"enabled", "buckets", "max_series", "flush_interval"});
      !st.ok()) {
    return st;
  }
  if (absl::Status st = r.Bool(m, "enabled", &sm.enabled); !st.ok()) return st;
  uint64_t series = sm.max_series;
  if (absl::Status st = r.Uint(m, "max_series", &series); !st.ok()) return st;
  if (series == 0) return r.Error(m["max_series"], "max_series must be positive");
  sm.max_series = series;
  if (absl::Status st = r.PositiveDurationNs(m, "flush_interval", &sm.flush_interval_ns);
      !st.ok()) {
    return st;
  }
  if (YAML::Node b = m["buckets"]) {
    if (!b.IsSequence() || b.size() == 0) {
      return r.Error(b, "buckets must be a non-empty list of seconds");
    }
    std::vector<double> buckets;
    for (const YAML::Node& v : b) {
      double d;
      if (!v.IsScalar() || !ParseDouble(v.Scalar(), &d) || !(d > 0) ||
          (!buckets.empty() && d <= buckets.back())) {
        return r.Error(v, "buckets must be positive numbers of seconds in ascending order");
      }
      buckets.push_back(d);
    }
    sm.buckets = std::move(buckets);
  }
  return absl::OkStatus();
}

}  // namespace vigil
