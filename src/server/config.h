// vigil's configuration: defaults that run with no file at all, a YAML file
// (`--config vigil.yml`) that refuses unknown keys and bad values with file, line and
// reason, and command-line flags that override the file.
//
// Thread-safety: a value type, built once at start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ingest/probe/probe_config.h"
#include "ingest/scrape/scrape_config.h"
#include "query/promql/engine/engine.h"
#include "server/logs_config.h"
#include "server/traces_config.h"
#include "storage/metrics/db/metrics_db.h"

namespace vigil {

struct ServerConfig {
  std::string data_dir = "./data";
  std::string log_level = "info";

  std::string http_listen = "0.0.0.0:9400";
  uint64_t http_max_body_bytes = 64ull << 20;
  int http_worker_threads = 16;
  // OTLP receivers ("off" disables); served once the OTLP ingestion lands.
  std::string otlp_grpc_listen = "0.0.0.0:4317";
  std::string otlp_http_listen = "0.0.0.0:4318";

  // Embedded metrics store. MetricsDbOptions::dir is derived from data_dir.
  MetricsDbOptions metrics;

  // Embedded log store and log stream labels (`logs:` section). LogsDbOptions::dir is
  // derived from data_dir.
  LogsConfig logs;

  // Embedded trace store (`traces:` section). TracesDbOptions::dir is derived from data_dir.
  TracesConfig traces;

  // PromQL evaluation limits (`query:` section).
  promql::EngineOptions query;

  // `global` + `scrape_configs`, and `probes`: parsed and validated by their own modules
  // against the same file.
  ScrapeSettings scrape;
  std::vector<ProbeConfig> probes;

  std::string file;  // the config file read ("" without one)
};

ServerConfig DefaultServerConfig();
// Reads and validates a configuration file on top of the defaults.
absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path);
// Parses configuration text (path is only used in error messages).
absl::StatusOr<ServerConfig> ParseServerConfig(const std::string& yaml, const std::string& path);


}  // namespace vigil
