#include "ingest/import/text_importer.h"

#include <gtest/gtest.h>

#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {
namespace {

class TextImporterTest : public ::testing::Test {
 protected:
  std::vector<Sample> Read(std::string_view metric) {
    std::vector<Sample> out;
    for (const auto& [name, samples] : db_.Read(metric)) out.insert(out.end(), samples.begin(), samples.end());
    return out;
  }
  TempMetricsDb db_;
  std::unique_ptr<TextImporter> importer_ = std::make_unique<TextImporter>(db_.db(), nullptr);
};

TEST_F(TextImporterTest, ImportsSamplesWithAndWithoutTimestamps) {
  auto r = importer_->Import(
      "# HELP http_requests_total Requests served.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{code=\"200\"} 10 1000\n"
      "http_requests_total{code=\"500\"} 2\n",
      "text/plain", 5000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.stats.accepted, 2u);
  auto s = Read("http_requests_total");
  ASSERT_EQ(s.size(), 2u);
  auto md = db_->Metadata("http_requests_total", 0);
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].second.type, MetricType::kCounter);
  EXPECT_EQ(md[0].second.help, "Requests served.");
}

TEST_F(TextImporterTest, OpenMetricsExemplarsAreKept) {
  auto r = importer_->Import(
      "# TYPE latency histogram\n"
      "latency_bucket{le=\"0.5\"} 3 1.5 # {trace_id=\"abc\"} 0.4 1.2\n"
      "latency_bucket{le=\"+Inf\"} 4 1.5\n"
      "# EOF\n",
      "application/openmetrics-text", 0);
  ASSERT_TRUE(r.status.ok()) << r.status;
  auto ex = db_->SelectExemplars({{*LabelMatcher::Make(MatchType::kEqual, "le", "0.5")}}, 0, 5000);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].exemplars[0].t, 1200);
  EXPECT_EQ((*ex)[0].exemplars[0].labels.Get("trace_id"), "abc");
}

TEST_F(TextImporterTest, BadLinesAreReportedAndTheRestKept) {
  auto r = importer_->Import("ok 1 1000\nbad{ 2\nalso_ok 3 1000\n", "text/plain", 0);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  std::string msg(r.status.message());
  EXPECT_NE(msg.find("1 lines could not be parsed: line 2:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 samples were stored"), std::string::npos) << msg;
  EXPECT_EQ(Read("ok").size(), 1u);
  EXPECT_EQ(Read("also_ok").size(), 1u);
}

}  // namespace
}  // namespace vigil
