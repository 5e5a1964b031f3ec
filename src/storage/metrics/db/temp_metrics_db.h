// For tests: a MetricsDb in a fresh temporary folder (removed afterwards), with background
// maintenance off, no fsync and no far-future check, plus a helper to read series back.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/metrics/block/block_id.h"
#include "storage/metrics/db/metrics_db.h"

namespace vigil {

class TempMetricsDb {
 public:
  explicit TempMetricsDb(MetricsRegistry* registry = nullptr,
                         void (*tweak)(MetricsDbOptions&) = nullptr) {
    dir_ = std::filesystem::temp_directory_path() / ("vigil_test_db_" + block::NewBlockId());
    MetricsDbOptions o;
    o.dir = dir_.string();
    o.maintenance_interval_ms = 0;
    o.wal_sync = false;
    o.head.max_future_ms = 0;
    if (tweak) tweak(o);
    db_ = std::move(*MetricsDb::Open(o, registry));
  }
  ~TempMetricsDb() {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  MetricsDb& db() { return *db_; }
  MetricsDb* operator->() { return db_.get(); }

  // All samples of the series named `metric`, by series (Prometheus notation).
  std::map<std::string, std::vector<Sample>> Read(std::string_view metric) {
    auto q = db_->Querier(INT64_MIN, INT64_MAX);
    auto set = q->Select({*LabelMatcher::Make(MatchType::kEqual, kMetricName, metric)},
                         {INT64_MIN, INT64_MAX, false});
    std::map<std::string, std::vector<Sample>> out;
    while (set->Next()) {
      out[set->labels().ToString()].assign(set->samples().begin(), set->samples().end());
    }
    return out;
  }
  size_t Count(std::string_view metric) {
    size_t n = 0;
    for (const auto& [k, v] : Read(metric)) n += v.size();
    return n;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<MetricsDb> db_;
};

}  // namespace vigil
