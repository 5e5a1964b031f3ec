// The `traces:` section of the configuration: the embedded trace store's retention and head
// sizing.
//
//   traces:
//     retention: 14d
//     max_future: 10m
//     head_max_size: 64MiB
//     head_max_age: 10m
//     wal_sync: true
//
// Thread-safety: value types.
#pragma once

#include "absl/status/status.h"
#include "common/yaml_util.h"
#include "storage/traces/traces_db.h"

namespace vigil {

struct TracesConfig {
  TracesDbOptions db;  // dir is derived from data_dir
};

// Reads root["traces"] (when present) into *out, refusing unknown keys and bad values.
absl::Status ParseTracesSection(const YAML::Node& root, const YamlReader& r, TracesConfig* out);

}  // namespace vigil
