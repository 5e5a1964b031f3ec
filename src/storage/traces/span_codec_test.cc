#include "storage/traces/span_codec.h"

#include <numeric>

#include "gtest/gtest.h"
#include "storage/traces/span_test_util.h"

namespace vigil::traces {
namespace {

TEST(SpanCodecTest, RoundTripsEverySpanField) {
  SpanBatch in = MakeTestBatch(1, 3, 6, 1'700'000'000'000'000'000);
  in.mutable_spans()[0].trace_state = "congo=t61rcWkgMzE";
  in.mutable_spans()[0].flags = 257;
  in.mutable_spans()[0].dropped_attributes_count = 3;
  std::vector<uint32_t> all(in.size());
  std::iota(all.begin(), all.end(), 0);
  std::string record;
  EncodeSpanRecord(in, all, &record);
  SpanBatch out;
  ASSERT_TRUE(DecodeSpanRecord(record, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out.ToSpan(i), in.ToSpan(i)) << i;
}

TEST(SpanCodecTest, EncodesOnlyTheChosenSpansAndTheirResources) {
  SpanBatch in = MakeTestBatch(1, 1, 8, 1'700'000'000'000'000'000);
  std::vector<uint32_t> some = {1, 5};  // both of resource svc1
  std::string record;
  EncodeSpanRecord(in, some, &record);
  SpanBatch out;
  ASSERT_TRUE(DecodeSpanRecord(record, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.resources().size(), 1u);
  EXPECT_EQ(out.ToSpan(0), in.ToSpan(1));
  EXPECT_EQ(out.ToSpan(1), in.ToSpan(5));
}

TEST(SpanCodecTest, RefusesEveryTruncation) {
  SpanBatch in = MakeTestBatch(1, 2, 5, 1'700'000'000'000'000'000);
  std::vector<uint32_t> all(in.size());
  std::iota(all.begin(), all.end(), 0);
  std::string record;
  EncodeSpanRecord(in, all, &record);
  SpanBatch out;
  for (size_t n = 0; n < record.size(); ++n) {
    absl::Status st = DecodeSpanRecord(std::string_view(record).substr(0, n), &out);
    EXPECT_FALSE(st.ok()) << n;
    EXPECT_TRUE(out.empty());
  }
  EXPECT_FALSE(DecodeSpanRecord(record + "x", &out).ok());
  std::string bad_version = record;
  bad_version[0] = 9;
  EXPECT_EQ(DecodeSpanRecord(bad_version, &out).message(),
            "malformed span record: unknown record version 9");
}

}  // namespace
}  // namespace vigil::traces
