// Turning `static_configs` entries into scrape targets, with Prometheus' label rules:
//
//   1. start from the group's labels plus `__address__`;
//   2. add, unless already set, `job`, `__scrape_interval__`, `__scrape_timeout__`,
//      `__metrics_path__`, `__scheme__` and `__param_<name>` (first value of each param);
//      this is the target's "discovered" label set;
//   3. apply the job's relabel_configs; a target relabeled away is dropped;
//   4. require `__address__`, default `instance` to it, re-read interval and timeout from
//      `__scrape_interval__`/`__scrape_timeout__` (relabeling may change them);
//   5. the public labels are what remains without names starting with "__".
// The scrape URL is `<__scheme__>://<__address__><__metrics_path__>?<params>`, where each
// `__param_<name>` label replaces the first value of that parameter.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "ingest/scrape/scrape_config.h"

namespace vigil {

struct TargetLabels {
  Labels discovered;     // before relabeling
  Labels labels;         // after relabeling, "__" labels included
  Labels public_labels;  // `labels` without "__" names: attached to every scraped series
  std::string scrape_url;
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;
};

struct DroppedTarget {
  Labels discovered;
};

struct JobTargets {
  std::vector<TargetLabels> active;
  std::vector<DroppedTarget> dropped;
  // Targets that could not be built (bad address after relabeling …), one message each.
  std::vector<std::string> errors;
};

// Builds the target of one address of one static group. nullopt when relabeling drops it.
absl::StatusOr<std::optional<TargetLabels>> PopulateTargetLabels(const ScrapeJobConfig& job,
                                                                 const StaticTargetGroup& group,
                                                                 std::string_view address,
                                                                 Labels* discovered);

// All targets of a job, in config order; duplicates (same labels) are kept once.
JobTargets BuildJobTargets(const ScrapeJobConfig& job);

}  // namespace vigil
