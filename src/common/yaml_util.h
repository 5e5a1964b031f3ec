// Strict YAML reading for configuration files: every error names the file, the line and
// the reason, and keys a section does not know are refused (a typo must not be ignored).
//
// Thread-safety: stateless helpers over yaml-cpp nodes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "yaml-cpp/yaml.h"

namespace vigil {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  // "<file>:<line>: <what>" as an InvalidArgument status.
  absl::Status Error(const YAML::Node& at, std::string_view what) const;

  // Refuses keys of `map` not in `known`; errors when `map` is not a mapping.
  absl::Status CheckKeys(const YAML::Node& map, std::string_view section,
                         std::initializer_list<std::string_view> known) const;

  // Each reads `map[key]` into *out when present (leaving *out alone when absent).
  absl::Status String(const YAML::Node& map, std::string_view key, std::string* out) const;
  absl::Status Bool(const YAML::Node& map, std::string_view key, bool* out) const;
  absl::Status Uint(const YAML::Node& map, std::string_view key, uint64_t* out) const;
  // Prometheus durations ("15s", "2h", "15d").
  absl::Status DurationMs(const YAML::Node& map, std::string_view key, int64_t* out) const;
  // The same in nanoseconds, refusing zero ("<key> must be positive"); *out keeps its value
  // when the key is absent.
  absl::Status PositiveDurationNs(const YAML::Node& map, std::string_view key, int64_t* out) const;
  // Byte sizes ("512MB", "10GiB", "1024"); 0 allowed.
  absl::Status Bytes(const YAML::Node& map, std::string_view key, uint64_t* out) const;
  absl::Status StringList(const YAML::Node& map, std::string_view key,
                          std::vector<std::string>* out) const;
  // A map of string to string (e.g. labels: {team: api}).
  absl::Status StringMap(const YAML::Node& map, std::string_view key,
                         std::vector<std::pair<std::string, std::string>>* out) const;

 private:
  std::string file_;
};

// "512MB", "10GiB", "1024", "64KiB" (case-insensitive units B, KB, MB, GB, TB, KiB, MiB …).
bool ParseByteSize(std::string_view s, uint64_t* out);

}  // namespace vigil
