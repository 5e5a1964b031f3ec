#include "ingest/scrape/scrape_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/scrape/staleness_tracker.h"
#include "ingest/scrape/target_labels.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<ScrapeSettings> Parse(const std::string& yaml) {
  return ParseScrapeSection(YAML::Load(yaml), YamlReader("vigil.yml"));
}

std::string Error(const std::string& yaml) {
  auto s = Parse(yaml);
  EXPECT_FALSE(s.ok()) << yaml;
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(ScrapeConfigTest, Defaults) {
  auto s = Parse(
      "scrape_configs:\n"
      "  - job_name: node\n"
      "    static_configs:\n"
      "      - targets: ['localhost:9100']\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->global.scrape_interval_ms, 60'000);
  EXPECT_EQ(s->global.scrape_timeout_ms, 10'000);
  ASSERT_EQ(s->jobs.size(), 1u);
  const ScrapeJobConfig& j = s->jobs[0];
  EXPECT_EQ(j.job_name, "node");
  EXPECT_EQ(j.scrape_interval_ms, 60'000);
  EXPECT_EQ(j.scrape_timeout_ms, 10'000);
  EXPECT_EQ(j.metrics_path, "/metrics");
  EXPECT_EQ(j.scheme, "http");
  EXPECT_FALSE(j.honor_labels);
  EXPECT_TRUE(j.honor_timestamps);
  ASSERT_EQ(j.static_configs.size(), 1u);
  EXPECT_EQ(j.static_configs[0].targets, std::vector<std::string>{"localhost:9100"});
}

TEST(ScrapeConfigTest, EmptyOrMissingSections) {
  auto s = Parse("{}");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->jobs.empty());
  s = Parse("scrape_configs:\n");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->jobs.empty());
}

TEST(ScrapeConfigTest, GlobalAndJobSettings) {
  auto s = Parse(
      "global:\n"
      "  scrape_interval: 5s\n"
      "  evaluation_interval: 30s\n"
      "  external_labels: {cluster: eu1}\n"
      "  sample_limit: 1000\n"
      "scrape_configs:\n"
      "  - job_name: a\n"
      "  - job_name: b\n"
      "    scrape_interval: 30s\n"
      "    scrape_timeout: 20s\n"
      "    metrics_path: /probe\n"
      "    params: {module: [http_2xx, other], target: [x]}\n"
      "    honor_labels: true\n"
      "    honor_timestamps: false\n"
      "    sample_limit: 10\n"
      "    label_limit: 5\n"
      "    body_size_limit: 1MB\n"
      "    static_configs:\n"
      "      - targets: ['h1:80', 'h2:80']\n"
      "        labels: {team: api, env: prod}\n"
      "    relabel_configs:\n"
      "      - source_labels: [__address__]\n"
      "        target_label: __param_target\n"
      "    metric_relabel_configs:\n"
      "      - action: labeldrop\n"
      "        regex: tmp_.*\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->global.scrape_interval_ms, 5000);
  // The global timeout is capped at the global interval.
  EXPECT_EQ(s->global.scrape_timeout_ms, 5000);
  EXPECT_EQ(s->global.external_labels.Get("cluster"), "eu1");
  const ScrapeJobConfig& a = s->jobs[0];
  EXPECT_EQ(a.scrape_interval_ms, 5000);
  EXPECT_EQ(a.scrape_timeout_ms, 5000);
  EXPECT_EQ(a.limits.sample_limit, 1000u);  // inherited
  const ScrapeJobConfig& b = s->jobs[1];
  EXPECT_EQ(b.scrape_interval_ms, 30'000);
  EXPECT_EQ(b.scrape_timeout_ms, 20'000);
  EXPECT_EQ(b.metrics_path, "/probe");
  ASSERT_EQ(b.params.size(), 2u);
  EXPECT_EQ(b.params[0].first, "module");
  EXPECT_EQ(b.params[0].second, (std::vector<std::string>{"http_2xx", "other"}));
  EXPECT_TRUE(b.honor_labels);
  EXPECT_FALSE(b.honor_timestamps);
  EXPECT_EQ(b.limits.sample_limit, 10u);
  EXPECT_EQ(b.limits.label_limit, 5u);
  EXPECT_EQ(b.limits.body_size_limit, 1'000'000u);
  EXPECT_EQ(b.static_configs[0].labels.Get("team"), "api");
  EXPECT_EQ(b.relabel_configs.size(), 1u);
  EXPECT_EQ(b.metric_relabel_configs.size(), 1u);
}

TEST(ScrapeConfigTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(Error("scrape_configs:\n"
                  "  - job_name: a\n"
                  "    scrape_intervall: 5s\n"),
            "vigil.yml:3: unknown key \"scrape_intervall\" in scrape config");
  EXPECT_EQ(Error("global:\n  foo: 1\n"), "vigil.yml:2: unknown key \"foo\" in global");
  EXPECT_EQ(Error("scrape_configs:\n"
                  "  - job_name: a\n"
                  "  - job_name: a\n"),
            "vigil.yml:3: found multiple scrape configs with job name \"a\"");
  EXPECT_EQ(Error("scrape_configs:\n"
                  "  - scrape_interval: 5s\n"),
            "vigil.yml:2: job_name is empty");
  EXPECT_EQ(Error("scrape_configs:\n"
                  "  - job_name: a\n"
                  "    scrape_interval: 5s\n"
                  "    scrape_timeout: 10s\n"),
            "vigil.yml:4: scrape timeout greater than scrape interval for scrape config with "
            "job name \"a\"");
  EXPECT_EQ(Error("global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n"),
            "vigil.yml:3: global scrape timeout greater than scrape interval");
  EXPECT_THAT(Error("scrape_configs:\n"
                    "  - job_name: a\n"
                    "    scheme: https\n"),
              HasSubstr("vigil.yml:3: scheme \"https\" is not supported"));
  EXPECT_THAT(Error("scrape_configs:\n"
                    "  - job_name: a\n"
                    "    kubernetes_sd_configs: []\n"),
              HasSubstr("vigil.yml:3: \"kubernetes_sd_configs\" is not supported"));
  EXPECT_EQ(Error("scrape_configs:\n"
                  "  - job_name: a\n"
                  "    static_configs:\n"
                  "      - targets:\n"
                  "          - ok:80\n"
                  "          - http://x:80/metrics\n"),
            "vigil.yml:6: \"http://x:80/metrics\" is not a valid hostname");
  EXPECT_EQ(Error("scrape_configs:\n"
                  "  - job_name: a\n"
                  "    static_configs:\n"
                  "      - targets: [x:1]\n"
                  "        labels: {bad-name: v}\n"),
            "vigil.yml:5: \"bad-name\" is not a valid label name");
  EXPECT_THAT(Error("scrape_configs:\n"
                    "  - job_name: a\n"
                    "    relabel_configs:\n"
                    "      - action: explode\n"),
              HasSubstr("vigil.yml:4: unknown relabel action \"explode\""));
  EXPECT_THAT(Error("scrape_configs:\n"
                    "  - job_name: a\n"
                    "    scrape_interval: soon\n"),
              HasSubstr("vigil.yml:3: scrape_interval must be a duration"));
  EXPECT_THAT(Error("scrape_configs:\n"
                    "  - job_name: a\n"
                    "    sample_limit: -1\n"),
              HasSubstr("vigil.yml:3: sample_limit must be a non-negative integer"));
  EXPECT_THAT(Error("scrape_configs:\n"
                    "  - job_name: a\n"
                    "    params: {module: http_2xx}\n"),
              HasSubstr("vigil.yml:3: params \"module\" must be a list"));
  EXPECT_THAT(Error("scrape_configs: {a: 1}\n"), HasSubstr("scrape_configs must be a list"));
  EXPECT_THAT(Error("scrape_configs:\n  - job_name: a\n    metrics_path: metrics\n"),
              HasSubstr("vigil.yml:3: metrics_path must be a path"));
}

ScrapeJobConfig Job(const std::string& yaml) {
  auto s = Parse(yaml);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() && !s->jobs.empty() ? s->jobs[0] : ScrapeJobConfig{};
}

TEST(TargetLabelsTest, BuildsPrometheusTargetLabels) {
  ScrapeJobConfig job =
      Job("scrape_configs:\n"
          "  - job_name: api\n"
          "    scrape_interval: 15s\n"
          "    params: {module: [m1, m2]}\n"
          "    static_configs:\n"
          "      - targets: ['10.0.0.1:8080']\n"
          "        labels: {team: payments}\n");
  JobTargets t = BuildJobTargets(job);
  ASSERT_EQ(t.active.size(), 1u);
  const TargetLabels& tl = t.active[0];
  EXPECT_EQ(tl.discovered.ToString(),
            "{__address__=\"10.0.0.1:8080\", __metrics_path__=\"/metrics\", "
            "__param_module=\"m1\", __scheme__=\"http\", __scrape_interval__=\"15s\", "
            "__scrape_timeout__=\"10s\", job=\"api\", team=\"payments\"}");
  EXPECT_EQ(tl.public_labels.ToString(),
            "{instance=\"10.0.0.1:8080\", job=\"api\", team=\"payments\"}");
  EXPECT_EQ(tl.scrape_url, "http://10.0.0.1:8080/metrics?module=m1&module=m2");
  EXPECT_EQ(tl.interval_ms, 15'000);
  EXPECT_EQ(tl.timeout_ms, 10'000);
}

TEST(TargetLabelsTest, RelabelingRewritesDropsAndFails) {
  ScrapeJobConfig job =
      Job("scrape_configs:\n"
          "  - job_name: blackbox\n"
          "    metrics_path: /probe\n"
          "    static_configs:\n"
          "      - targets: ['example.com', 'drop.me', 'internal']\n"
          "    relabel_configs:\n"
          "      - source_labels: [__address__]\n"
          "        regex: drop\\.me\n"
          "        action: drop\n"
          "      - source_labels: [__address__]\n"
          "        regex: internal\n"
          "        target_label: __address__\n"
          "        replacement: ''\n"
          "      - source_labels: [__address__]\n"
          "        target_label: __param_target\n"
          "      - source_labels: [__param_target]\n"
          "        target_label: instance\n"
          "      - target_label: __address__\n"
          "        replacement: 127.0.0.1:9115\n"
          "        source_labels: [__address__]\n"
          "        regex: (.+)\n"
          "      - target_label: __scrape_timeout__\n"
          "        replacement: 3s\n");
  JobTargets t = BuildJobTargets(job);
  ASSERT_EQ(t.active.size(), 1u);
  EXPECT_EQ(t.active[0].public_labels.ToString(), "{instance=\"example.com\", job=\"blackbox\"}");
  EXPECT_EQ(t.active[0].scrape_url, "http://127.0.0.1:9115/probe?target=example.com");
  EXPECT_EQ(t.active[0].timeout_ms, 3000);
  ASSERT_EQ(t.dropped.size(), 1u);
  EXPECT_EQ(t.dropped[0].discovered.Get("__address__"), "drop.me");
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_THAT(t.errors[0], HasSubstr("no address"));
}

TEST(TargetLabelsTest, DuplicateTargetsAreKeptOnce) {
  ScrapeJobConfig job =
      Job("scrape_configs:\n"
          "  - job_name: a\n"
          "    static_configs:\n"
          "      - targets: ['h:1', 'h:1']\n"
          "      - targets: ['h:1']\n");
  EXPECT_EQ(BuildJobTargets(job).active.size(), 1u);
}

TEST(StalenessTrackerTest, TracksVanishedAndPreviousSeries) {
  StalenessTracker tr;
  auto views = [](const Labels& l) {
    std::vector<LabelView> v;
    for (const LabelView& x : l) v.push_back(x);
    return v;
  };
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}}, c{{"__name__", "c"}};
  EXPECT_TRUE(tr.Seen(a.Hash(), views(a), true));
  EXPECT_TRUE(tr.Seen(b.Hash(), views(b), true));
  EXPECT_FALSE(tr.Seen(b.Hash(), views(b), true));  // repeated within a pass
  EXPECT_TRUE(tr.Seen(c.Hash(), views(c), false));  // explicit timestamp: never stale
  tr.Commit();
  EXPECT_FALSE(tr.Seen(a.Hash(), views(a), true));
  std::vector<std::string> vanished, previous;
  tr.ForEachVanished([&](const Labels& l) { vanished.emplace_back(l.MetricName()); });
  tr.ForEachPrevious([&](const Labels& l) { previous.emplace_back(l.MetricName()); });
  EXPECT_EQ(vanished, std::vector<std::string>{"b"});
  std::sort(previous.begin(), previous.end());
  EXPECT_EQ(previous, (std::vector<std::string>{"a", "b"}));
  tr.Reset();
  EXPECT_EQ(tr.previous_size(), 0u);
  EXPECT_TRUE(tr.Seen(a.Hash(), views(a), true));
}

}  // namespace
}  // namespace vigil
