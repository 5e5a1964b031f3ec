// Health probes configuration: the top-level `probes:` list of a vigil configuration file.
//
//   probes:
//     - name: checkout-api               # required, unique
//       url: http://checkout:8080/health # required, http only
//       interval: 30s                    # default 30s
//       timeout: 5s                      # default 5s, at most the interval
//       method: GET                      # GET (default), HEAD or POST
//       expect_status: 2xx               # default 2xx; a code (200), a class (2xx) or a list
//       labels: {team: payments}         # added to every probe series
//
// Errors name the file and line ("vigil.yml:12: …"); unknown keys are refused.
//
// Thread-safety: values, immutable once parsed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "common/yaml_util.h"

namespace vigil {

// An inclusive range of accepted HTTP status codes (2xx is 200..299).
struct StatusRange {
  int min = 200;
  int max = 299;
};

struct ProbeConfig {
  std::string name;
  std::string url;
  int64_t interval_ms = 30'000;
  int64_t timeout_ms = 5'000;
  std::string method = "GET";
  std::vector<StatusRange> expect_status = {StatusRange{}};
  Labels labels;

  bool StatusAccepted(int status) const;
};

// Reads root["probes"] (absent or null: no probes).
absl::StatusOr<std::vector<ProbeConfig>> ParseProbes(const YAML::Node& root,
                                                     const YamlReader& reader);

}  // namespace vigil
