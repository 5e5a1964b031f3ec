// The scrape part of a Prometheus-style configuration file: `global` and `scrape_configs`,
// read strictly (unknown keys refused) with "<file>:<line>: <reason>" errors that reuse
// Prometheus' wording where Prometheus has one.
//
// The subset understood: global {scrape_interval (1m), scrape_timeout (10s), external_labels,
// body_size_limit, sample_limit, label_limit, label_name_length_limit,
// label_value_length_limit}; per job {job_name, scrape_interval, scrape_timeout,
// metrics_path (/metrics), scheme (http only), params, static_configs, honor_labels,
// honor_timestamps (true), relabel_configs, metric_relabel_configs, and the same limits as
// global}. `evaluation_interval` and `rule_query_offset` are accepted in `global` because the
// rules module reads them from the same section. Service discovery other than static_configs,
// TLS and authentication are refused with a message saying they are not supported.
//
// Defaults follow Prometheus: a job without scrape_interval takes the global one; a missing
// scrape_timeout is the global timeout, capped at the job's interval; a timeout greater than
// the interval is an error. Zero limits mean "no limit".
//
// Thread-safety: the structs are values, immutable once parsed; share them freely.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "common/yaml_util.h"
#include "ingest/scrape/relabel.h"

namespace vigil {

// Per-scrape limits; a scrape that exceeds one fails as a whole (Prometheus' semantics).
struct ScrapeLimits {
  uint64_t body_size_limit = 0;  // bytes of the (decoded) response body
  uint64_t sample_limit = 0;     // samples left after metric relabeling
  uint64_t label_limit = 0;      // labels per series, __name__ included
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
};

struct ScrapeGlobalConfig {
  int64_t scrape_interval_ms = 60'000;
  int64_t scrape_timeout_ms = 10'000;
  // Not attached to scraped series (as in Prometheus): remote write, alerts and federation
  // add them.
  Labels external_labels;
  ScrapeLimits limits;
};

// One `static_configs` entry.
struct StaticTargetGroup {
  std::vector<std::string> targets;  // host:port addresses
  Labels labels;
};

struct ScrapeJobConfig {
  std::string job_name;
  int64_t scrape_interval_ms = 0;
  int64_t scrape_timeout_ms = 0;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  // Query parameters of the scrape URL, sorted by name; each name has one or more values.
  std::vector<std::pair<std::string, std::vector<std::string>>> params;
  std::vector<StaticTargetGroup> static_configs;
  bool honor_labels = false;
  bool honor_timestamps = true;
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
  ScrapeLimits limits;
};

struct ScrapeSettings {
  ScrapeGlobalConfig global;
  std::vector<ScrapeJobConfig> jobs;
  // Not read from YAML: how many scrapes may run at once (the size of the worker pool).
  int max_concurrent_scrapes = 16;
};

// Reads root["global"] and root["scrape_configs"] (both optional). `reader` names the file
// in errors. Other top-level keys are left to their own modules.
absl::StatusOr<ScrapeSettings> ParseScrapeSection(const YAML::Node& root, const YamlReader& reader);

// Rewrites a "line N: reason" error of a section parser that does not know the file name
// (ParseRelabelConfigs) as "<file>:N: reason".
absl::Status WithFileName(const absl::Status& status, const YamlReader& reader);

}  // namespace vigil
