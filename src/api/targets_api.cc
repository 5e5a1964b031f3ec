#include "api/targets_api.h"

#include <map>

#include "absl/time/time.h"
#include "common/json_writer.h"
#include "common/time_util.h"
#include "http/headers.h"

namespace vigil {
namespace {

// Go's RFC 3339 with nanoseconds in UTC; Go's zero time for a target never scraped.
std::string FormatScrapeTime(int64_t ms) {
  if (ms == 0) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

}  // namespace

std::string TargetsJson(const TargetsSnapshot& snapshot, std::string_view state,
                        std::string_view scrape_pool) {
  const std::string s = AsciiToLower(state);
  const bool show_active = s.empty() || s == "any" || s == "active";
  const bool show_dropped = s.empty() || s == "any" || s == "dropped";
  auto in_pool = [&](const std::string& pool) {
    return scrape_pool.empty() || pool == scrape_pool;
  };

  std::string body;
  JsonWriter w(&body);
  w.BeginObject().KV("status", "success").Key("data").BeginObject();
  w.Key("activeTargets").BeginArray();
  if (show_active) {
    for (const ActiveTargetInfo& t : snapshot.active) {
      if (!in_pool(t.scrape_pool)) continue;
      w.BeginObject();
      w.Key("discoveredLabels");
      w.LabelsObject(t.discovered_labels);
      w.Key("labels");
      w.LabelsObject(t.labels);
      w.KV("scrapePool", t.scrape_pool);
      w.KV("scrapeUrl", t.scrape_url);
      w.KV("globalUrl", t.scrape_url);
      w.KV("lastError", t.status.last_error);
      w.KV("lastScrape", FormatScrapeTime(t.status.last_scrape_ms));
      w.Key("lastScrapeDuration").Double(t.status.last_duration_seconds);
      w.KV("health", TargetHealthName(t.status.health));
      w.KV("scrapeInterval", FormatDurationMs(t.interval_ms));
      w.KV("scrapeTimeout", FormatDurationMs(t.timeout_ms));
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("droppedTargets").BeginArray();
  std::map<std::string, uint64_t> dropped_counts;
  for (const std::string& job : snapshot.job_names) {
    if (in_pool(job)) dropped_counts[job] = 0;
  }
  for (const DroppedTargetInfo& t : snapshot.dropped) {
    if (!in_pool(t.scrape_pool)) continue;
    ++dropped_counts[t.scrape_pool];
    if (!show_dropped) continue;
    w.BeginObject();
    w.Key("discoveredLabels");
    w.LabelsObject(t.discovered_labels);
    w.KV("scrapePool", t.scrape_pool);
    w.EndObject();
  }
  w.EndArray();
  w.Key("droppedTargetCounts").BeginObject();
  for (const auto& [job, n] : dropped_counts) w.Key(job).Uint(n);
  w.EndObject();
  w.EndObject().EndObject();
  return body;
}

void RegisterTargetsApi(Router& router, ScrapeManager& manager) {
  router.Handle(
      "GET", "/api/v1/targets",
      [&manager](const HttpRequest& req, HttpResponse& resp) {
        resp.SetJson(200, TargetsJson(manager.Targets(), req.Param("state").value_or(""),
                                      req.Param("scrapePool").value_or("")));
      },
      "targets");
}

}  // namespace vigil
