// Hostile input over HTTP: each gets a specific 4xx, the valid part is kept, the server
// stays up.
#include <gtest/gtest.h>

#include <fstream>

#include "common/strings.h"
#include "common/time_util.h"
#include "tests/test_client.h"
#include "common/proto_wire.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string cfg = dir_.path() + "/vigil.yml";
    std::ofstream(cfg) << "http:\n  max_body_size: 1MiB\n";
    ASSERT_TRUE(vigil_.Start(dir_.path() + "/data", {"--config", cfg}).ok()) << vigil_.log();
  }
  void TearDown() override { EXPECT_EQ(vigil_.Get("/-/healthy")->status, 200) << "server died"; }

  HttpClientResponse Write(std::string_view body) {
    return *vigil_.Post("/api/v1/write", body, RemoteWriteHeaders());
  }

  TempDir dir_;
  VigilProcess vigil_;
};

TEST_F(BadInputTest, MalformedProtobuf) {
  // A time series whose label claims 5 bytes where 0 follow, then a valid series: the broken
  // series is refused, the valid one is stored.
  std::string pb;
  {
    std::string ts;
    proto::WireWriter tw(&ts);
    tw.BytesField(1, std::string("\x0a\x05", 2));
    std::string sample;
    proto::WireWriter(&sample).DoubleField(1, 1);
    proto::WireWriter(&sample).VarintField(2, NowMs());
    tw.BytesField(2, sample);
    proto::WireWriter(&pb).BytesField(1, ts);
  }
  EncodeWriteRequest({{Labels({{"__name__", "after_broken"}}), {{NowMs(), 1}}, {}}}, &pb);
  auto r = Write(SnappyCompress(pb));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "\"errorType\":\"bad_data\"")) << r.body;
  EXPECT_TRUE(Contains(r.body, "1 samples rejected (invalid_labels: 1): malformed remote_write labels: Label:"))
      << r.body;
  EXPECT_EQ(ExportAll(vigil_, "after_broken").size(), 1u);
  // The request's own framing cut short.
  r = Write(SnappyCompress(std::string("\x0a\x05\x0a\x03", 4)));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "length-delimited field runs past the end")) << r.body;
}

TEST_F(BadInputTest, TruncatedSnappy) {
  std::string body = RemoteWriteBody({{Labels({{"__name__", "x"}}), {{NowMs(), 1}}, {}}});
  auto r = Write(body.substr(0, body.size() / 2));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "snappy: corrupt or truncated input")) << r.body;
}

TEST_F(BadInputTest, InvalidLabelsRefusedValidPartKept) {
  int64_t now = NowMs();
  std::vector<WriteSeries> series = {
      {Labels({{"__name__", "valid_one"}}), {{now, 1}}, {}},
      {Labels({{"__name__", "x"}, {"bad-label", "v"}}), {{now, 1}}, {}},
      {Labels({{"__name__", "x"}, {"a", "\xff\xfe"}}), {{now, 1}}, {}},
      {Labels({{"job", "no_name"}}), {{now, 1}}, {}},
  };
  // Duplicate label names can only be expressed on the wire.
  std::string pb;
  EncodeWriteRequest(series, &pb);
  std::vector<WriteSeries> dup = {{Labels({{"__name__", "d"}, {"a", "1"}}), {{now, 1}}, {}}};
  std::string pb2;
  EncodeWriteRequest(dup, &pb2);
  // Append a second "a" label into the series by re-encoding by hand.
  pb2.clear();
  {
    proto::WireWriter w(&pb2);
    size_t ts = w.BeginMessage(1);
    for (auto [n, v] : {std::pair{"__name__", "d"}, {"a", "1"}, {"a", "2"}}) {
      size_t l = w.BeginMessage(1);
      w.BytesField(1, n);
      w.BytesField(2, v);
      w.EndMessage(l);
    }
    size_t s = w.BeginMessage(2);
    w.DoubleField(1, 1);
    w.VarintField(2, now);
    w.EndMessage(s);
    w.EndMessage(ts);
  }
  auto r = Write(SnappyCompress(pb + pb2));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "4 samples rejected (invalid_labels: 4)")) << r.body;
  EXPECT_TRUE(Contains(r.body, "invalid label name \\\"bad-label\\\"")) << r.body;
  EXPECT_EQ(ExportAll(vigil_, "valid_one").size(), 1u);
  auto m = vigil_.Get("/metrics");
  EXPECT_TRUE(Contains(m->body, "vigil_samples_rejected_total{reason=\"invalid_labels\"} 4")) << m->body;
}

TEST_F(BadInputTest, FarFutureAndOutOfOrder) {
  int64_t now = NowMs();
  auto r = Write(RemoteWriteBody({{Labels({{"__name__", "t"}}), {{now, 1}, {now + 86400000, 2}}, {}}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "too_far_in_future: 1")) << r.body;
  r = Write(RemoteWriteBody({{Labels({{"__name__", "t"}}), {{now - 1000, 1}}, {}}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "out of order sample for series t")) << r.body;
  EXPECT_EQ(ExportAll(vigil_, "t")["t"].size(), 1u);
}

TEST_F(BadInputTest, OversizedBody) {
  std::string big(2 << 20, 'x');
  auto r = Write(big);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(Contains(r.body, "request body too large")) << r.body;
}

TEST_F(BadInputTest, WrongContentEncoding) {
  auto r = *vigil_.Post("/api/v1/write", "abc", {{"Content-Encoding", "br"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "unsupported Content-Encoding")) << r.body;
}

TEST_F(BadInputTest, GarbageTextImportKeepsGoodLines) {
  int64_t now = NowMs();
  std::string body = StrCat("good_metric 1 ", now, "\n{{{ garbage\nbad_value NaNx\ngood_metric2 2 ", now, "\n");
  auto r = *vigil_.Post("/api/v1/import/prometheus", body, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "2 lines could not be parsed: line 2:")) << r.body;
  EXPECT_TRUE(Contains(r.body, "2 samples were stored")) << r.body;
  EXPECT_EQ(ExportAll(vigil_, "good_metric2").size(), 1u);
}

}  // namespace
}  // namespace vigil::testing
