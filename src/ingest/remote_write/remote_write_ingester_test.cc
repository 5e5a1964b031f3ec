#include "ingest/remote_write/remote_write_ingester.h"

#include <gtest/gtest.h>

#include "common/proto_wire.h"
#include "ingest/remote_write/write_request.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil {
namespace {

class RemoteWriteIngesterTest : public ::testing::Test {
 protected:
  static void Limits(MetricsDbOptions& o) {
    o.head.max_series_per_metric = 3;
    o.head.label_denylist = {"user_id"};
  }

  IngestResult Send(const std::vector<WriteSeries>& series) {
    std::string pb;
    EncodeWriteRequest(series, &pb);
    return ingester_->Ingest(SnappyCompress(pb));
  }

  size_t Count(std::string_view metric) { return db_.Count(metric); }

  MetricsRegistry registry_;
  TempMetricsDb db_{&registry_, &Limits};
  std::unique_ptr<RemoteWriteIngester> ingester_ =
      std::make_unique<RemoteWriteIngester>(db_.db(), &registry_, 1 << 20);
};

TEST_F(RemoteWriteIngesterTest, StoresAValidRequest) {
  auto r = Send({{Labels({{"__name__", "up"}, {"job", "a"}}), {{1000, 1}, {2000, 1}}, {}}});
  EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.stats.accepted, 2u);
  EXPECT_EQ(Count("up"), 2u);
  EXPECT_NE(registry_.RenderText().find("vigil_samples_ingested_total{protocol=\"remote_write\"} 2"),
            std::string::npos);
}

TEST_F(RemoteWriteIngesterTest, KeepsValidPartAndSaysWhatWasRejected) {
  auto r = Send({
      {Labels({{"__name__", "ok"}}), {{1000, 1}}, {}},
      {Labels({{"__name__", "bad-name"}}), {{1000, 1}}, {}},
      {Labels({{"__name__", "dup"}, {"a", ""}}), {{1000, 1}}, {}},
      {Labels({{"__name__", "x"}, {"user_id", "7"}}), {{1000, 1}, {2000, 2}}, {}},
  });
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.stats.accepted, 1u);
  EXPECT_EQ(r.stats.rejected[size_t(RejectReason::kInvalidLabels)], 2u);
  EXPECT_EQ(r.stats.rejected[size_t(RejectReason::kDeniedLabel)], 2u);
  EXPECT_EQ(r.status.message(),
            "4 samples rejected (invalid_labels: 2, denied_label: 2): invalid metric name "
            "\"bad-name\" in series bad-name");
  EXPECT_EQ(Count("ok"), 1u);
}

TEST_F(RemoteWriteIngesterTest, OutOfOrderFollowsPrometheus) {
  ASSERT_TRUE(Send({{Labels({{"__name__", "m"}}), {{5000, 1}}, {}}}).status.ok());
  auto r = Send({{Labels({{"__name__", "m"}}), {{4000, 1}, {6000, 2}}, {}}});
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(),
            "1 samples rejected (out_of_order: 1): out of order sample for series m at timestamp 4000");
  EXPECT_EQ(Count("m"), 2u);
}

TEST_F(RemoteWriteIngesterTest, SeriesLimitIsReported) {
  std::vector<WriteSeries> s;
  for (int i = 0; i < 5; ++i) s.push_back({Labels({{"__name__", "c"}, {"i", std::to_string(i)}}), {{1000, 1}}, {}});
  auto r = Send(s);
  EXPECT_EQ(r.stats.accepted, 3u);
  EXPECT_EQ(r.stats.rejected[size_t(RejectReason::kSeriesLimit)], 2u);
}

TEST_F(RemoteWriteIngesterTest, BadSnappyAndOversizedBodies) {
  auto r = ingester_->Ingest("\xff\xff\xff\xff\xff\xff");
  EXPECT_EQ(r.status.message(), "snappy: corrupt input (bad length header)");
  std::string pb;
  EncodeWriteRequest({{Labels({{"__name__", "x"}}), {{1, 1}}, {}}}, &pb);
  std::string body = SnappyCompress(pb);
  body.resize(body.size() - 2);
  r = ingester_->Ingest(body);
  EXPECT_EQ(r.status.message(), "snappy: corrupt or truncated input");
  std::string big(2 << 20, 'a');
  r = ingester_->Ingest(SnappyCompress(big));
  EXPECT_EQ(r.status.message(), "snappy: decoded request of 2097152 bytes exceeds the limit of 1048576 bytes");
}

TEST_F(RemoteWriteIngesterTest, MalformedProtobufKeepsSeriesBeforeTheError) {
  std::string pb;
  EncodeWriteRequest({{Labels({{"__name__", "first"}}), {{1000, 1}}, {}}}, &pb);
  pb += "\x0a\x10garbage";  // a time series whose length runs past the end
  auto r = ingester_->Ingest(SnappyCompress(pb));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status.message()).find("1 samples before the error were stored"),
            std::string::npos)
      << r.status.message();
  EXPECT_EQ(Count("first"), 1u);
}

TEST_F(RemoteWriteIngesterTest, KnownSeriesAreFoundByTheirLabelBytes) {
  // Second request: the series exists, so it is found by packed labels; then a label set sent
  // unsorted (not canonical) still reaches the same series through its decoded labels.
  ASSERT_TRUE(Send({{Labels({{"__name__", "k"}, {"a", "1"}}), {{1000, 1}}, {}}}).status.ok());
  ASSERT_TRUE(Send({{Labels({{"__name__", "k"}, {"a", "1"}}), {{2000, 2}}, {}}}).status.ok());
  std::string pb;
  {
    std::string ts;
    proto::WireWriter tw(&ts);
    ts.append(Labels({{"a", "1"}}).packed());
    ts.append(Labels({{"__name__", "k"}}).packed());
    std::string sample;
    proto::WireWriter(&sample).DoubleField(1, 3);
    proto::WireWriter(&sample).VarintField(2, 3000);
    tw.BytesField(2, sample);
    proto::WireWriter(&pb).BytesField(1, ts);
  }
  auto r = ingester_->Ingest(SnappyCompress(pb));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(Count("k"), 3u);
  EXPECT_EQ(db_->head().NumSeries(), 1u);
}

TEST_F(RemoteWriteIngesterTest, ExemplarsAndMetadataAreStored) {
  auto r = Send({{Labels({{"__name__", "h_bucket"}, {"le", "0.5"}}), {{1000, 3}},
                  {Exemplar{Labels({{"trace_id", "t1"}}), 0.3, 900}}}});
  ASSERT_TRUE(r.status.ok());
  auto ex = db_->SelectExemplars({{*LabelMatcher::Make(MatchType::kEqual, "__name__", "h_bucket")}}, 0, 2000);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].exemplars[0].labels.Get("trace_id"), "t1");
}

}  // namespace
}  // namespace vigil
