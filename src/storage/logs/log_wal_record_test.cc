#include "storage/logs/log_wal_record.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace vigil::logs {
namespace {

TEST(LogWalRecordTest, RoundTripsTheListedEntries) {
  LogBatch batch;
  uint32_t a = batch.AddStream(Labels{{"service_name", "checkout"}});
  uint32_t b = batch.AddStream(Labels{{"env", "prod"}, {"service_name", "auth"}});
  for (int i = 0; i < 3; ++i) {
    LogBatch::Entry& e = batch.AddEntry(i == 1 ? b : a);
    e.timestamp_ns = 1'700'000'000'000'000'000 + i * 1000 - (i == 2 ? 5000 : 0);
    e.severity = kSeverityError;
    e.severity_text = "ERROR";
    e.body = batch.Copy("payment declined " + std::to_string(i));
    e.trace_id = "0123456789abcdef0123456789abcdef";
    batch.AddField("error_code", "PAYMENT_DECLINED");
    batch.AddField("duration_ms", "250");
  }
  std::string rec;
  std::vector<uint32_t> pick = {0, 2};  // stream b is not used by these
  EncodeWalRecord(batch, pick, &rec);
  LogBatch out;
  ASSERT_TRUE(DecodeWalRecord(rec, &out).ok());
  ASSERT_EQ(out.streams().size(), 1u);
  EXPECT_EQ(out.streams()[0], batch.streams()[a]);
  ASSERT_EQ(out.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    LogRecordView want = batch.View(batch.entries()[pick[k]]);
    LogRecordView got = out.View(out.entries()[k]);
    EXPECT_EQ(got.timestamp_ns, want.timestamp_ns);
    EXPECT_EQ(got.body, want.body);
    EXPECT_EQ(got.severity, want.severity);
    EXPECT_EQ(got.severity_text, want.severity_text);
    EXPECT_EQ(got.trace_id, want.trace_id);
    ASSERT_EQ(got.fields.size(), 2u);
    EXPECT_EQ(got.fields[1], (LogFieldView{"duration_ms", "250"}));
  }
}

TEST(LogWalRecordTest, RoundTripsLongStringsAndLargeTimeJumps) {
  // Lengths and deltas that need two-, three- and ten-byte varints; the encoder sizes its
  // output before writing and checks (in debug builds) that it wrote exactly that much.
  LogBatch batch;
  uint32_t s = batch.AddStream(Labels{{"service_name", std::string(200, 's')}});
  const int64_t times[] = {0, 4'000'000'000'000'000'000, -4'000'000'000'000'000'000,
                           1'700'000'000'000'000'000};
  for (size_t i = 0; i < 4; ++i) {
    LogBatch::Entry& e = batch.AddEntry(s);
    e.timestamp_ns = times[i];
    e.body = batch.Copy(std::string(i == 0 ? 127 : i * 20000, 'b'));
    batch.AddField(std::string(128, 'n'), std::string(16384, 'v'));
  }
  std::string rec = "prefix";
  std::vector<uint32_t> all = {0, 1, 2, 3};
  std::vector<uint32_t> offsets;
  EncodeWalRecord(batch, all, &rec, &offsets);
  ASSERT_EQ(offsets.size(), 4u);
  LogBatch out;
  ASSERT_TRUE(DecodeWalRecord(std::string_view(rec).substr(6), &out).ok());
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    LogRecordView got = out.View(out.entries()[i]);
    EXPECT_EQ(got.timestamp_ns, times[i]);
    EXPECT_EQ(got.body, batch.View(batch.entries()[i]).body);
    ASSERT_EQ(got.fields.size(), 1u);
    EXPECT_EQ(got.fields[0].value.size(), 16384u);
  }
}

TEST(LogWalRecordTest, TimestampsAtTheEndsOfTheRangeRoundTrip) {
  // Deltas between these overflow int64: they are coded with wrap-around, not undefined.
  LogBatch batch;
  uint32_t s = batch.AddStream(Labels{{"a", "b"}});
  const int64_t times[] = {INT64_MAX, INT64_MIN, 0, INT64_MIN, INT64_MAX};
  for (int64_t t : times) batch.AddEntry(s).timestamp_ns = t;
  std::string rec;
  std::vector<uint32_t> all = {0, 1, 2, 3, 4};
  EncodeWalRecord(batch, all, &rec);
  LogBatch out;
  ASSERT_TRUE(DecodeWalRecord(rec, &out).ok());
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(out.entries()[i].timestamp_ns, times[i]) << i;
}

TEST(LogWalRecordTest, RefusesDamage) {
  LogBatch batch;
  uint32_t s = batch.AddStream(Labels{{"a", "b"}});
  batch.AddEntry(s).body = "x";
  std::string rec;
  std::vector<uint32_t> all = {0};
  EncodeWalRecord(batch, all, &rec);
  for (size_t cut = 0; cut < rec.size(); ++cut) {
    LogBatch out;
    EXPECT_FALSE(DecodeWalRecord(rec.substr(0, cut), &out).ok()) << cut;
  }
  LogBatch out;
  EXPECT_FALSE(DecodeWalRecord(rec + "x", &out).ok());
  std::string bad_type = rec;
  bad_type[0] = 9;
  LogBatch out2;
  EXPECT_FALSE(DecodeWalRecord(bad_type, &out2).ok());
}

}  // namespace
}  // namespace vigil::logs
