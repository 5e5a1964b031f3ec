// GET /api/v1/targets: the scrape targets in Prometheus' JSON shape, so Grafana and
// Prometheus tooling can show them.
//
//   {"status":"success","data":{
//     "activeTargets":[{"discoveredLabels":{…},"labels":{…},"scrapePool":"job",
//       "scrapeUrl":"http://…/metrics","globalUrl":"http://…/metrics","lastError":"",
//       "lastScrape":"2024-01-02T03:04:05.678Z","lastScrapeDuration":0.0123,
//       "health":"up|down|unknown","scrapeInterval":"15s","scrapeTimeout":"10s"}],
//     "droppedTargets":[{"discoveredLabels":{…},"scrapePool":"job"}],
//     "droppedTargetCounts":{"job":1}}}
//
// Query parameters as in Prometheus: `state` = active | dropped | any (default any; another
// value lists nothing) and `scrapePool` to keep one job.
//
// The envelope is written with JsonWriter directly, in the same shape as api_response.h, so
// that this handler depends only on the scraper and the HTTP layer.
//
// Thread-safety: the handler takes a snapshot from the ScrapeManager per request; the
// manager must outlive the router's use of the route.
#pragma once

#include <string>

#include "http/router.h"
#include "ingest/scrape/scrape_manager.h"

namespace vigil {

void RegisterTargetsApi(Router& router, ScrapeManager& manager);

// The response body for a snapshot (exposed for tests).
std::string TargetsJson(const TargetsSnapshot& snapshot, std::string_view state,
                        std::string_view scrape_pool);

}  // namespace vigil
