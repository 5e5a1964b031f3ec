#include "common/self_metrics.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(SelfMetricsTest, RendersCountersGaugesAndHistograms) {
  MetricsRegistry r;
  r.GetCounter("vigil_x_total", "X things.", Labels({{"reason", "bad"}})).Inc(3);
  r.GetGauge("vigil_g", "A gauge.").Set(1.5);
  auto& h = r.GetHistogram("vigil_h_seconds", "Latency.", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  r.AddGaugeFunc("vigil_f", "Computed.", {}, [] { return 7.0; });
  std::string text = r.RenderText();
  EXPECT_NE(text.find("# TYPE vigil_x_total counter\nvigil_x_total{reason=\"bad\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("vigil_g 1.5\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_f 7\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_h_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_h_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_h_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_h_seconds_sum 5.55\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_h_seconds_count 3\n"), std::string::npos);
}

TEST(SelfMetricsTest, SameNameAndLabelsGiveSameInstrument) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("c", "h", Labels({{"k", "v"}}));
  Counter& b = r.GetCounter("c", "h", Labels({{"k", "v"}}));
  EXPECT_EQ(&a, &b);
}

}  // namespace
}  // namespace vigil
