#include "server/config.h"

#include "http/url.h"

#include <fstream>
#include <sstream>

#include "common/strings.h"
#include "common/yaml_util.h"

namespace vigil {

ServerConfig DefaultServerConfig() {
  ServerConfig c;
  c.metrics.head.label_denylist = {"user_id", "request_id", "session_id", "trace_id", "span_id"};
  return c;
}

namespace {

absl::Status CheckListen(const YamlReader& r, const YAML::Node& map, std::string_view key,
                         const std::string& value, bool allow_off) {
  if (allow_off && value == "off") return absl::OkStatus();
  std::string host;
  uint16_t port;
  if (absl::Status st = SplitHostPort(value, &host, &port); !st.ok()) {
    return r.Error(map[std::string(key)], std::string(st.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> ParseServerConfig(const std::string& yaml, const std::string& path) {
  ServerConfig c = DefaultServerConfig();
  c.file = path;
  YamlReader r(path);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat(path, ":", e.mark.line + 1, ": ", e.msg));
  }
  if (!root || root.IsNull()) return c;
  absl::Status st;
  auto check = [&](absl::Status s) {
    if (st.ok() && !s.ok()) st = std::move(s);
  };
  check(r.CheckKeys(root, "the configuration",
                    {"data_dir", "log_level", "http", "otlp", "metrics", "logs", "traces", "query", "global",
                     "scrape_configs", "probes"}));
  check(r.String(root, "data_dir", &c.data_dir));
  check(r.String(root, "log_level", &c.log_level));
  if (st.ok() && c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error") {
    check(r.Error(root["log_level"], StrCat("log_level must be debug, info, warn or error, got ",
                                            QuoteString(c.log_level))));
  }
  if (YAML::Node http = root["http"]) {
    check(r.CheckKeys(http, "http", {"listen", "max_body_size", "worker_threads"}));
    check(r.String(http, "listen", &c.http_listen));
    check(r.Bytes(http, "max_body_size", &c.http_max_body_bytes));
    uint64_t workers = c.http_worker_threads;
    check(r.Uint(http, "worker_threads", &workers));
    if (st.ok() && (workers == 0 || workers > 1024)) {
      check(r.Error(http["worker_threads"], "worker_threads must be between 1 and 1024"));
    }
    c.http_worker_threads = static_cast<int>(workers);
    if (st.ok()) check(CheckListen(r, http, "listen", c.http_listen, false));
  }
  if (YAML::Node otlp = root["otlp"]) {
    check(r.CheckKeys(otlp, "otlp", {"grpc_listen", "http_listen"}));
    check(r.String(otlp, "grpc_listen", &c.otlp_grpc_listen));
    check(r.String(otlp, "http_listen", &c.otlp_http_listen));
    if (st.ok()) check(CheckListen(r, otlp, "grpc_listen", c.otlp_grpc_listen, true));
    if (st.ok()) check(CheckListen(r, otlp, "http_listen", c.otlp_http_listen, true));
  }
  if (YAML::Node m = root["metrics"]) {
    MetricsDbOptions& o = c.metrics;
    check(r.CheckKeys(m, "metrics",
                      {"retention", "retention_size", "wal_sync", "wal_segment_size", "block_range",
                       "max_future", "exemplars_per_series", "limits"}));
    check(r.DurationMs(m, "retention", &o.retention_ms));
    check(r.Bytes(m, "retention_size", &o.retention_bytes));
    check(r.Bool(m, "wal_sync", &o.wal_sync));
    check(r.Bytes(m, "wal_segment_size", &o.wal_segment_bytes));
    check(r.DurationMs(m, "block_range", &o.head.chunk_range_ms));
    if (st.ok() && o.head.chunk_range_ms < 60000) {
      check(r.Error(m["block_range"], "block_range must be at least 1m"));
    }
    check(r.DurationMs(m, "max_future", &o.head.max_future_ms));
    uint64_t ex = o.head.exemplars_per_series;
    check(r.Uint(m, "exemplars_per_series", &ex));
    if (st.ok() && (ex == 0 || ex > 10000)) {
      check(r.Error(m["exemplars_per_series"], "exemplars_per_series must be between 1 and 10000"));
    }
    o.head.exemplars_per_series = ex;
    if (YAML::Node l = m["limits"]) {
      check(r.CheckKeys(l, "metrics.limits",
                        {"max_series", "max_series_per_metric", "label_denylist",
                         "max_labels_per_series", "max_label_value_length"}));
      uint64_t labels = o.head.max_labels_per_series, value_len = o.head.max_label_value_bytes;
      check(r.Uint(l, "max_labels_per_series", &labels));
      check(r.Uint(l, "max_label_value_length", &value_len));
      if (st.ok() && (labels > 100000 || value_len > (1u << 30))) {
        check(r.Error(l, "max_labels_per_series or max_label_value_length is unreasonably large"));
      }
      o.head.max_labels_per_series = static_cast<uint32_t>(labels);
      o.head.max_label_value_bytes = static_cast<uint32_t>(value_len);
      check(r.Uint(l, "max_series", &o.head.max_series));
      check(r.Uint(l, "max_series_per_metric", &o.head.max_series_per_metric));
      check(r.StringList(l, "label_denylist", &o.head.label_denylist));
    }
  }
  if (YAML::Node q = root["query"]) {
    promql::EngineOptions& o = c.query;
    check(r.CheckKeys(q, "query", {"lookback_delta", "max_samples", "timeout", "parallelism"}));
    check(r.DurationMs(q, "lookback_delta", &o.lookback_delta_ms));
    check(r.DurationMs(q, "timeout", &o.timeout_ms));
    uint64_t max_samples = static_cast<uint64_t>(o.max_samples);
    check(r.Uint(q, "max_samples", &max_samples));
    if (st.ok() && (max_samples == 0 || max_samples > (1ull << 40))) {
      check(r.Error(q["max_samples"], "max_samples must be between 1 and 2^40"));
    }
    o.max_samples = static_cast<int64_t>(max_samples);
    uint64_t parallelism = 0;
    check(r.Uint(q, "parallelism", &parallelism));
    if (st.ok() && parallelism > 1024) {
      check(r.Error(q["parallelism"], "parallelism must be between 0 (one per core) and 1024"));
    }
    o.parallelism = static_cast<int>(parallelism);
    if (st.ok() && (o.lookback_delta_ms <= 0 || o.timeout_ms <= 0)) {
      check(r.Error(q, "lookback_delta and timeout must be positive"));
    }
  }
  if (st.ok()) check(ParseLogsSection(root, r, &c.logs));
  if (st.ok()) check(ParseTracesSection(root, r, &c.traces));
  if (!st.ok()) return st;
  auto scrape = ParseScrapeSection(root, r);
  if (!scrape.ok()) return scrape.status();
  c.scrape = std::move(*scrape);
  auto probes = ParseProbes(root, r);
  if (!probes.ok()) return probes.status();
  c.probes = std::move(*probes);
  return c;
}

absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(StrCat("cannot read configuration file ", QuoteString(path)));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseServerConfig(ss.str(), path);
}

}  // namespace vigil
