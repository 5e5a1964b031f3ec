#include "ingest/remote_write/write_request.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/proto_wire.h"

namespace vigil {
namespace {

std::vector<WriteSeries> TwoSeries() {
  return {
      {Labels({{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "api"}}),
       {{1000, 1.5}, {16000, 2.5}},
       {Exemplar{Labels({{"trace_id", "abc"}}), 0.7, 1500}}},
      {Labels({{"__name__", "up"}, {"job", "api"}}), {{1000, 1}}, {}},
  };
}

TEST(WriteRequestTest, RoundTrip) {
  std::string pb;
  EncodeWriteRequest(TwoSeries(), &pb);
  WriteRequestView req;
  ASSERT_TRUE(DecodeWriteRequest(pb, &req).ok());
  ASSERT_EQ(req.series.size(), 2u);
  const auto& ts = req.series[0];
  std::vector<LabelView> labels;
  ASSERT_TRUE(DecodeSeriesLabels(ts, &labels).ok());
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].value, "http_requests_total");
  ASSERT_EQ(ts.samples_end - ts.samples_begin, 2u);
  EXPECT_EQ(req.samples[ts.samples_begin + 1].t, 16000);
  EXPECT_EQ(req.samples[ts.samples_begin + 1].v, 2.5);
  ASSERT_EQ(ts.exemplars_end - ts.exemplars_begin, 1u);
  const auto& ex = req.exemplars[ts.exemplars_begin];
  EXPECT_EQ(ex.value, 0.7);
  EXPECT_EQ(ex.t, 1500);
  EXPECT_EQ(req.labels[ex.labels_begin].value, "abc");
  labels.clear();
  ASSERT_TRUE(DecodeSeriesLabels(req.series[1], &labels).ok());
  EXPECT_EQ(labels.size(), 2u);
}

TEST(WriteRequestTest, CanonicalLabelBytesAreThePackedLabels) {
  auto series = TwoSeries();
  std::string pb;
  EncodeWriteRequest(series, &pb);
  WriteRequestView req;
  ASSERT_TRUE(DecodeWriteRequest(pb, &req).ok());
  ASSERT_EQ(req.series.size(), 2u);
  EXPECT_EQ(req.series[0].packed_labels, series[0].labels.packed());
  EXPECT_EQ(req.series[1].packed_labels, series[1].labels.packed());
  // Labels interleaved with samples are not one run: no packed form is offered.
  std::string odd;
  proto::WireWriter w(&odd);
  std::string ts;
  proto::WireWriter tw(&ts);
  std::string label(Labels({{"__name__", "x"}}).packed().substr(2));  // the Label message
  tw.BytesField(1, label);
  std::string sample;
  proto::WireWriter(&sample).DoubleField(1, 1);
  tw.BytesField(2, sample);
  tw.BytesField(1, std::string(Labels({{"a", "b"}}).packed().substr(2)));
  w.BytesField(1, ts);
  ASSERT_TRUE(DecodeWriteRequest(odd, &req).ok());
  ASSERT_EQ(req.series.size(), 1u);
  EXPECT_TRUE(req.series[0].packed_labels.empty());
  std::vector<LabelView> labels;
  ASSERT_TRUE(DecodeSeriesLabels(req.series[0], &labels).ok());
  EXPECT_EQ(labels.size(), 2u);
}

TEST(WriteRequestTest, SkipsUnknownFieldsAndReadsMetadata) {
  std::string pb;
  proto::WireWriter w(&pb);
  w.VarintField(15, 7);          // unknown varint field
  w.BytesField(16, "ignored");   // unknown bytes field
  size_t md = w.BeginMessage(3);
  w.VarintField(1, 1);
  w.BytesField(2, "http_requests_total");
  w.BytesField(4, "Requests.");
  w.EndMessage(md);
  EncodeWriteRequest(TwoSeries(), &pb);
  WriteRequestView req;
  ASSERT_TRUE(DecodeWriteRequest(pb, &req).ok());
  EXPECT_EQ(req.series.size(), 2u);
  ASSERT_EQ(req.metadata.size(), 1u);
  EXPECT_EQ(MetricTypeName(req.metadata[0].type), "counter");
  EXPECT_EQ(req.metadata[0].help, "Requests.");
}

TEST(WriteRequestTest, EveryTruncationFailsCleanlyAndKeepsWholeSeries) {
  std::string pb;
  EncodeWriteRequest(TwoSeries(), &pb);
  WriteRequestView full;
  ASSERT_TRUE(DecodeWriteRequest(pb, &full).ok());
  size_t first_series_end = 0;
  {
    // The first series ends where the second one's tag starts.
    proto::WireReader r(pb);
    uint32_t f;
    proto::WireType t;
    r.NextField(&f, &t);
    std::string_view b;
    r.ReadBytes(&b);
    first_series_end = r.offset();
  }
  for (size_t n = 0; n < pb.size(); ++n) {
    WriteRequestView req;
    absl::Status st = DecodeWriteRequest(std::string_view(pb).substr(0, n), &req);
    if (n == 0 || n == first_series_end) {
      EXPECT_TRUE(st.ok()) << n;
      continue;
    }
    ASSERT_FALSE(st.ok()) << "prefix " << n;
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(req.series.size(), n > first_series_end ? 1u : 0u) << n;
    // Rolled back: no orphan samples of a half-decoded series.
    size_t samples = 0;
    for (const auto& s : req.series) samples += s.samples_end - s.samples_begin;
    EXPECT_EQ(req.samples.size(), samples);
  }
}

TEST(WriteRequestTest, WrongWireTypeIsASpecificError) {
  std::string pb;
  proto::WireWriter w(&pb);
  std::string ts;
  proto::WireWriter tw(&ts);
  std::string sample;
  proto::WireWriter sw(&sample);
  sw.VarintField(1, 5);  // value must be fixed64
  tw.BytesField(2, sample);
  w.BytesField(1, ts);
  WriteRequestView req;
  absl::Status st = DecodeWriteRequest(pb, &req);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string(st.message()).find("Sample.value must be a double"), std::string::npos)
      << st.message();
}

TEST(WriteRequestTest, HugeLengthDoesNotAllocate) {
  std::string pb = "\x0a\xff\xff\xff\xff\x0f";  // field 1, length 2^32-1, no payload
  WriteRequestView req;
  absl::Status st = DecodeWriteRequest(pb, &req);
  EXPECT_EQ(st.message(), "malformed remote_write request: length-delimited field runs past the end at byte 6");
}

TEST(WriteRequestTest, SpecialFloatsSurvive) {
  std::vector<WriteSeries> s = {{Labels({{"__name__", "x"}}),
                                 {{1, std::nan("")}, {2, INFINITY}, {3, -0.0}, {4, StaleNaN()}},
                                 {}}};
  std::string pb;
  EncodeWriteRequest(s, &pb);
  WriteRequestView req;
  ASSERT_TRUE(DecodeWriteRequest(pb, &req).ok());
  ASSERT_EQ(req.samples.size(), 4u);
  EXPECT_TRUE(std::isnan(req.samples[0].v));
  EXPECT_TRUE(std::isinf(req.samples[1].v));
  EXPECT_TRUE(std::signbit(req.samples[2].v));
  EXPECT_TRUE(IsStaleNaN(req.samples[3].v));
}

}  // namespace
}  // namespace vigil
