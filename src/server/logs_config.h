// The `logs:` section of the configuration: the embedded log store's limits, head and
// segment sizing, retention (a default period and per-selector rules), and which fields of
// JSON lines and Elasticsearch documents become stream labels.
//
//   logs:
//     retention: 90d
//     retention_rules:                 # first match wins
//       - selector: '{level="audit"}'
//         period: 7y
//     stream_labels: [service, level, env]
//     max_streams: 100000
//     max_line_size: 256KiB
//     reject_older_than: 7d
//     max_future: 10m
//     head_max_size: 64MiB
//     head_max_age: 30m
//     segment_window: 1h
//     wal_sync: true
//     max_query_series: 500            # LogQL limits
//     max_entries_limit: 5000
//     query_timeout: 2m
//
// Thread-safety: value types.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/yaml_util.h"
#include "query/logql/engine/logql_engine.h"
#include "storage/logs/logs_db.h"

namespace vigil {

struct LogsConfig {
  LogsDbOptions db;  // dir is derived from data_dir
  std::vector<std::string> stream_label_fields = {"service", "level", "env"};
  logql::LogqlEngineOptions query;
};

// Reads root["logs"] (when present) into *out, refusing unknown keys and bad values.
absl::Status ParseLogsSection(const YAML::Node& root, const YamlReader& r, LogsConfig* out);

}  // namespace vigil
