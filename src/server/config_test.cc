#include "server/config.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(ConfigTest, EmptyFileGivesDefaults) {
  auto c = ParseServerConfig("", "vigil.yml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->http_listen, "0.0.0.0:9400");
  EXPECT_FALSE(c->metrics.head.label_denylist.empty());
}

TEST(ConfigTest, ReadsEverySection) {
  auto c = ParseServerConfig(R"(
data_dir: /var/lib/vigil
log_level: debug
http:
  listen: 127.0.0.1:9999
  max_body_size: 16MiB
otlp:
  grpc_listen: "off"
metrics:
  retention: 30d
  retention_size: 10GB
  limits:
    max_series: 1000000
    max_series_per_metric: 50000
    label_denylist: [user_id]
query:
  lookback_delta: 10m
  max_samples: 1000
  timeout: 30s
  parallelism: 1
)",
                             "vigil.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->data_dir, "/var/lib/vigil");
  EXPECT_EQ(c->http_max_body_bytes, 16u << 20);
  EXPECT_EQ(c->otlp_grpc_listen, "off");
  EXPECT_EQ(c->metrics.retention_ms, 30LL * 86400000);
  EXPECT_EQ(c->metrics.retention_bytes, 10000000000u);
  EXPECT_EQ(c->metrics.head.max_series_per_metric, 50000u);
  EXPECT_EQ(c->metrics.head.label_denylist, std::vector<std::string>{"user_id"});
  EXPECT_EQ(c->query.lookback_delta_ms, 600000);
  EXPECT_EQ(c->query.max_samples, 1000);
  EXPECT_EQ(c->query.timeout_ms, 30000);
  EXPECT_EQ(c->query.parallelism, 1);
  auto bad = ParseServerConfig("query:\n  max_samples: 0\n", "v.yml");
  EXPECT_FALSE(bad.ok());
}

TEST(ConfigTest, ReadsTheLogsSection) {
  auto c = ParseServerConfig(R"(
logs:
  retention: 30d
  retention_rules:
    - selector: '{level="audit"}'
      period: 7y
    - selector: '{service_name=~"debug-.*"}'
      period: 1d
  stream_labels: [service, env]
  max_streams: 5000
  max_line_size: 64KiB
  head_max_size: 16MiB
  segment_window: 2h
)",
                             "vigil.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  const LogsDbOptions& o = c->logs.db;
  EXPECT_EQ(o.retention_ns, 30LL * 86400 * 1'000'000'000);
  ASSERT_EQ(o.retention_rules.size(), 2u);
  EXPECT_EQ(o.retention_rules[0].period_ns, 7LL * 365 * 86400 * 1'000'000'000);
  EXPECT_EQ(o.retention_rules[1].matchers[0].name(), "service_name");
  EXPECT_TRUE(o.retention_rules[1].matchers[0].Matches("debug-x"));
  EXPECT_EQ(c->logs.stream_label_fields, (std::vector<std::string>{"service", "env"}));
  EXPECT_EQ(o.max_streams, 5000u);
  EXPECT_EQ(o.max_line_bytes, 64u << 10);
  EXPECT_EQ(o.head_max_bytes, 16u << 20);
  EXPECT_EQ(o.segment_window_ns, 2LL * 3600 * 1'000'000'000);

  std::string bad_selector(
      ParseServerConfig("logs:\n  retention_rules:\n    - selector: '{level=}'\n      period: 1d\n",
                        "v.yml")
          .status()
          .message());
  EXPECT_TRUE(bad_selector.starts_with("v.yml:3: invalid selector \"{level=}\": ")) << bad_selector;
  EXPECT_EQ(ParseServerConfig("logs:\n  retention_rules:\n    - period: 1d\n", "v.yml").status().message(),
            "v.yml:3: a retention rule needs a selector and a period");
  EXPECT_EQ(ParseServerConfig("logs:\n  max_line_size: 0\n", "v.yml").status().message(),
            "v.yml:2: max_line_size must be between 1 byte and 64MiB");
  EXPECT_EQ(ParseServerConfig("logs:\n  retension: 1d\n", "v.yml").status().message(),
            "v.yml:2: unknown key \"retension\" in logs");
}

TEST(ConfigTest, ReadsTheTracesSection) {
  auto c = ParseServerConfig(R"(
traces:
  retention: 3d
  head_max_size: 8MiB
  max_attribute_value_size: 4KiB
  sampling:
    fraction: 0.1
    latency_threshold: 2s
    decision_wait: 45s
  span_metrics:
    buckets: [0.01, 0.1, 1]
    max_series: 500
    flush_interval: 30s
)",
                             "vigil.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  const TracesConfig& t = c->traces;
  EXPECT_EQ(t.db.retention_ns, 3LL * 86400 * 1'000'000'000);
  EXPECT_EQ(t.db.head_max_bytes, 8u << 20);
  EXPECT_EQ(t.limits.max_attribute_value_bytes, 4096u);
  EXPECT_DOUBLE_EQ(t.db.sampling.fraction, 0.1);
  EXPECT_TRUE(t.db.sampling.keep_errors);
  EXPECT_EQ(t.db.sampling.latency_threshold_ns, 2'000'000'000);
  EXPECT_EQ(t.db.sampling.decision_wait_ns, 45'000'000'000);
  EXPECT_EQ(t.span_metrics.buckets, (std::vector<double>{0.01, 0.1, 1}));
  EXPECT_EQ(t.span_metrics.max_series, 500u);
  EXPECT_EQ(t.span_metrics.flush_interval_ns, 30'000'000'000);

  EXPECT_EQ(ParseServerConfig("traces:\n  sampling:\n    fraction: 2\n", "v.yml").status().message(),
            "v.yml:3: fraction must be a number between 0 and 1");
  EXPECT_EQ(ParseServerConfig("traces:\n  span_metrics:\n    buckets: [1, 0.5]\n", "v.yml")
                .status()
                .message(),
            "v.yml:3: buckets must be positive numbers of seconds in ascending order");
  EXPECT_EQ(ParseServerConfig("traces:\n  samplin: {}\n", "v.yml").status().message(),
            "v.yml:2: unknown key \"samplin\" in traces");
}

TEST(ConfigTest, RefusesUnknownKeysAndBadValuesWithLine) {
  EXPECT_EQ(ParseServerConfig("data_dir: x\nhttp:\n  lisen: 1\n", "v.yml").status().message(),
            "v.yml:3: unknown key \"lisen\" in http");
  EXPECT_EQ(ParseServerConfig("metrics:\n  retention: forever\n", "v.yml").status().message(),
            "v.yml:2: retention must be a duration like 30s, 5m, 2h or 15d, got \"forever\"");
  EXPECT_EQ(ParseServerConfig("http:\n  listen: nope\n", "v.yml").status().message(),
            "v.yml:2: listen address \"nope\" must be host:port");
  EXPECT_EQ(ParseServerConfig("log_level: loud\n", "v.yml").status().message(),
            "v.yml:1: log_level must be debug, info, warn or error, got \"loud\"");
  EXPECT_EQ(ParseServerConfig("metrics:\n  limits:\n    max_series: -1\n", "v.yml").status().message(),
            "v.yml:3: max_series must be a non-negative integer, got \"-1\"");
  auto broken = ParseServerConfig("http: [unclosed\n", "v.yml");
  EXPECT_FALSE(broken.ok());
  EXPECT_EQ(std::string(broken.status().message()).substr(0, 6), "v.yml:");
}

}  // namespace
}  // namespace vigil
