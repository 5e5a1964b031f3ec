#include "storage/metrics/wal/records.h"

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "common/coding.h"

namespace vigil::wal {
namespace {

bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

std::vector<RefSeries> SomeSeries() {
  return {
      {1, Labels{{"__name__", "http_requests_total"}, {"job", "api"}, {"status", "200"}}},
      {2, Labels{{"__name__", "up"}, {"instance", std::string(300, 'i')}}},
      {UINT64_MAX, Labels{}},
      {0, Labels{{"a", ""}, {"b", "\xff\x00 bytes"}}},
  };
}

std::vector<RefSample> SomeSamples() {
  return {
      {100, 1700000000000, 1.5},
      {101, 1700000000000, -0.0},
      {7, 1699999999000, std::numeric_limits<double>::infinity()},
      {UINT64_MAX, INT64_MAX, StaleNaN()},
      {0, INT64_MIN, std::numeric_limits<double>::quiet_NaN()},
      {100, 1700000015000, 2.5},
  };
}

std::vector<RefExemplar> SomeExemplars() {
  return {
      {5, 1700000000123, 0.25,
       Labels{{"span_id", "00f067aa0ba902b7"}, {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}}},
      {3, 1699999999999, 12, Labels{}},
  };
}

std::vector<RefTombstone> SomeTombstones() {
  return {{1, 0, 1000}, {UINT64_MAX, INT64_MIN, INT64_MAX}, {9, -5, -1}};
}

std::vector<RefMetadata> SomeMetadata() {
  return {
      {"http_requests_total", MetricType::kCounter, "", "Requests served."},
      {"request_duration_seconds", MetricType::kHistogram, "seconds", ""},
      {"", MetricType::kStateset, "", std::string(1000, 'h')},
  };
}

TEST(RecordsTest, SeriesRoundTrip) {
  std::string buf;
  EncodeSeries(SomeSeries(), &buf);
  EXPECT_EQ(PeekType(buf), RecordType::kSeries);
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(buf, &got).ok());
  auto want = SomeSeries();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].ref, want[i].ref);
    EXPECT_EQ(got[i].labels, want[i].labels);
  }
}

TEST(RecordsTest, SamplesRoundTripWithExtremesAndSpecialValues) {
  std::string buf;
  auto want = SomeSamples();
  EncodeSamples(want, &buf);
  EXPECT_EQ(PeekType(buf), RecordType::kSamples);
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(buf, &got).ok());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].ref, want[i].ref) << i;
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_TRUE(SameBits(got[i].v, want[i].v)) << i;
  }
  EXPECT_TRUE(IsStaleNaN(got[3].v));
}

TEST(RecordsTest, SamplesAreCompact) {
  // A scrape's worth: consecutive refs, one timestamp. Deltas keep it near 10 bytes each.
  std::vector<RefSample> s;
  for (uint64_t i = 0; i < 1000; ++i) s.push_back({50000 + i, 1700000000000, double(i)});
  std::string buf;
  EncodeSamples(s, &buf);
  EXPECT_LT(buf.size(), 1000u * 12 + 16);
  // Reusing the buffer does not grow it.
  size_t cap = buf.capacity();
  EncodeSamples(s, &buf);
  EXPECT_EQ(buf.capacity(), cap);
}

TEST(RecordsTest, ExemplarsTombstonesMetadataRoundTrip) {
  std::string buf;
  EncodeExemplars(SomeExemplars(), &buf);
  EXPECT_EQ(PeekType(buf), RecordType::kExemplars);
  std::vector<RefExemplar> ex;
  ASSERT_TRUE(DecodeExemplars(buf, &ex).ok());
  auto want_ex = SomeExemplars();
  ASSERT_EQ(ex.size(), want_ex.size());
  for (size_t i = 0; i < ex.size(); ++i) {
    EXPECT_EQ(ex[i].ref, want_ex[i].ref);
    EXPECT_EQ(ex[i].t, want_ex[i].t);
    EXPECT_EQ(ex[i].v, want_ex[i].v);
    EXPECT_EQ(ex[i].labels, want_ex[i].labels);
  }

  EncodeTombstones(SomeTombstones(), &buf);
  EXPECT_EQ(PeekType(buf), RecordType::kTombstones);
  std::vector<RefTombstone> ts;
  ASSERT_TRUE(DecodeTombstones(buf, &ts).ok());
  auto want_ts = SomeTombstones();
  ASSERT_EQ(ts.size(), want_ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    EXPECT_EQ(ts[i].ref, want_ts[i].ref);
    EXPECT_EQ(ts[i].mint, want_ts[i].mint);
    EXPECT_EQ(ts[i].maxt, want_ts[i].maxt);
  }

  EncodeMetadata(SomeMetadata(), &buf);
  EXPECT_EQ(PeekType(buf), RecordType::kMetadata);
  std::vector<RefMetadata> md;
  ASSERT_TRUE(DecodeMetadata(buf, &md).ok());
  auto want_md = SomeMetadata();
  ASSERT_EQ(md.size(), want_md.size());
  for (size_t i = 0; i < md.size(); ++i) {
    EXPECT_EQ(md[i].metric, want_md[i].metric);
    EXPECT_EQ(md[i].type, want_md[i].type);
    EXPECT_EQ(md[i].unit, want_md[i].unit);
    EXPECT_EQ(md[i].help, want_md[i].help);
  }
}

TEST(RecordsTest, EmptyRecordsRoundTrip) {
  std::string buf;
  std::vector<RefSample> s = {{1, 2, 3}};
  EncodeSamples({}, &buf);
  ASSERT_TRUE(DecodeSamples(buf, &s).ok());
  EXPECT_TRUE(s.empty());
  std::vector<RefExemplar> e;
  EncodeExemplars({}, &buf);
  EXPECT_TRUE(DecodeExemplars(buf, &e).ok());
  std::vector<RefSeries> r;
  EncodeSeries({}, &buf);
  EXPECT_TRUE(DecodeSeries(buf, &r).ok());
  EXPECT_EQ(buf.size(), 2u);
}

TEST(RecordsTest, MetricTypeNames) {
  for (int i = 0; i <= 7; ++i) {
    auto t = static_cast<MetricType>(i);
    MetricType parsed;
    ASSERT_TRUE(ParseMetricType(MetricTypeName(t), &parsed));
    EXPECT_EQ(parsed, t);
  }
  EXPECT_EQ(MetricTypeName(MetricType::kGaugeHistogram), "gaugehistogram");
  MetricType parsed;
  EXPECT_FALSE(ParseMetricType("bogus", &parsed));
  EXPECT_EQ(MetricTypeFromNumber(99), MetricType::kUnknown);
}

TEST(RecordsTest, PeekType) {
  EXPECT_EQ(PeekType(""), RecordType::kUnknown);
  EXPECT_EQ(PeekType(std::string(1, '\0')), RecordType::kUnknown);
  EXPECT_EQ(PeekType("\x06"), RecordType::kUnknown);
  EXPECT_EQ(PeekType("\x05"), RecordType::kMetadata);
}

// Every strict prefix of a valid record and every record with a byte appended must fail
// with a DataLoss error, never crash.
template <typename T>
void ExpectEveryPrefixFails(const std::string& full,
                            absl::Status (*decode)(std::string_view, std::vector<T>*)) {
  std::vector<T> out;
  ASSERT_TRUE(decode(full, &out).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    absl::Status st = decode(std::string_view(full).substr(0, n), &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << "prefix " << n << ": " << st;
  }
  absl::Status st = decode(full + "x", &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_NE(std::string(st.message()).find("trailing"), std::string::npos) << st;
}

TEST(RecordsTest, TruncatedAndTrailingBytesAreErrors) {
  std::string buf;
  EncodeSeries(SomeSeries(), &buf);
  ExpectEveryPrefixFails(buf, DecodeSeries);
  EncodeSamples(SomeSamples(), &buf);
  ExpectEveryPrefixFails(buf, DecodeSamples);
  EncodeExemplars(SomeExemplars(), &buf);
  ExpectEveryPrefixFails(buf, DecodeExemplars);
  EncodeTombstones(SomeTombstones(), &buf);
  ExpectEveryPrefixFails(buf, DecodeTombstones);
  EncodeMetadata(SomeMetadata(), &buf);
  ExpectEveryPrefixFails(buf, DecodeMetadata);
}

TEST(RecordsTest, WrongTypeByteIsAnError) {
  std::string buf;
  EncodeSamples(SomeSamples(), &buf);
  std::vector<RefSeries> series;
  absl::Status st = DecodeSeries(buf, &series);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(st.message()).find("samples"), std::string::npos) << st;
}

TEST(RecordsTest, UnsortedOrDuplicateLabelsAreErrors) {
  for (auto names : {std::pair<std::string, std::string>{"b", "a"}, {"a", "a"}}) {
    std::string buf(1, static_cast<char>(RecordType::kSeries));
    PutUvarint(&buf, 1);  // entries
    PutUvarint(&buf, 9);  // ref
    PutUvarint(&buf, 2);  // labels
    PutString(&buf, names.first);
    PutString(&buf, "v");
    PutString(&buf, names.second);
    PutString(&buf, "v");
    std::vector<RefSeries> out;
    absl::Status st = DecodeSeries(buf, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(std::string(st.message()).find("not sorted"), std::string::npos) << st;
  }
}

TEST(RecordsTest, HugeCountsAndBadEnumsAreRejectedCheaply) {
  // Claims 2^63 series and 2^62 labels: must fail on the missing bytes, not try to reserve.
  std::string buf(1, static_cast<char>(RecordType::kSeries));
  PutUvarint(&buf, 1ull << 63);
  PutUvarint(&buf, 1);
  PutUvarint(&buf, 1ull << 62);
  std::vector<RefSeries> series;
  EXPECT_EQ(DecodeSeries(buf, &series).code(), absl::StatusCode::kDataLoss);

  std::string samples(1, static_cast<char>(RecordType::kSamples));
  PutUvarint(&samples, UINT64_MAX);
  std::vector<RefSample> s;
  EXPECT_EQ(DecodeSamples(samples, &s).code(), absl::StatusCode::kDataLoss);

  std::string md(1, static_cast<char>(RecordType::kMetadata));
  PutUvarint(&md, 1);
  PutString(&md, "m");
  md.push_back(8);  // past kStateset
  PutString(&md, "");
  PutString(&md, "");
  std::vector<RefMetadata> m;
  absl::Status st = DecodeMetadata(md, &m);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(st.message()).find("unknown metric type 8"), std::string::npos) << st;
}

TEST(RecordsTest, ValidPrefixIsKeptOnError) {
  std::string buf;
  EncodeTombstones(SomeTombstones(), &buf);
  buf.pop_back();
  std::vector<RefTombstone> out;
  absl::Status st = DecodeTombstones(buf, &out);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(out.size(), 2u);
  EXPECT_NE(std::string(st.message()).find("entry 3 of 3"), std::string::npos) << st;
}

}  // namespace
}  // namespace vigil::wal
