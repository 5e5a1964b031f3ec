#include "ingest/otlp_metrics/otlp_metric_names.h"

#include <string>

#include "gtest/gtest.h"
#include "ingest/otlp_metrics/otlp_metrics_mapper.h"

namespace vigil {
namespace {

std::string LabelName(std::string_view key) {
  std::string out;
  AppendPrometheusLabelName(key, &out);
  EXPECT_EQ(IsPrometheusLabelNameAsIs(key), out == key) << key;
  return out;
}

TEST(OtlpMetricNamesTest, Units) {
  using K = PromFamilyKind;
  EXPECT_EQ(PrometheusUnit("s", K::kHistogram), "seconds");
  EXPECT_EQ(PrometheusUnit("ms", K::kGauge), "milliseconds");
  EXPECT_EQ(PrometheusUnit("By", K::kCounter), "bytes");
  EXPECT_EQ(PrometheusUnit("KiBy", K::kGauge), "kibibytes");
  EXPECT_EQ(PrometheusUnit("Cel", K::kGauge), "celsius");
  EXPECT_EQ(PrometheusUnit("%", K::kGauge), "percent");
  EXPECT_EQ(PrometheusUnit("1", K::kGauge), "ratio");
  EXPECT_EQ(PrometheusUnit("1", K::kCounter), "");
  EXPECT_EQ(PrometheusUnit("{packet}", K::kCounter), "");
  EXPECT_EQ(PrometheusUnit("{request}/s", K::kGauge), "per_second");
  EXPECT_EQ(PrometheusUnit("By/s", K::kGauge), "bytes_per_second");
  EXPECT_EQ(PrometheusUnit("m/s", K::kGauge), "meters_per_second");
  EXPECT_EQ(PrometheusUnit("By{compressed}", K::kGauge), "bytes");
  EXPECT_EQ(PrometheusUnit("packets", K::kGauge), "packets");
  EXPECT_EQ(PrometheusUnit("kW.h", K::kGauge), "kW_h");
  EXPECT_EQ(PrometheusUnit("{unclosed", K::kGauge), "");
  EXPECT_EQ(PrometheusUnit("", K::kGauge), "");
}

TEST(OtlpMetricNamesTest, MetricNames) {
  using K = PromFamilyKind;
  EXPECT_EQ(PrometheusMetricName("http.server.duration", "s", K::kHistogram),
            "http_server_duration_seconds");
  EXPECT_EQ(PrometheusMetricName("system.memory.utilization", "1", K::kGauge),
            "system_memory_utilization_ratio");
  EXPECT_EQ(PrometheusMetricName("http.server.requests", "{request}", K::kCounter),
            "http_server_requests_total");
  EXPECT_EQ(PrometheusMetricName("process.cpu.time", "s", K::kCounter),
            "process_cpu_time_seconds_total");
  // Suffixes already present are not doubled; _total moves after the unit.
  EXPECT_EQ(PrometheusMetricName("requests_total", "", K::kCounter), "requests_total");
  EXPECT_EQ(PrometheusMetricName("io_bytes_total", "By", K::kCounter), "io_bytes_total");
  EXPECT_EQ(PrometheusMetricName("io_total", "By", K::kCounter), "io_bytes_total");
  EXPECT_EQ(PrometheusMetricName("latency_seconds", "s", K::kHistogram), "latency_seconds");
  // A unit word inside the name is not a suffix.
  EXPECT_EQ(PrometheusMetricName("seconds_before_x", "s", K::kGauge), "seconds_before_x_seconds");
  // Invalid characters, runs of underscores, a leading digit.
  EXPECT_EQ(PrometheusMetricName("my-app/queue..len", "", K::kGauge), "my_app_queue_len");
  EXPECT_EQ(PrometheusMetricName("2xx.count", "", K::kGauge), "_2xx_count");
  EXPECT_EQ(PrometheusMetricName("a:b", "", K::kGauge), "a:b");
  EXPECT_EQ(PrometheusMetricName("temp.", "Cel", K::kGauge), "temp_celsius");
  EXPECT_EQ(PrometheusMetricName("caf\xc3\xa9", "", K::kGauge), "caf_");
}

TEST(OtlpMetricNamesTest, LabelNames) {
  EXPECT_EQ(LabelName("http_method"), "http_method");
  EXPECT_EQ(LabelName("http.method"), "http_method");
  EXPECT_EQ(LabelName("k8s..pod"), "k8s_pod");
  EXPECT_EQ(LabelName("9lives"), "key_9lives");
  EXPECT_EQ(LabelName("_private"), "key_private");
  EXPECT_EQ(LabelName(".x"), "key_x");
  EXPECT_EQ(LabelName("__reserved"), "__reserved");
  EXPECT_EQ(LabelName("___x"), "__x");
  EXPECT_EQ(LabelName("a__b"), "a_b");
  EXPECT_EQ(LabelName("\xc3\xa9t\xc3\xa9"), "key_t_");
  EXPECT_EQ(LabelName("A1"), "A1");
}

TEST(OtlpMetricNamesTest, BoundLabels) {
  EXPECT_EQ(FormatBoundLabel(0.005), "0.005");
  EXPECT_EQ(FormatBoundLabel(250), "250");
  EXPECT_EQ(FormatBoundLabel(1e-5), "0.00001");
  EXPECT_EQ(FormatBoundLabel(HUGE_VAL), "+Inf");
  EXPECT_EQ(FormatBoundLabel(-HUGE_VAL), "-Inf");
  EXPECT_EQ(FormatBoundLabel(0.99), "0.99");
}

}  // namespace
}  // namespace vigil
