// Tests of the rules the log decoders share: timestamps, JSON syntax, names, ids, streams.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/log_time.h"
#include "ingest/logs/pending_entry.h"
#include "ingest/logs/stream_labels.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT = 1714564800000000000;  // 2024-05-01T12:00:00Z

int64_t Rfc(std::string_view s) {
  int64_t ns = -1;
  EXPECT_TRUE(ParseRfc3339Nanos(s, &ns)) << s;
  return ns;
}

TEST(LogTimeTest, Rfc3339) {
  EXPECT_EQ(Rfc("2024-05-01T12:00:00Z"), kT);
  EXPECT_EQ(Rfc("2024-05-01t12:00:00.5z"), kT + 500000000);
  EXPECT_EQ(Rfc("2024-05-01 12:00:00,123456789"), kT + 123456789);  // Python, no zone: UTC
  EXPECT_EQ(Rfc("2024-05-01T12:00:00.1234567891234Z"), kT + 123456789);
  EXPECT_EQ(Rfc("2024-05-01T14:30:00+02:30"), kT);
  EXPECT_EQ(Rfc("2024-05-01T09:00:00-0300"), kT);
  EXPECT_EQ(Rfc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Rfc("1969-12-31T23:59:59Z"), -1000000000);
  EXPECT_EQ(Rfc("2024-02-29T00:00:00Z"), 1709164800000000000);
  int64_t ns;
  for (std::string_view bad :
       {"2024-05-01", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+2", "2024-05-01T12:00:00Zjunk",
        "2262-04-12T00:00:00Z", "1677-09-21T00:00:00Z", "yesterday", ""}) {
    EXPECT_FALSE(ParseRfc3339Nanos(bad, &ns)) << bad;
  }
}

TEST(LogTimeTest, UnixByMagnitude) {
  int64_t ns;
  auto parse = [&](std::string_view s) {
    EXPECT_TRUE(ParseUnixTimeAutoUnit(s, &ns)) << s;
    return ns;
  };
  EXPECT_EQ(parse("1714564800"), kT);
  EXPECT_EQ(parse("1714564800.123456789"), kT + 123456789);
  EXPECT_EQ(parse("1714564800123"), kT + 123000000);
  EXPECT_EQ(parse("1714564800123.5"), kT + 123500000);
  EXPECT_EQ(parse("1714564800123456"), kT + 123456000);
  EXPECT_EQ(parse("1714564800123456789"), kT + 123456789);
  EXPECT_EQ(parse("1.7145648e9"), kT);
  EXPECT_EQ(parse("0"), 0);
  EXPECT_EQ(parse("-1"), -1000000000);
  EXPECT_FALSE(ParseUnixTimeAutoUnit("99999999999", &ns));  // seconds, but past 2262
  EXPECT_FALSE(ParseUnixTimeAutoUnit("99999999999999999999", &ns));
  EXPECT_FALSE(ParseUnixTimeAutoUnit("12abc", &ns));
  EXPECT_FALSE(ParseUnixTimeAutoUnit("1e400", &ns));
  std::string error;
  EXPECT_FALSE(ParseLogTimestamp("soon", false, &ns, &error));
  EXPECT_EQ(error, "invalid timestamp \"soon\": expected RFC 3339 or Unix time");
  EXPECT_TRUE(ParseLogTimestamp("1714564800", false, &ns, &error));
  EXPECT_EQ(ns, kT);
}

TEST(StreamLabelsTest, Sanitizing) {
  auto s = [](std::string_view in) {
    std::string out;
    AppendSanitizedName(in, &out);
    return out;
  };
  EXPECT_EQ(s("http.method"), "http_method");
  EXPECT_EQ(s("k8s.pod.name"), "k8s_pod_name");
  EXPECT_EQ(s("2xx"), "_2xx");
  EXPECT_EQ(s("@timestamp"), "_timestamp");
  EXPECT_EQ(s("caf\xc3\xa9-x"), "caf__x");  // one '_' per character
  EXPECT_EQ(s(""), "_");
  LogBatch batch;
  NameTable names;
  names.Reset(&batch);
  std::string_view a = names.Sanitized("a.b");
  EXPECT_EQ(a, "a_b");
  EXPECT_EQ(names.Sanitized("a.b").data(), a.data());  // one copy per distinct name
  std::string_view valid = "already_valid";
  EXPECT_EQ(names.Sanitized(valid).data(), valid.data());  // no copy at all
}

TEST(StreamLabelsTest, ServiceNameSources) {
  StreamLabelConfig config;
  int from;
  std::vector<LabelView> labels = {{"job", "j"}, {"app", "a"}};
  std::vector<LogFieldView> fields = {{"service", "s"}};
  EXPECT_EQ(FindServiceName(config, labels, fields, &from), "s");  // service before app, job
  EXPECT_EQ(from, 0);
  EXPECT_EQ(FindServiceName(config, labels, {}, &from), "a");
  EXPECT_EQ(from, -1);
  EXPECT_EQ(FindServiceName(config, {}, {}, &from), "");
}

TEST(StreamLabelsTest, StreamTableTellsSetsApartWhicheverComesFirst) {
  // Sets that differ only in how the bytes split between name and value, or by a label
  // more or less, are different streams; each keeps its id when it comes back.
  StreamLabelConfig config;
  StreamTable table(&config);
  LogBatch batch;
  table.Reset(&batch);
  std::vector<std::vector<LabelView>> sets = {
      {{"service_name", "ab"}},
      {{"service_name", "a"}, {"b", "x"}},
      {{"service_name", "ab"}, {"env", "prod"}},
      {{"service_name", "abx"}},
      {{"env", "prod"}, {"service_name", "ab"}},  // the third set, unsorted
  };
  const uint32_t want[] = {0, 1, 2, 3, 2};
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < sets.size(); ++i) {
      std::vector<LabelView> copy = sets[i];
      absl::StatusOr<uint32_t> id = table.Intern(&copy);
      ASSERT_TRUE(id.ok()) << id.status();
      EXPECT_EQ(*id, want[i]) << "set " << i << " round " << round;
    }
  }
  ASSERT_EQ(batch.streams().size(), 4u);
  EXPECT_EQ(batch.streams()[2], (Labels{{"env", "prod"}, {"service_name", "ab"}}));
}

TEST(StreamLabelsTest, StreamTableValidatesOncePerSet) {
  StreamLabelConfig config;
  config.max_labels = 3;
  StreamTable table(&config);
  LogBatch batch;
  table.Reset(&batch);
  std::vector<LabelView> a = {{"service_name", "x"}, {"app", "x"}};
  std::vector<LabelView> b = {{"app", "x"}, {"service_name", "x"}};
  EXPECT_EQ(*table.Intern(&a), 0u);
  EXPECT_EQ(*table.Intern(&b), 0u);
  EXPECT_EQ(batch.streams().size(), 1u);
  std::vector<LabelView> bad = {{"a-b", "x"}};
  EXPECT_THAT(std::string(table.Intern(&bad).status().message()), HasSubstr("invalid label name"));
  std::vector<LabelView> dup = {{"a", "x"}, {"a", "y"}};
  EXPECT_EQ(table.Intern(&dup).status().message(), "duplicate label name \"a\"");
  std::vector<LabelView> many = {{"a", "1"}, {"b", "1"}, {"c", "1"}, {"d", "1"}};
  EXPECT_EQ(table.Intern(&many).status().message(), "too many stream labels: 4, limit 3");
  std::vector<LabelView> utf8 = {{"a", "\xff"}};
  EXPECT_EQ(table.Intern(&utf8).status().message(), "invalid UTF-8 in value of label \"a\"");
  EXPECT_TRUE(config.Validate().ok());
  config.label_fields.push_back("bad name");
  EXPECT_FALSE(config.Validate().ok());
}

TEST(PendingEntryTest, IdsAndLevels) {
  LogBatch batch;
  std::string_view out;
  std::string error;
  EXPECT_TRUE(NormalizeHexId(IdKind::kTrace, "4bf92f3577b34da6a3ce929d0e0e4736", batch.arena(),
                             &out, &error));
  EXPECT_EQ(out, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(NormalizeHexId(IdKind::kSpan, "00F067AA0BA902B7", batch.arena(), &out, &error));
  EXPECT_EQ(out, "00f067aa0ba902b7");
  EXPECT_TRUE(NormalizeHexId(IdKind::kSpan, "0000000000000000", batch.arena(), &out, &error));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(NormalizeHexId(IdKind::kSpan, "00f067aa0ba902b7ff", batch.arena(), &out, &error));
  EXPECT_EQ(error, "invalid span_id \"00f067aa0ba902b7ff\": 18 hex digits, expected 16");
  EXPECT_TRUE(EncodeRawId(IdKind::kSpan, std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8),
                          batch.arena(), &out, &error));
  EXPECT_EQ(out, "00f067aa0ba902b7");
  EXPECT_FALSE(EncodeRawId(IdKind::kTrace, "short", batch.arena(), &out, &error));
  EXPECT_EQ(error, "invalid trace_id: 5 bytes, expected 16");
  EXPECT_EQ(SeverityFromLevel("50", true), kSeverityError);
  EXPECT_EQ(SeverityFromLevel("50", false), kSeverityUnspecified);
  EXPECT_EQ(SeverityFromLevel("WARNING", false), kSeverityWarn);
}

TEST(PendingEntryTest, CommitDedupesFieldsKeepingLastValue) {
  StreamLabelConfig config;
  LogBatch batch;
  uint32_t stream = batch.AddStream(Labels{{"service_name", "x"}});
  PendingEntry e;
  for (int i = 0; i < 40; ++i) e.fields.push_back({i % 2 ? "odd" : "even", i % 2 ? "1" : "2"});
  e.fields.push_back({"odd", "last"});
  std::string error;
  ASSERT_TRUE(CommitEntry(config, stream, &e, &batch, &error));
  auto fields = batch.FieldsOf(batch.entries()[0]);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "even");
  EXPECT_EQ(fields[1].name, "odd");
  EXPECT_EQ(fields[1].value, "last");
}

TEST(LogDecodeResultTest, Summary) {
  LogDecodeResult r;
  r.total = 10;
  EXPECT_EQ(r.Summary(), "10 log entries accepted");
  r.Refuse(2, 1, "line ", 3, ": bad");
  r.Refuse(5, 4, "stream {a=\"b\"}: worse");
  EXPECT_EQ(r.rejected, 5u);
  EXPECT_EQ(r.accepted(), 5u);
  EXPECT_EQ(r.Summary(1), "5 of 10 log entries refused: line 3: bad (and 1 more errors)");
  r.status = absl::InvalidArgumentError("not JSON");
  EXPECT_EQ(r.Summary(), "not JSON");
}

}  // namespace
}  // namespace vigil
