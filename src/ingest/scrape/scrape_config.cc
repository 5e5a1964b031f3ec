#include "ingest/scrape/scrape_config.h"

#include <algorithm>
#include <set>

#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {
namespace {

// Prometheus keys vigil knows of but does not implement: a clear refusal beats "unknown key".
constexpr std::string_view kUnsupportedJobKeys[] = {
    "tls_config",
    "basic_auth",
    "authorization",
    "oauth2",
    "bearer_token",
    "bearer_token_file",
    "proxy_url",
    "follow_redirects",
    "enable_http2",
    "file_sd_configs",
    "kubernetes_sd_configs",
    "consul_sd_configs",
    "dns_sd_configs",
    "ec2_sd_configs",
    "gce_sd_configs",
    "http_sd_configs",
    "docker_sd_configs",
    "azure_sd_configs",
    "openstack_sd_configs",
    "scrape_protocols",
    "target_limit",
    "keep_dropped_targets",
    "native_histogram_bucket_limit",
    "track_timestamps_staleness",
    "enable_compression",
    "scrape_classic_histograms",
    "no_proxy",
    "proxy_from_environment",
    "proxy_connect_header",
};

absl::Status CheckJobKeys(const YAML::Node& job, const YamlReader& r) {
  if (!job.IsMap()) return r.Error(job, "each entry of scrape_configs must be a mapping");
  for (const auto& kv : job) {
    const std::string& key = kv.first.Scalar();
    for (std::string_view u : kUnsupportedJobKeys) {
      if (key == u) {
        return r.Error(kv.first, StrCat(QuoteString(key),
                                        " is not supported by vigil's scraper"
                                        " (static_configs over plain http only)"));
      }
    }
  }
  return r.CheckKeys(
      job, "scrape config",
      {"job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params",
       "static_configs", "honor_labels", "honor_timestamps", "relabel_configs",
       "metric_relabel_configs", "body_size_limit", "sample_limit", "label_limit",
       "label_name_length_limit", "label_value_length_limit"});
}

absl::Status ReadLimits(const YAML::Node& map, const YamlReader& r, ScrapeLimits* l) {
  if (auto st = r.Bytes(map, "body_size_limit", &l->body_size_limit); !st.ok()) return st;
  if (auto st = r.Uint(map, "sample_limit", &l->sample_limit); !st.ok()) return st;
  if (auto st = r.Uint(map, "label_limit", &l->label_limit); !st.ok()) return st;
  if (auto st = r.Uint(map, "label_name_length_limit", &l->label_name_length_limit); !st.ok()) {
    return st;
  }
  return r.Uint(map, "label_value_length_limit", &l->label_value_length_limit);
}

// A mapping of label names to values, validated as Prometheus' LabelSet is.
absl::StatusOr<Labels> ReadLabelMap(const YAML::Node& map, std::string_view key,
                                    const YamlReader& r) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (auto st = r.StringMap(map, key, &pairs); !st.ok()) return st;
  YAML::Node node = map[std::string(key)];
  std::vector<Label> items;
  std::set<std::string> seen;
  for (auto& [name, value] : pairs) {
    YAML::Node at = node.IsMap() ? node : map;
    // Point at the offending key when we can find it.
    for (const auto& kv : node) {
      if (kv.first.Scalar() == name) {
        at = kv.first;
        break;
      }
    }
    if (!IsValidLabelName(name)) {
      return r.Error(at, StrCat(QuoteString(Truncated(name)), " is not a valid label name"));
    }
    if (!IsValidUtf8(value)) {
      return r.Error(at, StrCat("invalid UTF-8 in the value of label ", QuoteString(name)));
    }
    if (!seen.insert(name).second) {
      return r.Error(at, StrCat("duplicate label name ", QuoteString(name)));
    }
    if (!value.empty()) items.push_back({std::move(name), std::move(value)});
  }
  return Labels::FromUnsorted(std::move(items));
}

absl::Status ReadGlobal(const YAML::Node& g, const YamlReader& r, ScrapeGlobalConfig* out) {
  if (!g || g.IsNull()) return absl::OkStatus();
  if (auto st =
          r.CheckKeys(g, "global",
                      {"scrape_interval", "scrape_timeout", "evaluation_interval",
                       "rule_query_offset", "external_labels", "body_size_limit", "sample_limit",
                       "label_limit", "label_name_length_limit", "label_value_length_limit"});
      !st.ok()) {
    return st;
  }
  int64_t interval = 0, timeout = 0;
  if (auto st = r.DurationMs(g, "scrape_interval", &interval); !st.ok()) return st;
  if (auto st = r.DurationMs(g, "scrape_timeout", &timeout); !st.ok()) return st;
  if (interval > 0) out->scrape_interval_ms = interval;
  if (timeout > out->scrape_interval_ms) {
    return r.Error(g["scrape_timeout"], "global scrape timeout greater than scrape interval");
  }
  if (timeout > 0) {
    out->scrape_timeout_ms = timeout;
  } else {
    out->scrape_timeout_ms = std::min<int64_t>(10'000, out->scrape_interval_ms);
  }
  auto ext = ReadLabelMap(g, "external_labels", r);
  if (!ext.ok()) return ext.status();
  out->external_labels = *std::move(ext);
  return ReadLimits(g, r, &out->limits);
}

absl::Status ReadParams(const YAML::Node& job, const YamlReader& r, ScrapeJobConfig* c) {
  YAML::Node p = job["params"];
  if (!p || p.IsNull()) return absl::OkStatus();
  if (!p.IsMap()) return r.Error(p, "params must be a mapping of names to lists of values");
  for (const auto& kv : p) {
    const std::string& name = kv.first.Scalar();
    if (name.empty()) return r.Error(kv.first, "empty parameter name in params");
    std::vector<std::string> values;
    if (kv.second.IsSequence()) {
      for (const auto& v : kv.second) {
        if (!v.IsScalar())
          return r.Error(v, StrCat("values of params ", QuoteString(name), " must be strings"));
        values.push_back(v.Scalar());
      }
    } else {
      return r.Error(kv.second, StrCat("params ", QuoteString(name), " must be a list of values"));
    }
    c->params.emplace_back(name, std::move(values));
  }
  std::sort(c->params.begin(), c->params.end());
  return absl::OkStatus();
}

absl::Status ReadStaticConfigs(const YAML::Node& job, const YamlReader& r, ScrapeJobConfig* c) {
  YAML::Node sc = job["static_configs"];
  if (!sc || sc.IsNull()) return absl::OkStatus();
  if (!sc.IsSequence()) return r.Error(sc, "static_configs must be a list");
  for (const auto& group : sc) {
    if (auto st = r.CheckKeys(group, "static_configs entry", {"targets", "labels"}); !st.ok()) {
      return st;
    }
    StaticTargetGroup g;
    if (auto st = r.StringList(group, "targets", &g.targets); !st.ok()) return st;
    YAML::Node targets = group["targets"];
    for (size_t i = 0; i < g.targets.size(); ++i) {
      const std::string& t = g.targets[i];
      // Prometheus' CheckTargetAddress: an address holds no scheme or path.
      if (t.empty() || t.find('/') != std::string::npos ||
          t.find_first_of(" \t\r\n") != std::string::npos) {
        return r.Error(targets[i], StrCat(QuoteString(Truncated(t)), " is not a valid hostname"));
      }
    }
    auto labels = ReadLabelMap(group, "labels", r);
    if (!labels.ok()) return labels.status();
    g.labels = *std::move(labels);
    c->static_configs.push_back(std::move(g));
  }
  return absl::OkStatus();
}

absl::Status ReadRelabel(const YAML::Node& job, std::string_view key, const YamlReader& r,
                         std::vector<RelabelConfig>* out) {
  YAML::Node n = job[std::string(key)];
  if (n && !n.IsNull() && !n.IsSequence()) return r.Error(n, StrCat(key, " must be a list"));
  auto parsed = ParseRelabelConfigs(n);
  if (!parsed.ok()) return WithFileName(parsed.status(), r);
  *out = *std::move(parsed);
  return absl::OkStatus();
}

absl::Status ReadJob(const YAML::Node& job, const YamlReader& r, const ScrapeGlobalConfig& global,
                     ScrapeJobConfig* c) {
  if (auto st = CheckJobKeys(job, r); !st.ok()) return st;
  if (auto st = r.String(job, "job_name", &c->job_name); !st.ok()) return st;
  if (c->job_name.empty()) return r.Error(job, "job_name is empty");
  if (!IsValidUtf8(c->job_name)) return r.Error(job["job_name"], "job_name is not valid UTF-8");

  int64_t interval = 0, timeout = 0;
  if (auto st = r.DurationMs(job, "scrape_interval", &interval); !st.ok()) return st;
  if (auto st = r.DurationMs(job, "scrape_timeout", &timeout); !st.ok()) return st;
  c->scrape_interval_ms = interval > 0 ? interval : global.scrape_interval_ms;
  if (timeout > c->scrape_interval_ms) {
    return r.Error(job["scrape_timeout"],
                   StrCat("scrape timeout greater than scrape interval for scrape config with job "
                          "name ",
                          QuoteString(c->job_name)));
  }
  c->scrape_timeout_ms =
      timeout > 0 ? timeout : std::min(global.scrape_timeout_ms, c->scrape_interval_ms);

  if (auto st = r.String(job, "metrics_path", &c->metrics_path); !st.ok()) return st;
  if (c->metrics_path.empty() || c->metrics_path[0] != '/' ||
      c->metrics_path.find_first_of("?# \t\r\n") != std::string::npos) {
    return r.Error(job["metrics_path"], StrCat("metrics_path must be a path starting with \"/\", "
                                               "got ",
                                               QuoteString(Truncated(c->metrics_path))));
  }
  if (auto st = r.String(job, "scheme", &c->scheme); !st.ok()) return st;
  if (c->scheme == "https") {
    return r.Error(job["scheme"],
                   "scheme \"https\" is not supported: vigil scrapes over plain "
                   "http only");
  }
  if (c->scheme != "http") {
    return r.Error(job["scheme"], StrCat("invalid scheme ", QuoteString(Truncated(c->scheme)),
                                         ", only \"http\" is supported"));
  }
  if (auto st = ReadParams(job, r, c); !st.ok()) return st;
  if (auto st = ReadStaticConfigs(job, r, c); !st.ok()) return st;
  if (auto st = r.Bool(job, "honor_labels", &c->honor_labels); !st.ok()) return st;
  if (auto st = r.Bool(job, "honor_timestamps", &c->honor_timestamps); !st.ok()) return st;
  if (auto st = ReadRelabel(job, "relabel_configs", r, &c->relabel_configs); !st.ok()) return st;
  if (auto st = ReadRelabel(job, "metric_relabel_configs", r, &c->metric_relabel_configs);
      !st.ok()) {
    return st;
  }
  c->limits = global.limits;
  return ReadLimits(job, r, &c->limits);
}

}  // namespace

absl::Status WithFileName(const absl::Status& status, const YamlReader& reader) {
  std::string_view msg = ToStd(status.message());
  constexpr std::string_view kLine = "line ";
  if (msg.substr(0, kLine.size()) == kLine) {
    size_t i = kLine.size();
    while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9') ++i;
    if (i > kLine.size() && msg.substr(i, 2) == ": ") {
      return absl::Status(status.code(), StrCat(reader.file(), ":", msg.substr(kLine.size())));
    }
  }
  return absl::Status(status.code(), StrCat(reader.file(), ": ", msg));
}

absl::StatusOr<ScrapeSettings> ParseScrapeSection(const YAML::Node& root,
                                                  const YamlReader& reader) {
  ScrapeSettings s;
  if (!root || root.IsNull()) return s;
  if (!root.IsMap()) return reader.Error(root, "the configuration must be a mapping");
  if (auto st = ReadGlobal(root["global"], reader, &s.global); !st.ok()) return st;
  YAML::Node jobs = root["scrape_configs"];
  if (!jobs || jobs.IsNull()) return s;
  if (!jobs.IsSequence()) return reader.Error(jobs, "scrape_configs must be a list");
  std::set<std::string> names;
  for (const auto& job : jobs) {
    ScrapeJobConfig c;
    if (auto st = ReadJob(job, reader, s.global, &c); !st.ok()) return st;
    if (!names.insert(c.job_name).second) {
      return reader.Error(job["job_name"], StrCat("found multiple scrape configs with job name ",
                                                  QuoteString(c.job_name)));
    }
    s.jobs.push_back(std::move(c));
  }
  return s;
}

}  // namespace vigil
