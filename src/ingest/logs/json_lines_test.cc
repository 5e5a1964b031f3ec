#include "ingest/logs/json_lines.h"

#include <string>

#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/logs/log_test_util.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using testing_logs::Field;
using testing_logs::Label;
using testing_logs::StreamOf;

constexpr int64_t kNow = 1714564800000000000;  // 2024-05-01T12:00:00Z

// Every spelling of every role, each against its near misses (other case, other length),
// which stay ordinary fields.
TEST(JsonLinesTest, EverySpellingOfARoleAndItsNearMissesStayApart) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736", span = "00f067aa0ba902b7";
  std::string body;
  for (std::string_view key : {"trace_id", "traceId", "traceID"}) {
    body += StrCat(R"({"msg":"t","Trace_id":"x","traceid":"y","trace_i":"z",")", key, R"(":")",
                   trace, "\"}\n");
  }
  for (std::string_view key : {"span_id", "spanId"}) {
    body += StrCat(R"({"msg":"s","spanID":"x","span_d":"y",")", key, R"(":")", span, "\"}\n");
  }
  for (std::string_view key : {"level", "severity"}) {
    body += StrCat(R"({"msg":"l","Level":"x","severit":"y",")", key, R"(":"error"})", "\n");
  }
  // Each timestamp spelling against those it outranks, and near misses.
  body += R"({"msg":"a","ts":"1","time":"2","timestamp":"3","@timestamp":"2024-05-01T12:00:04Z","Time":"x","@time":"y"})"
          "\n";
  body += R"({"msg":"b","ts":"1","time":"2","timestamp":"2024-05-01T12:00:03Z","timestamps":"x"})"
          "\n";
  body += R"({"msg":"c","ts":"1","time":"2024-05-01T12:00:02Z","tim":"x"})"
          "\n";
  body += R"({"msg":"d","ts":"2024-05-01T12:00:01Z","t":"x","tss":"y"})"
          "\n";
  body += R"({"msg":"short","message":"long","Message":"x","mesage":"y"})"
          "\n";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 12u);
  const auto& es = batch.entries();
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(es[i].trace_id, trace);
    EXPECT_EQ(Field(batch, es[i], "Trace_id"), "x");
    EXPECT_EQ(Field(batch, es[i], "traceid"), "y");
    EXPECT_EQ(Field(batch, es[i], "trace_i"), "z");
  }
  for (int i = 3; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(es[i].span_id, span);
    EXPECT_EQ(Field(batch, es[i], "spanID"), "x");
    EXPECT_EQ(Field(batch, es[i], "span_d"), "y");
  }
  for (int i = 5; i < 7; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(es[i].severity, kSeverityError);
    EXPECT_EQ(Label(batch, es[i], "level"), "error");  // `level` is a label field
    EXPECT_EQ(Field(batch, es[i], "Level"), "x");
    EXPECT_EQ(Field(batch, es[i], "severit"), "y");
  }
  EXPECT_EQ(es[7].timestamp_ns, kNow + 4'000'000'000);
  EXPECT_EQ(Field(batch, es[7], "timestamp"), "3");
  EXPECT_EQ(Field(batch, es[7], "time"), "2");
  EXPECT_EQ(Field(batch, es[7], "ts"), "1");
  EXPECT_EQ(Field(batch, es[7], "Time"), "x");
  EXPECT_EQ(Field(batch, es[7], "_time"), "y");  // '@' sanitized
  EXPECT_EQ(es[8].timestamp_ns, kNow + 3'000'000'000);
  EXPECT_EQ(Field(batch, es[8], "timestamps"), "x");
  EXPECT_EQ(es[9].timestamp_ns, kNow + 2'000'000'000);
  EXPECT_EQ(Field(batch, es[9], "tim"), "x");
  EXPECT_EQ(es[10].timestamp_ns, kNow + 1'000'000'000);
  EXPECT_EQ(Field(batch, es[10], "tss"), "y");
  EXPECT_EQ(es[11].body, "long");
  EXPECT_EQ(Field(batch, es[11], "msg"), "short");
  EXPECT_EQ(Field(batch, es[11], "Message"), "x");
  EXPECT_EQ(Field(batch, es[11], "mesage"), "y");
}

TEST(JsonLinesTest, WinstonPinoAndLogrusLines) {
  // What winston's JSON format, pino and logrus write, one per line.
  std::string body =
      R"({"level":"info","message":"Server started","service":"api","timestamp":"2024-05-01T12:00:00.123Z","port":8080})"
      "\n"
      R"({"level":30,"time":1714564800123,"pid":1234,"hostname":"web-1","msg":"request completed","req":{"method":"GET","url":"/health","headers":{"host":"x"}},"responseTime":12.5,"tags":["a","b"],"ok":true,"gone":null})"
      "\r\n"
      "\n"
      R"({"level":"warning","msg":"disk almost full","time":"2024-05-01T14:00:00+02:00","env":"prod","traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00f067aa0ba902b7"})"
      "\n";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.total, 3u);
  ASSERT_EQ(batch.size(), 3u);

  const auto& e0 = batch.entries()[0];
  EXPECT_EQ(e0.timestamp_ns, kNow + 123000000);
  EXPECT_EQ(e0.body, "Server started");
  EXPECT_EQ(e0.severity, kSeverityInfo);
  EXPECT_EQ(e0.severity_text, "info");
  EXPECT_EQ(StreamOf(batch, e0), R"({level="info", service="api", service_name="api"})");
  EXPECT_EQ(Field(batch, e0, "port"), "8080");
  EXPECT_FALSE(Field(batch, e0, "level"));
  EXPECT_FALSE(Field(batch, e0, "timestamp"));
  EXPECT_FALSE(Field(batch, e0, "message"));

  const auto& e1 = batch.entries()[1];
  EXPECT_EQ(e1.timestamp_ns, kNow + 123000000);  // milliseconds, by magnitude
  EXPECT_EQ(e1.severity, kSeverityInfo);         // pino's 30
  EXPECT_EQ(e1.severity_text, "30");
  EXPECT_EQ(e1.body, "request completed");
  EXPECT_EQ(StreamOf(batch, e1), R"({level="30", service_name="unknown_service"})");
  EXPECT_EQ(Field(batch, e1, "req_method"), "GET");
  EXPECT_EQ(Field(batch, e1, "req_headers_host"), "x");
  EXPECT_EQ(Field(batch, e1, "responseTime"), "12.5");
  EXPECT_EQ(Field(batch, e1, "tags"), R"(["a","b"])");
  EXPECT_EQ(Field(batch, e1, "ok"), "true");
  EXPECT_FALSE(Field(batch, e1, "gone"));
  EXPECT_EQ(Field(batch, e1, "hostname"), "web-1");

  const auto& e2 = batch.entries()[2];
  EXPECT_EQ(e2.timestamp_ns, kNow);
  EXPECT_EQ(e2.severity, kSeverityWarn);
  EXPECT_EQ(e2.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(e2.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(Label(batch, e2, "env"), "prod");
  EXPECT_FALSE(Field(batch, e2, "traceId"));
  EXPECT_FALSE(Field(batch, e2, "span_id"));
}

TEST(JsonLinesTest, MissingTimestampAndMessage) {
  std::string body = R"({"app":"billing","event":"charged","amount":12})";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 1u);
  const auto& e = batch.entries()[0];
  EXPECT_EQ(e.timestamp_ns, kNow);
  EXPECT_EQ(e.body, body);  // no message: the whole line
  EXPECT_EQ(Label(batch, e, "service_name"), "billing");
  EXPECT_EQ(Field(batch, e, "app"), "billing");
}

TEST(JsonLinesTest, UnixTimestampUnitsByMagnitude) {
  std::string body = R"({"ts":1714564800})"
                     "\n"
                     R"({"ts":"1714564800.5"})"
                     "\n"
                     R"({"ts":1714564800123456})"
                     "\n"
                     R"({"ts":"1714564800123456789"})"
                     "\n"
                     R"({"@timestamp":"2024-05-01T12:00:00Z","time":"ignored as timestamp"})"
                     "\n";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, 0, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 5u);
  EXPECT_EQ(batch.entries()[0].timestamp_ns, kNow);
  EXPECT_EQ(batch.entries()[1].timestamp_ns, kNow + 500000000);
  EXPECT_EQ(batch.entries()[2].timestamp_ns, kNow + 123456000);
  EXPECT_EQ(batch.entries()[3].timestamp_ns, kNow + 123456789);
  EXPECT_EQ(batch.entries()[4].timestamp_ns, kNow);
  EXPECT_EQ(Field(batch, batch.entries()[4], "time"), "ignored as timestamp");
}

TEST(JsonLinesTest, BadLinesAreRefusedAloneWithLineNumbers) {
  std::string body = R"({"msg":"ok 1"})"
                     "\n"  // 1
                     R"({"msg":"broken")"
                     "\n"  // 2
                     R"(["not","an","object"])"
                     "\n"  // 3
                     R"({"msg":"bad time","time":"yesterday"})"
                     "\n"                                  // 4
                     "{\"msg\":\"bad utf8 \xff here\"}\n"  // 5
                     R"({"msg":"bad trace","trace_id":"xyz"})"
                     "\n"  // 6
                     R"({"msg":"short trace","trace_id":"abcd"})"
                     "\n"  // 7
                     R"({"msg":"wrong type","time":{"a":1}})"
                     "\n"  // 8
                     R"({"msg":"level object","level":{"a":1}})"
                     "\n"  // 9
                     R"({"msg":"bad escape \ud800"})"
                     "\n"  // 10
                     R"({"msg":"trailing"} {"msg":"x"})"
                     "\n"                  // 11
                     R"({"msg":"ok 2"})";  // 12
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.total, 12u);
  EXPECT_EQ(r.rejected, 10u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.entries()[0].body, "ok 1");
  EXPECT_EQ(batch.entries()[1].body, "ok 2");
  ASSERT_EQ(r.errors.size(), 10u);
  EXPECT_EQ(r.errors[0].message, "line 2: malformed JSON: expected ',' or '}' at byte 15");
  EXPECT_EQ(r.errors[1].message, "line 3: expected a JSON object, got array");
  EXPECT_THAT(r.errors[2].message, HasSubstr("line 4: invalid timestamp \"yesterday\""));
  EXPECT_EQ(r.errors[3].message, "line 5: invalid UTF-8 in field \"msg\"");
  EXPECT_THAT(r.errors[4].message, HasSubstr("line 6: invalid trace_id \"xyz\": not a hex"));
  EXPECT_THAT(r.errors[5].message, HasSubstr("line 7: invalid trace_id \"abcd\": 4 hex digits"));
  EXPECT_EQ(r.errors[6].message,
            "line 8: timestamp field \"time\" must be a string or number, got object");
  EXPECT_EQ(r.errors[7].message, "line 9: field \"level\" must be a string or number, got object");
  EXPECT_EQ(r.errors[8].message, "line 10: invalid escape sequence in field \"msg\"");
  EXPECT_EQ(r.errors[9].message,
            "line 11: malformed JSON: unexpected content after the JSON value at byte 19");
  EXPECT_EQ(r.errors[9].ordinal, 10u);
}

TEST(JsonLinesTest, EscapesAndNamesAreHandled) {
  std::string body =
      R"({"msg":"tab\there \u00e9","http.status code":404,"2xx":1,"a":{"b":{"c":"deep"}},"level":"ERROR"})";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  const auto& e = batch.entries()[0];
  EXPECT_EQ(e.body, "tab\there \xc3\xa9");
  EXPECT_EQ(Field(batch, e, "http_status_code"), "404");
  EXPECT_EQ(Field(batch, e, "_2xx"), "1");
  EXPECT_EQ(Field(batch, e, "a_b_c"), "deep");
  EXPECT_EQ(e.severity, kSeverityError);
}

TEST(JsonLinesTest, LimitsRefuseTheEntry) {
  StreamLabelConfig config;
  config.max_line_bytes = 10;
  config.max_fields = 2;
  config.max_label_value_bytes = 16;
  JsonLinesDecoder decoder(config);
  std::string body = R"({"msg":"this line is too long"})"
                     "\n"
                     R"({"msg":"short","a":1,"b":2,"c":3})"
                     "\n"
                     R"({"msg":"short","service":"a-very-long-service-name"})"
                     "\n"
                     R"({"msg":"fine","a":1})";
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  EXPECT_EQ(r.rejected, 3u);
  ASSERT_EQ(batch.size(), 1u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message, "line 1: line is 21 bytes, limit 10");
  EXPECT_EQ(r.errors[1].message, "line 2: too many fields: 3, limit 2");
  EXPECT_EQ(r.errors[2].message, "line 3: value of label \"service\" is 24 bytes, limit 16");
}

TEST(JsonLinesTest, DuplicateKeysKeepLastValue) {
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r =
      decoder.Decode(R"({"a":"1","b":"x","a":"2","c_d":"3","c":{"d":"4"}})", kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  auto fields = batch.FieldsOf(batch.entries()[0]);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].name, "a");
  EXPECT_EQ(fields[0].value, "2");
  EXPECT_EQ(fields[2].name, "c_d");
  EXPECT_EQ(fields[2].value, "4");
}

TEST(JsonLinesTest, LineAsBodyMustBeUtf8Everywhere) {
  JsonLinesDecoder decoder;
  LogBatch batch;
  // The value under the empty key is never read, but the line becomes the body.
  LogDecodeResult r = decoder.Decode("{\"\":\"bad \xff\",\"a\":1}\n{\"a\":2}", kNow, &batch);
  EXPECT_EQ(batch.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "line 1: invalid UTF-8 in the line");
}

// Keys are read without simdjson now: a bad key is refused with its own message, a key under
// a nested object names its parent, and the other lines are kept.
TEST(JsonLinesTest, BadKeysAreRefusedAlone) {
  std::string body = "{\"msg\":\"ok\"}\n"
                     "{\"bad \xff key\":1,\"msg\":\"x\"}\n"
                     "{\"msg\":\"x\",\"k\\ud800\":1}\n"
                     "{\"msg\":\"x\",\"http\":{\"st\\udc00\":1}}\n"
                     "{\"msg\":\"x\",\"http\":{\"a\xc3\":1}}\n"
                     "{\"msg\":\"x\",\"http\":{\"st\\u00e9\":1}}";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(Field(batch, batch.entries()[1], "http_st_"), "1");  // é sanitized to '_'
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].message, "line 2: invalid UTF-8 in a field name");
  EXPECT_EQ(r.errors[1].message, "line 3: invalid escape sequence in a field name");
  EXPECT_EQ(r.errors[2].message, "line 4: invalid escape sequence in a key under field \"http\"");
  EXPECT_EQ(r.errors[3].message, "line 5: invalid UTF-8 in a key under field \"http\"");
}

TEST(JsonLinesTest, EmptyAndBlankBodies) {
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode("\n \n\r\n", kNow, &batch);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.total, 0u);
  EXPECT_TRUE(batch.empty());
}

TEST(JsonLinesTest, ErrorMessagesAreCapped) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "nope\n";
  JsonLinesDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  EXPECT_EQ(r.rejected, 1000u);
  EXPECT_EQ(r.errors.size(), LogDecodeResult::kMaxErrorMessages);
  EXPECT_EQ(r.unlisted_errors, 900u);
  EXPECT_THAT(r.Summary(2), HasSubstr("1000 of 1000 log entries refused: line 1: "));
  EXPECT_THAT(r.Summary(2), HasSubstr("(and 998 more errors)"));
}

}  // namespace
}  // namespace vigil
