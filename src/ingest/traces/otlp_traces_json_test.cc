#include "ingest/traces/otlp_traces_json.h"

#include <string>
#include <vector>

#include "common/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/traces/otlp_traces_proto.h"
#include "ingest/traces/otlp_traces_test_util.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using namespace testing_traces;  // NOLINT: message builders

// A span with every field, in OTLP/JSON (ids in mixed case, 64-bit numbers as strings and as
// numbers, enums by number and by name).
constexpr std::string_view kFull = R"({
  "resourceSpans": [{
    "resource": {"attributes": [
      {"key": "service.name", "value": {"stringValue": "checkout"}},
      {"key": "process.pid", "value": {"intValue": "4242"}}]},
    "scopeSpans": [{
      "scope": {"name": "checkout.http", "version": "0.9.1"},
      "spans": [{
        "traceId": "4BF92F3577B34DA6A3CE929D0E0E4736",
        "spanId": "00f067aa0ba902b7",
        "parentSpanId": "53995c3f42cd8ad8",
        "traceState": "congo=t61rcWkgMzE",
        "name": "POST /checkout",
        "kind": "SPAN_KIND_CLIENT",
        "startTimeUnixNano": "1714564800000000000",
        "endTimeUnixNano": 1714564800025000000,
        "attributes": [
          {"key": "http.method", "value": {"stringValue": "POST"}},
          {"key": "http.status_code", "value": {"intValue": 502}},
          {"key": "retry", "value": {"boolValue": true}},
          {"key": "latency", "value": {"doubleValue": 0.25}},
          {"key": "blob", "value": {"bytesValue": "AQL/"}},
          {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "-1"}]}}},
          {"key": "ctx", "value": {"kvlistValue": {"values": [{"key": "user", "value": {"stringValue": "u1"}}]}}}
        ],
        "droppedAttributesCount": 3,
        "events": [
          {"timeUnixNano": "1714564800000000010", "name": "exception",
           "attributes": [{"key": "exception.message", "value": {"stringValue": "boom"}}],
           "droppedAttributesCount": 1},
          {"timeUnixNano": "1714564800000000020", "name": "retry"}
        ],
        "droppedEventsCount": 4,
        "links": [{"traceId": "11111111111111111111111111111111", "spanId": "2222222222222222",
                   "traceState": "a=b", "attributes": [{"key": "link.kind", "value": {"stringValue": "follows"}}],
                   "droppedAttributesCount": 2, "flags": 1}],
        "droppedLinksCount": 5,
        "status": {"message": "declined", "code": 2},
        "flags": 257,
        "unknownField": {"ignored": [1, 2, 3]}
      }]
    }]
  }]
})";

// The same span in protobuf.
std::string FullProto() {
  SpanSpec s;
  s.trace_id = std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16);
  s.span_id = std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8);
  s.parent_span_id = std::string("\x53\x99\x5c\x3f\x42\xcd\x8a\xd8", 8);
  s.trace_state = "congo=t61rcWkgMzE";
  s.name = "POST /checkout";
  s.kind = 3;
  s.start = 1714564800000000000;
  s.end = 1714564800025000000;
  s.attrs = {KV("http.method", Str("POST")),
             KV("http.status_code", Int(502)),
             KV("retry", Bool(true)),
             KV("latency", Dbl(0.25)),
             KV("blob", Bytes("\x01\x02\xff")),
             KV("tags", Array({Str("a"), Int(-1)})),
             KV("ctx", KvList({KV("user", Str("u1"))}))};
  s.dropped_attributes = 3;
  s.events = {EncodeEvent({.time = 1714564800000000010,
                           .name = "exception",
                           .attrs = {KV("exception.message", Str("boom"))},
                           .dropped = 1}),
              EncodeEvent({.time = 1714564800000000020, .name = "retry"})};
  s.dropped_events = 4;
  s.links = {EncodeLink({.trace_id = std::string(16, '\x11'),
                         .span_id = std::string(8, '\x22'),
                         .trace_state = "a=b",
                         .attrs = {KV("link.kind", Str("follows"))},
                         .dropped = 2,
                         .flags = 1})};
  s.dropped_links = 5;
  s.status_message = "declined";
  s.status_code = 2;
  s.flags = 257;
  return Request({Resource({KV("service.name", Str("checkout")), KV("process.pid", Int(4242))},
                           {Scope("checkout.http", "0.9.1", {EncodeSpan(s)})})});
}

TEST(OtlpTracesJsonTest, EveryFieldMatchesTheProtobufDecoding) {
  OtlpTracesJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(kFull, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 1u);
  Span got = batch.ToSpan(0);
  EXPECT_EQ(got.trace_id.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(SpanIdHex(got.parent_span_id), "53995c3f42cd8ad8");
  EXPECT_EQ(got.kind, SpanKind::kClient);
  EXPECT_EQ(got.status, SpanStatus::kError);
  EXPECT_EQ(got.service_name, "checkout");
  EXPECT_EQ(got.duration_ns(), 25'000'000);
  EXPECT_EQ(got.attributes[1].value, "502");
  EXPECT_EQ(got.attributes[1].type, AttributeType::kInt);
  EXPECT_EQ(got.attributes[5].value, R"(["a",-1])");

  std::string proto = FullProto();
  OtlpTracesProtoDecoder proto_decoder;
  SpanBatch proto_batch;
  ASSERT_TRUE(proto_decoder.Decode(proto, &proto_batch).ok());
  Span want = proto_batch.ToSpan(0);
  EXPECT_EQ(got.attributes, want.attributes);
  EXPECT_EQ(got.events, want.events);
  EXPECT_EQ(got.links, want.links);
  EXPECT_EQ(got.resource_attributes, want.resource_attributes);
  EXPECT_TRUE(got == want);
}

TEST(OtlpTracesJsonTest, SnakeCaseKeysAndEnumSpellings) {
  constexpr std::string_view kBody = R"({"resource_spans": [{"scope_spans": [{"spans": [
    {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
     "parent_span_id": "", "name": "a", "kind": 2, "start_time_unix_nano": 10,
     "end_time_unix_nano": "20", "status": {"code": "STATUS_CODE_OK"},
     "dropped_attributes_count": 1, "dropped_events_count": "2", "dropped_links_count": 3},
    {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b8",
     "parentSpanId": "0000000000000000", "kind": "3", "startTimeUnixNano": 1.0e3,
     "status": {"code": "error"}, "traceState": null},
    {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b9",
     "kind": 42, "startTimeUnixNano": "5", "status": {"code": 9}}
  ]}]}]})";
  OtlpTracesJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(kBody, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 3u);
  const auto& s = batch.spans();
  EXPECT_EQ(s[0].kind, SpanKind::kServer);
  EXPECT_EQ(s[0].status, SpanStatus::kOk);
  EXPECT_EQ(s[0].start_ns, 10);
  EXPECT_EQ(s[0].end_ns, 20);
  EXPECT_EQ(s[0].parent_span_id, 0u);
  EXPECT_EQ(s[0].dropped_attributes_count, 1u);
  EXPECT_EQ(s[0].dropped_events_count, 2u);
  EXPECT_EQ(s[0].dropped_links_count, 3u);
  EXPECT_EQ(batch.resources()[s[0].resource].service_name, "unknown_service");
  EXPECT_EQ(s[1].kind, SpanKind::kClient);
  EXPECT_EQ(s[1].status, SpanStatus::kError);
  EXPECT_EQ(s[1].start_ns, 1000);
  EXPECT_EQ(s[1].end_ns, 1000);  // no end time: clamped to the start
  EXPECT_EQ(s[1].parent_span_id, 0u);
  EXPECT_EQ(s[2].kind, SpanKind::kUnspecified);
  EXPECT_EQ(s[2].status, SpanStatus::kUnset);
  EXPECT_EQ(r.clamped, 2u);
}

std::string OneScope(const std::vector<std::string>& spans) {
  std::string out = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
                    R"("value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[)";
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) out += ",";
    out += spans[i];
  }
  return out + "]}]}]}";
}

// A valid span with `extra` fields appended, or with the given ids / times.
std::string J(std::string_view extra = "",
              std::string_view ids =
                  R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7")",
              std::string_view times = R"("startTimeUnixNano":"1000","endTimeUnixNano":"2000")") {
  std::string out = "{";
  out += ids;
  out += ",";
  out += times;
  out += R"(,"name":"op")";
  if (!extra.empty()) {
    out += ",";
    out += extra;
  }
  return out + "}";
}

TEST(OtlpTracesJsonTest, EveryRuleRefusesOnlyItsSpan) {
  const std::string kSpan = R"("spanId":"00f067aa0ba902b7")";
  const std::string kTrace = R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736")";
  std::vector<std::string> spans = {
      J(),                                                                              // 0
      J("", R"("traceId":"xyz",)" + kSpan),                                             // 1
      J("", R"("traceId":"4bf92f3577b34da6a3ce929d0e0e47",)" + kSpan),                  // 2
      J("", R"("traceId":"00000000000000000000000000000000",)" + kSpan),                // 3
      J("", R"("traceId":"S/kvNXezTaajzpKdDg5HNg==",)" + kSpan),                        // 4 base64
      J("", kTrace),                                                                    // 5
      J("", kTrace + R"(,"spanId":"0000000000000000")"),                                // 6
      J(R"("parentSpanId":"abc")"),                                                     // 7
      J(R"("parentSpanId":"0000000000000000")"),                                        // 8 ok
      J(R"("name":"bad \xff name")"),                                                   // 9
      J(R"("name":5)"),                                                                 // 10
      J("", kTrace + "," + kSpan, R"("endTimeUnixNano":"5")"),                          // 11
      J("", kTrace + "," + kSpan, R"("startTimeUnixNano":"abc")"),                      // 12
      J("", kTrace + "," + kSpan, R"("startTimeUnixNano":"9","endTimeUnixNano":"3")"),  // 13 ok
      J(R"("kind":"SPAN_KIND_BOGUS")"),                                                 // 14
      J(R"("status":"error")"),                                                         // 15
      J(R"("attributes":"x")"),                                                         // 16
      J(R"("events":[{"timeUnixNano":"1"},{"timeUnixNano":"x"}])"),                     // 17
      J(R"("links":[{"spanId":"00f067aa0ba902b7"}])"),                                  // 18
      "17",                                                                             // 19
      J(R"("flags":4294967296)"),                                                       // 20
      J(R"("attributes":[{"key":"k","value":{"intValue":"1.5"}}])"),                    // 21
      J("", kTrace + "," + kSpan, R"("startTimeUnixNano":"18446744073709551615")"),     // 22
      J(R"("events":[{"timeUnixNano":"18446744073709551615"}])"),                       // 23
      J(R"("links":[{"traceId":"11111111111111111111111111111111","spanId":"22"}])"),   // 24
      J(R"("status":{"code":"STATUS_CODE_MAYBE"})"),                                    // 25
  };
  std::string body = OneScope(spans);
  // A raw invalid UTF-8 byte in a string refuses that span only.
  body.replace(body.find("\\xff"), 4, "\xff");
  OtlpTracesJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 26u);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(r.clamped, 1u);
  const std::string p = "resourceSpans[0].scopeSpans[0].spans[";
  std::vector<std::string> want = {
      p + "1]: invalid traceId \"xyz\": not a hex string",
      p + "2]: invalid traceId \"4bf92f3577b34da6a3ce929d0e0e47\": 30 hex digits, expected 32",
      p + "3]: invalid traceId: all zero",
      p + "4]: invalid traceId \"S/kvNXezTaajzpKdDg5HNg==\": not a hex string",
      p + "5]: missing spanId",
      p + "6]: invalid spanId: all zero",
      p + "7]: invalid parentSpanId \"abc\": 3 hex digits, expected 16",
      p + "9]: invalid UTF-8 in name",
      p + "10]: name must be a string, got number",
      p + "11]: missing start time",
      p + "12]: startTimeUnixNano is not an unsigned integer",
      p + "14]: kind is not a SpanKind",
      p + "15]: status must be an object, got string",
      p + "16]: attributes must be an array, got string",
      p + "17]: events[1]: timeUnixNano is not an unsigned integer",
      p + "18]: links[0]: missing traceId",
      p + "19]: expected an object, got number",
      p + "20]: flags 4294967296 is out of range",
      p + "21]: attribute \"k\": intValue is not an integer",
      p + "22]: start time 18446744073709551615 ns is out of range",
      p + "23]: events[0]: timeUnixNano 18446744073709551615 is out of range",
      p + "24]: links[0]: invalid spanId \"22\": 2 hex digits, expected 16",
      p + "25]: status.code is not a StatusCode",
  };
  ASSERT_EQ(r.errors.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.errors[i].message, want[i]) << i;
  EXPECT_EQ(r.rejected, want.size());
  EXPECT_EQ(batch.spans()[2].end_ns, batch.spans()[2].start_ns);  // 13: clamped
}

TEST(OtlpTracesJsonTest, MalformedDocumentsFailTheRequest) {
  struct Case {
    std::string body, message;
  };
  std::vector<Case> cases = {
      {"{", "malformed JSON: "},
      {"[]", "expected a JSON object, got array"},
      {R"({"resourceSpans": {}})", "resourceSpans must be an array, got object"},
      {R"({"resourceSpans": [1]})", "resourceSpans[0]: expected an object, got number"},
      {R"({"resourceSpans": [{"scopeSpans": {}}]})",
       "resourceSpans[0].scopeSpans: expected an array, got object"},
      {R"({"resourceSpans": [{"scopeSpans": [{"spans": {}}]}]})",
       "resourceSpans[0].scopeSpans[0].spans: expected an array, got object"},
      {R"({"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "a",}]}]}]})", "malformed JSON: "},
      {"{} {}", "malformed JSON: "},
      {"{\"resourceSpans\": [] \xff}", "malformed JSON: "},
  };
  OtlpTracesJsonDecoder decoder;
  for (const Case& c : cases) {
    SpanBatch batch;
    SpanDecodeResult r = decoder.Decode(c.body, &batch);
    EXPECT_FALSE(r.status.ok()) << c.body;
    EXPECT_THAT(std::string(r.status.message()),
                HasSubstr("malformed OTLP/JSON traces request: " + c.message))
        << c.body;
    EXPECT_TRUE(batch.empty());
  }
  // Spans decoded before the document turns out broken are dropped as well.
  SpanBatch batch;
  std::string body = OneScope({J(), J()});
  body.resize(body.size() - 3);
  SpanDecodeResult r = decoder.Decode(body, &batch);
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(batch.empty() && batch.resources().empty());
  SpanBatch empty;
  EXPECT_TRUE(decoder.Decode("{}", &empty).ok());
}

TEST(OtlpTracesJsonTest, BadResourceOrScopeRefusesItsSpans) {
  std::string body = R"({"resourceSpans":[
    {"resource":{"attributes":[{"key":"service.name","value":{"intValue":"x"}}]},
     "scopeSpans":[{"spans":[)" +
                     J() + "," + J() + R"(]}]},
    {"resource":"svc","scopeSpans":[{"spans":[)" +
                     J() + R"(]}]},
    {"scopeSpans":[{"scope":{"name":7},"spans":[)" +
                     J() + R"(]},
                   {"spans":[)" +
                     J() + R"(],"scope":{"name":"late","version":"2"}}]}]})";
  OtlpTracesJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 5u);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch.spans()[0].scope_name, "late");  // the scope is read wherever it is
  EXPECT_EQ(batch.spans()[0].scope_version, "2");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message,
            "resourceSpans[0]: resource: attribute \"service.name\": intValue is not an "
            "integer (2 spans refused)");
  EXPECT_EQ(r.errors[1].message,
            "resourceSpans[1]: resource must be an object, got string (1 span refused)");
  EXPECT_EQ(r.errors[2].message,
            "resourceSpans[2].scopeSpans[0]: scope name must be a string, got number "
            "(1 span refused)");
}

TEST(OtlpTracesJsonTest, MegabyteValuesAndTenThousandSpans) {
  std::string big(1 << 20, 'y');
  std::string body =
      OneScope({J(R"("attributes":[{"key":"big","value":{"stringValue":")" + big + R"("}}])")});
  OtlpTracesJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.truncated, 1u);
  EXPECT_EQ(batch.AttributesOf(batch.spans()[0])[0].value.size(), 65536u);

  std::vector<std::string> spans;
  char id[17];
  for (int i = 1; i <= 10000; ++i) {
    std::snprintf(id, sizeof(id), "%016x", i);
    spans.push_back(
        J(R"("attributes":[{"key":"i","value":{"intValue":")" + std::to_string(i) + R"("}}])",
          std::string(R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":")") + id + "\""));
  }
  SpanBatch many;
  const std::string many_body = OneScope(spans);  // outlives the batch
  r = decoder.Decode(many_body, &many);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(many.size(), 10000u);
  EXPECT_EQ(many.spans()[9999].span_id, 10000u);
  EXPECT_EQ(many.AttributesOf(many.spans()[9999])[0].value, "10000");
  EXPECT_EQ(many.resources().size(), 1u);
}

TEST(OtlpTracesJsonTest, ItemsPastTheLimitsAreSkippedUnread) {
  SpanLimits limits;
  limits.max_attributes = 1;
  limits.max_events = 1;
  limits.max_links = 1;
  // The dropped event and link are malformed: unread, they refuse nothing; the fields after
  // them are still decoded.
  std::string span =
      J(R"("events":[{"name":"kept","attributes":[)"
        R"({"key":"a","value":{"stringValue":"1"}},{"key":"b","value":{"stringValue":"2"}}]},)"
        R"({"timeUnixNano":"never","name":{"deep":[1,[2,{"x":3}]]}}],)"
        R"("droppedEventsCount":2,)"
        R"("links":[{"traceId":"11111111111111111111111111111111","spanId":"2222222222222222"},)"
        R"({"traceId":7}],"kind":"SPAN_KIND_PRODUCER","attributes":[)"
        R"({"key":"x","value":{"intValue":"1"}},{"key":"y","value":{"intValue":"2"}}])");
  OtlpTracesJsonDecoder decoder(limits);
  SpanBatch batch;
  const std::string body = OneScope({span, J()});
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 2u);
  Span got = batch.ToSpan(0);
  ASSERT_EQ(got.events.size(), 1u);
  EXPECT_EQ(got.events[0].name, "kept");
  EXPECT_EQ(got.events[0].attributes.size(), 1u);
  EXPECT_EQ(got.events[0].dropped_attributes_count, 1u);
  EXPECT_EQ(got.dropped_events_count, 3u);
  EXPECT_EQ(got.links.size(), 1u);
  EXPECT_EQ(got.dropped_links_count, 1u);
  EXPECT_EQ(got.kind, SpanKind::kProducer);
  EXPECT_EQ(got.attributes.size(), 1u);
  EXPECT_EQ(got.dropped_attributes_count, 1u);
}

}  // namespace
}  // namespace vigil
