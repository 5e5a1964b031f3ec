#include <string>
#include <vector>

#include "common/proto_wire.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/logs/log_test_util.h"
#include "ingest/logs/loki_labels.h"
#include "ingest/logs/loki_push_json.h"
#include "ingest/logs/loki_push_proto.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_logs::Field;
using testing_logs::StreamOf;

constexpr int64_t kT = 1714564800000000000;  // 2024-05-01T12:00:00Z

// ---- Label selector text ----

std::vector<Label> MustParse(std::string_view text) {
  std::vector<Label> out;
  absl::Status s = ParseLokiLabels(text, &out);
  EXPECT_TRUE(s.ok()) << text << ": " << s;
  return out;
}

std::string ParseError(std::string_view text) {
  std::vector<Label> out;
  absl::Status s = ParseLokiLabels(text, &out);
  EXPECT_FALSE(s.ok()) << text;
  return std::string(s.message());
}

TEST(LokiLabelsTest, Accepted) {
  EXPECT_THAT(MustParse(R"({filename="/var/log/app.log", job="varlogs"})"),
              ElementsAre(Label{"filename", "/var/log/app.log"}, Label{"job", "varlogs"}));
  EXPECT_THAT(MustParse(" { a = \"1\" ,b=`raw\\n`, } "),
              ElementsAre(Label{"a", "1"}, Label{"b", "raw\\n"}));
  EXPECT_THAT(MustParse("{}"), ElementsAre());
  EXPECT_THAT(MustParse(R"({a="q\"\\\n\t\x41\101\u00e9\U0001F600"})"),
              ElementsAre(Label{"a", "q\"\\\n\tAA\xc3\xa9\xf0\x9f\x98\x80"}));
}

TEST(LokiLabelsTest, Refused) {
  EXPECT_THAT(ParseError(R"(app="x")"), HasSubstr("expected '{' at offset 0"));
  EXPECT_THAT(ParseError(R"(up{app="x"})"), HasSubstr("expected '{' at offset 0"));
  EXPECT_THAT(ParseError(R"({app=~"x"})"), HasSubstr("only '=' is allowed"));
  EXPECT_THAT(ParseError(R"({app!="x"})"), HasSubstr("only '=' is allowed"));
  EXPECT_THAT(ParseError(R"({app="x)"), HasSubstr("unterminated string"));
  EXPECT_THAT(ParseError(R"({app=x})"), HasSubstr("expected a quoted label value at offset 5"));
  EXPECT_THAT(ParseError(R"({app="x" env="y"})"), HasSubstr("expected ',' or '}' at offset 9"));
  // Escapes follow Go's string literals (common/go_text.h); a bad one names the value.
  EXPECT_THAT(ParseError(R"({app="\q"})"), HasSubstr("invalid escape in label value at offset 5"));
  EXPECT_THAT(ParseError(R"({app="\ud800"})"), HasSubstr("invalid escape in label value at offset 5"));
  EXPECT_THAT(ParseError(R"({app="\x4"})"), HasSubstr("invalid escape in label value at offset 5"));
  EXPECT_THAT(ParseError(R"({1app="x"})"), HasSubstr("expected a label name at offset 1"));
  EXPECT_THAT(ParseError(R"({app="x"} extra)"), HasSubstr("unexpected text after '}'"));
  EXPECT_THAT(ParseError("{"), HasSubstr("expected a label name"));
  EXPECT_THAT(ParseError(""), HasSubstr("expected '{'"));
}

// ---- JSON ----

TEST(LokiPushJsonTest, WinstonLokiAndStructuredMetadata) {
  // winston-loki's JSON body: labels with a level, a JSON-formatted line.
  std::string body = R"({"streams":[
    {"stream":{"job":"checkout","level":"error"},
     "values":[["1714564800000000000","{\"message\":\"payment failed\",\"level\":\"error\"}"]]},
    {"values":[["1714564800000000001","GET /health 200",{"trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","user_id":"42","level":"debug","service":"edge"}]],
     "stream":{"app":"gateway","pod":"gw-1"}},
    {"stream":{"host":"db-1"},
     "values":[["1714564800000000002","no service anywhere"],["1714564800000000003","named by metadata",{"service_name":"postgres"}]]}
  ]})";
  LokiPushJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 4u);

  const auto& e0 = batch.entries()[0];
  EXPECT_EQ(e0.timestamp_ns, kT);
  EXPECT_EQ(e0.body, "{\"message\":\"payment failed\",\"level\":\"error\"}");
  EXPECT_EQ(e0.severity, kSeverityError);
  EXPECT_EQ(StreamOf(batch, e0), R"({job="checkout", level="error", service_name="checkout"})");

  const auto& e1 = batch.entries()[1];
  EXPECT_EQ(e1.timestamp_ns, kT + 1);
  EXPECT_EQ(e1.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(e1.severity, kSeverityDebug);  // metadata level beats nothing
  EXPECT_EQ(Field(batch, e1, "user_id"), "42");
  EXPECT_FALSE(Field(batch, e1, "trace_id"));
  // Labels name the service (app) before metadata does.
  EXPECT_EQ(StreamOf(batch, e1), R"({app="gateway", pod="gw-1", service_name="gateway"})");

  EXPECT_EQ(StreamOf(batch, batch.entries()[2]),
            R"({host="db-1", service_name="unknown_service"})");
  EXPECT_EQ(StreamOf(batch, batch.entries()[3]), R"({host="db-1", service_name="postgres"})");
}

TEST(LokiPushJsonTest, BadEntriesAreRefusedAlone) {
  std::string body =
      "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":["
      "[\"1714564800000000000\",\"ok\"],"                           // 0
      "[1714564800000000000,\"number ts\"],"                        // 1
      "[\"17145648OO\",\"bad ts\"],"                                // 2
      "[\"1714564800000000000\",\"bad \xff utf8\"],"                // 3
      "[\"1714564800000000000\",42],"                               // 4
      "[\"1714564800000000000\"],"                                  // 5
      "{\"ts\":\"1\"},"                                             // 6
      "[\"1714564800000000000\",\"x\",{\"trace_id\":\"nothex\"}],"  // 7
      "[\"1714564800000000000\",\"x\",{\"k\":1}],"                  // 8
      "[\"1714564800000000000\",\"x\",[]],"                         // 9
      "[\"1714564800000000000\",\"x\",{},4],"                       // 10
      "[\"1714564800000000000\",\"ok 2\"]"                          // 11
      "]}]}";
  LokiPushJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 12u);
  EXPECT_EQ(r.rejected, 10u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.entries()[1].body, "ok 2");
  ASSERT_EQ(r.errors.size(), 10u);
  const std::string s = R"(stream {app="x"} entry )";
  EXPECT_EQ(r.errors[0].message,
            s + "1: timestamp must be a string of Unix nanoseconds, got number");
  EXPECT_EQ(r.errors[1].message,
            s + "2: invalid timestamp \"17145648OO\": expected Unix nanoseconds");
  EXPECT_EQ(r.errors[2].message, s + "3: invalid UTF-8 in line");
  EXPECT_EQ(r.errors[3].message, s + "4: line must be a string, got number");
  EXPECT_EQ(r.errors[4].message, s + "5: expected [timestamp, line], got 1 element");
  EXPECT_EQ(r.errors[5].message, s + "6: expected an array [timestamp, line], got object");
  EXPECT_THAT(r.errors[6].message, HasSubstr("entry 7: invalid trace_id \"nothex\""));
  EXPECT_EQ(r.errors[7].message, s + "8: structured metadata \"k\" must be a string, got number");
  EXPECT_EQ(r.errors[8].message, s + "9: structured metadata must be an object, got array");
  EXPECT_THAT(r.errors[9].message, HasSubstr("entry 10: too many elements"));
  EXPECT_EQ(r.errors[9].ordinal, 10u);
}

TEST(LokiPushJsonTest, BadLabelsRefuseTheStream) {
  std::string body = R"({"streams":[
    {"stream":{"app":1},"values":[["1","a"],["2","b"]]},
    {"stream":{"bad-name":"x"},"values":[["1","a"]]},
    {"stream":{"app":"ok"},"values":[["1","kept"]]},
    {"stream":"app=x","values":[["1","a"]]}]})";
  LokiPushJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 5u);
  EXPECT_EQ(r.rejected, 4u);
  ASSERT_EQ(batch.size(), 1u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message,
            "streams[0]: label \"app\" must be a string, got number (2 entries refused)");
  EXPECT_EQ(r.errors[0].entries, 2u);
  EXPECT_EQ(r.errors[1].message, "streams[1]: invalid label name \"bad-name\" (1 entry refused)");
  EXPECT_EQ(r.errors[2].message,
            "streams[3]: stream labels must be an object, got string (1 entry refused)");
}

TEST(LokiPushJsonTest, MalformedRequests) {
  for (std::string_view body : {
           std::string_view("not json"),
           std::string_view("[1,2]"),
           std::string_view(R"({"streams":{"a":1}})"),
           std::string_view(R"({"streams":[1]})"),
           std::string_view(R"({"streams":[{"stream":{"a":"b"},"values":"x"}]})"),
           std::string_view(R"({"streams":[{"stream":{"a":"b"},"values":[["1","a"]]}]} trailing)"),
           std::string_view(R"({"streams":[{"stream":{"a":"b"},"values":[["1","a"])"),
           std::string_view(""),
       }) {
    LokiPushJsonDecoder decoder;
    LogBatch batch;
    LogDecodeResult r = decoder.Decode(body, &batch);
    EXPECT_FALSE(r.status.ok()) << body;
    EXPECT_TRUE(batch.empty()) << body;
    EXPECT_EQ(r.total, 0u);
  }
  LokiPushJsonDecoder decoder;
  LogBatch batch;
  EXPECT_EQ(decoder.Decode(R"({"streams":[{"values":5}]})", &batch).status.message(),
            "streams[0].values: expected an array, got number");
  // An empty push is fine.
  EXPECT_TRUE(decoder.Decode(R"({"streams":[]})", &batch).ok());
}

TEST(LokiPushJsonTest, DecoderIsReusable) {
  LokiPushJsonDecoder decoder;
  for (int i = 0; i < 3; ++i) {
    LogBatch batch;
    LogDecodeResult r = decoder.Decode(
        R"({"streams":[{"stream":{"job":"a\u0062c"},"values":[["5","x"]]}]})", &batch);
    ASSERT_TRUE(r.ok()) << r.Summary();
    EXPECT_EQ(StreamOf(batch, batch.entries()[0]), R"({job="abc", service_name="abc"})");
  }
}

// ---- Protobuf ----

struct ProtoEntry {
  int64_t seconds = 0;
  int64_t nanos = 0;
  std::string line;
  std::vector<std::pair<std::string, std::string>> metadata;
  bool timestamp = true;
};

std::string EncodeEntry(const ProtoEntry& e) {
  std::string out, ts, kv;
  proto::WireWriter w(&out);
  if (e.timestamp) {
    proto::WireWriter t(&ts);
    if (e.seconds != 0) t.VarintField(1, static_cast<uint64_t>(e.seconds));
    if (e.nanos != 0) t.VarintField(2, static_cast<uint64_t>(e.nanos));
    w.BytesField(1, ts);
  }
  w.BytesField(2, e.line);
  for (const auto& [k, v] : e.metadata) {
    kv.clear();
    proto::WireWriter m(&kv);
    m.BytesField(1, k);
    m.BytesField(2, v);
    w.BytesField(3, kv);
  }
  return out;
}

std::string EncodeStream(std::string_view labels, const std::vector<std::string>& entries,
                         bool entries_first = false) {
  std::string out;
  proto::WireWriter w(&out);
  if (!entries_first) w.BytesField(1, labels);
  for (const std::string& e : entries) w.BytesField(2, e);
  if (entries_first) w.BytesField(1, labels);
  w.VarintField(3, 12345);  // hash: ignored
  return out;
}

std::string EncodePush(const std::vector<std::string>& streams) {
  std::string out;
  proto::WireWriter w(&out);
  for (const std::string& s : streams) w.BytesField(1, s);
  return out;
}

TEST(LokiPushProtoTest, PromtailStyleRequest) {
  std::string body = EncodePush({
      EncodeStream(R"({filename="/var/log/app.log", job="varlogs"})",
                   {EncodeEntry({1714564800, 5, "level=info msg=\"started\"", {}}),
                    EncodeEntry({1714564801,
                                 0,
                                 "level=warn msg=\"slow\"",
                                 {{"traceID", "4bf92f3577b34da6a3ce929d0e0e4736"},
                                  {"spanId", "00F067AA0BA902B7"},
                                  {"severity", "warning"},
                                  {"pod", "app-7d9"}}})}),
      EncodeStream(R"({app="api"})", {EncodeEntry({1714564802, 0, "hello", {}})},
                   /*entries_first=*/true),
  });
  LokiPushProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 3u);
  const auto& e0 = batch.entries()[0];
  EXPECT_EQ(e0.timestamp_ns, kT + 5);
  EXPECT_EQ(e0.body, "level=info msg=\"started\"");
  EXPECT_EQ(StreamOf(batch, e0),
            R"({filename="/var/log/app.log", job="varlogs", service_name="varlogs"})");
  const auto& e1 = batch.entries()[1];
  EXPECT_EQ(e1.timestamp_ns, kT + 1000000000);
  EXPECT_EQ(e1.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(e1.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(e1.severity, kSeverityWarn);
  EXPECT_EQ(e1.severity_text, "warning");
  EXPECT_EQ(Field(batch, e1, "pod"), "app-7d9");
  EXPECT_EQ(StreamOf(batch, batch.entries()[2]), R"({app="api", service_name="api"})");
}

TEST(LokiPushProtoTest, BadEntriesAreRefusedAlone) {
  std::string wrong_wire;
  proto::WireWriter(&wrong_wire).VarintField(2, 7);  // line as a varint
  std::string bad_meta;
  {
    proto::WireWriter w(&bad_meta);
    std::string ts;
    proto::WireWriter(&ts).VarintField(1, 1714564800);
    w.BytesField(1, ts);
    w.BytesField(2, "x");
    w.BytesField(3, std::string("\x0a\x10", 2));  // name length past the end
  }
  std::string body = EncodePush(
      {EncodeStream(R"({app="x"})", {EncodeEntry({1714564800, 0, "ok", {}}),                    // 0
                                     EncodeEntry({1714564800, 0, "bad \xc3\x28 utf8", {}}),     // 1
                                     EncodeEntry({1714564800, -1, "negative nanos", {}}),       // 2
                                     EncodeEntry({0, 0, "no timestamp", {}, false}),            // 3
                                     wrong_wire,                                                // 4
                                     EncodeEntry({1714564800, 0, "x", {{"trace_id", "abc"}}}),  // 5
                                     EncodeEntry({1714564800, 0, "x", {{"k", "\xff"}}}),        // 6
                                     bad_meta,                                                  // 7
                                     EncodeEntry({9223372037, 0, "overflow", {}}),              // 8
                                     EncodeEntry({1714564800, 0, "ok 2", {}})})});              // 9
  LokiPushProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 10u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.entries()[1].body, "ok 2");
  ASSERT_EQ(r.errors.size(), 8u);
  const std::string s = R"(stream {app="x"} entry )";
  EXPECT_EQ(r.errors[0].message, s + "1: invalid UTF-8 in line");
  EXPECT_EQ(r.errors[1].message, s + "2: timestamp nanos -1 out of range [0, 999999999]");
  EXPECT_EQ(r.errors[2].message, s + "3: missing timestamp");
  EXPECT_EQ(r.errors[3].message, s + "4: line has wire type varint, expected length-delimited");
  EXPECT_EQ(r.errors[4].message, s + "5: invalid trace_id \"abc\": 3 hex digits, expected 32");
  EXPECT_EQ(r.errors[5].message, s + "6: invalid UTF-8 in structured metadata \"k\"");
  EXPECT_THAT(r.errors[6].message,
              HasSubstr("entry 7: malformed structured metadata: length-delimited field runs "
                        "past the end"));
  EXPECT_THAT(r.errors[7].message, HasSubstr("entry 8: timestamp 9223372037s is out of range"));
}

TEST(LokiPushProtoTest, BadLabelsRefuseTheStream) {
  std::string body = EncodePush({
      EncodeStream(R"({app="x", app="y"})",
                   {EncodeEntry({1, 0, "a", {}}), EncodeEntry({1, 0, "b", {}})}),
      EncodeStream(R"({app=x})", {EncodeEntry({1, 0, "a", {}})}),
      EncodeStream(R"({app="ok"})", {EncodeEntry({1, 0, "kept", {}})}),
  });
  LokiPushProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rejected, 3u);
  ASSERT_EQ(batch.size(), 1u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].message, "streams[0]: duplicate label name \"app\" (2 entries refused)");
  EXPECT_THAT(r.errors[1].message,
              HasSubstr("streams[1]: expected a quoted label value at offset 5"));
}

TEST(LokiPushProtoTest, BrokenFramingFailsTheRequest) {
  std::string good = EncodePush({EncodeStream(R"({app="x"})", {EncodeEntry({1, 0, "a", {}})})});
  LokiPushProtoDecoder decoder;
  for (size_t cut = 1; cut < good.size(); ++cut) {
    LogBatch batch;
    LogDecodeResult r = decoder.Decode(std::string_view(good).substr(0, cut), &batch);
    EXPECT_FALSE(r.status.ok()) << "cut at " << cut;
    EXPECT_TRUE(batch.empty());
  }
  std::string labels_varint;
  proto::WireWriter(&labels_varint).VarintField(1, 3);
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(EncodePush({labels_varint}), &batch);
  EXPECT_EQ(r.status.message(),
            "malformed Loki push request: streams[0]: labels has wire type varint, expected "
            "length-delimited");
  EXPECT_FALSE(decoder.Decode("\xff\xff\xff", &batch).status.ok());
  // An empty body is an empty push.
  EXPECT_TRUE(decoder.Decode("", &batch).ok());
}

}  // namespace
}  // namespace vigil
