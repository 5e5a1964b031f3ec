#include "api/targets_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/metrics/block/block_id.h"
#include "storage/metrics/db/metrics_db.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

TargetsSnapshot Snapshot() {
  TargetsSnapshot s;
  s.job_names = {"api", "db"};
  ActiveTargetInfo a;
  a.scrape_pool = "api";
  a.discovered_labels = Labels({{"__address__", "h:1"}, {"job", "api"}});
  a.labels = Labels({{"instance", "h:1"}, {"job", "api"}});
  a.scrape_url = "http://h:1/metrics";
  a.interval_ms = 15'000;
  a.timeout_ms = 10'000;
  a.status.health = TargetHealth::kDown;
  a.status.last_error = "server returned HTTP status 500 Internal Server Error";
  a.status.last_scrape_ms = 1'700'000'000'123;
  a.status.last_duration_seconds = 0.25;
  s.active.push_back(a);
  ActiveTargetInfo b;
  b.scrape_pool = "db";
  b.labels = Labels({{"instance", "d:2"}, {"job", "db"}});
  b.scrape_url = "http://d:2/metrics";
  b.interval_ms = 60'000;
  b.timeout_ms = 10'000;
  s.active.push_back(b);
  s.dropped.push_back({"api", Labels({{"__address__", "gone:1"}, {"job", "api"}})});
  return s;
}

TEST(TargetsApiTest, PrometheusShape) {
  std::string json = TargetsJson(Snapshot(), "", "");
  EXPECT_EQ(json,
            "{\"status\":\"success\",\"data\":{\"activeTargets\":["
            "{\"discoveredLabels\":{\"__address__\":\"h:1\",\"job\":\"api\"},"
            "\"labels\":{\"instance\":\"h:1\",\"job\":\"api\"},\"scrapePool\":\"api\","
            "\"scrapeUrl\":\"http://h:1/metrics\",\"globalUrl\":\"http://h:1/metrics\","
            "\"lastError\":\"server returned HTTP status 500 Internal Server Error\","
            "\"lastScrape\":\"2023-11-14T22:13:20.123Z\",\"lastScrapeDuration\":0.25,"
            "\"health\":\"down\",\"scrapeInterval\":\"15s\",\"scrapeTimeout\":\"10s\"},"
            "{\"discoveredLabels\":{},\"labels\":{\"instance\":\"d:2\",\"job\":\"db\"},"
            "\"scrapePool\":\"db\",\"scrapeUrl\":\"http://d:2/metrics\","
            "\"globalUrl\":\"http://d:2/metrics\",\"lastError\":\"\","
            "\"lastScrape\":\"0001-01-01T00:00:00Z\",\"lastScrapeDuration\":0,"
            "\"health\":\"unknown\",\"scrapeInterval\":\"1m\",\"scrapeTimeout\":\"10s\"}],"
            "\"droppedTargets\":[{\"discoveredLabels\":{\"__address__\":\"gone:1\","
            "\"job\":\"api\"},\"scrapePool\":\"api\"}],"
            "\"droppedTargetCounts\":{\"api\":1,\"db\":0}}}");
}

TEST(TargetsApiTest, StateAndPoolFilters) {
  std::string active = TargetsJson(Snapshot(), "active", "");
  EXPECT_THAT(active, HasSubstr("\"droppedTargets\":[]"));
  EXPECT_THAT(active, HasSubstr("\"scrapePool\":\"db\""));
  std::string dropped = TargetsJson(Snapshot(), "Dropped", "");
  EXPECT_THAT(dropped, HasSubstr("\"activeTargets\":[]"));
  EXPECT_THAT(dropped, HasSubstr("gone:1"));
  std::string pool = TargetsJson(Snapshot(), "any", "db");
  EXPECT_THAT(pool, ::testing::Not(HasSubstr("h:1")));
  EXPECT_THAT(pool, HasSubstr("\"droppedTargetCounts\":{\"db\":0}"));
  std::string none = TargetsJson(Snapshot(), "bogus", "");
  EXPECT_THAT(none, HasSubstr("\"activeTargets\":[],\"droppedTargets\":[]"));
}

TEST(TargetsApiTest, RouteServesTheManagersTargets) {
  auto dir = std::filesystem::temp_directory_path() / ("targets_api_" + block::NewBlockId());
  MetricsDbOptions o;
  o.dir = dir.string();
  o.maintenance_interval_ms = 0;
  o.wal_sync = false;
  auto db = MetricsDb::Open(o, nullptr);
  ASSERT_TRUE(db.ok());
  auto settings = ParseScrapeSection(YAML::Load("scrape_configs:\n"
                                                "  - job_name: web\n"
                                                "    static_configs:\n"
                                                "      - targets: ['127.0.0.1:1']\n"),
                                     YamlReader("t.yml"));
  ASSERT_TRUE(settings.ok());
  {
    ScrapeManager manager(**db, nullptr, *settings);
    Router router;
    RegisterTargetsApi(router, manager);
    auto m = router.Find("GET", "/api/v1/targets");
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->outcome, Router::Outcome::kFound);
    HttpRequest req;
    req.set_method("GET");
    req.set_path("/api/v1/targets");
    HttpResponse resp;
    m->route->handler(req, resp);
    EXPECT_EQ(resp.status(), 200);
    EXPECT_EQ(resp.content_type(), kContentTypeJson);
    EXPECT_THAT(resp.body(), HasSubstr("\"scrapeUrl\":\"http://127.0.0.1:1/metrics\""));
    EXPECT_THAT(resp.body(), HasSubstr("\"health\":\"unknown\""));
  }
  db->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil
