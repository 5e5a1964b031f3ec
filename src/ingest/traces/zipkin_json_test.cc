#include "ingest/traces/zipkin_json.h"

#include <cstdio>
#include <string>
#include <vector>

#include "common/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

// Spans as Brave / OpenZipkin instrumentation reports them.
constexpr std::string_view kSpans = R"([
  {"traceId": "5af7183fb1d4cf5f", "parentId": "6b221d5bc9e6496c", "id": "352bff9a74ca9ad2",
   "kind": "CLIENT", "name": "get /api", "timestamp": 1714564800000000, "duration": 207000,
   "localEndpoint": {"serviceName": "frontend", "ipv4": "127.0.0.1", "port": 8080},
   "remoteEndpoint": {"serviceName": "backend", "ipv4": "192.168.99.101", "port": 9000},
   "annotations": [{"timestamp": 1714564800000100, "value": "ws"},
                   {"timestamp": 1714564800000200, "value": "wr"}],
   "tags": {"http.method": "GET", "http.path": "/api", "error": "connection refused"},
   "debug": true, "shared": false},
  {"traceId": "463ac35c9f6413ad48485a3953bb6124", "id": "6b221d5bc9e6496c", "kind": "SERVER",
   "name": "get /", "timestamp": 1714564800000000, "duration": 1000,
   "localEndpoint": {"serviceName": "frontend", "ipv6": "::1"},
   "tags": {"otel.status_code": "OK", "otel.scope.name": "io.opentelemetry.http",
            "otel.scope.version": "1.2", "retries": 3, "cached": false}},
  {"traceId": "463ac35c9f6413ad48485a3953bb6124", "id": "6b221d5bc9e6496d",
   "parentId": "0000000000000000", "name": "incomplete", "timestamp": 1714564800000000,
   "localEndpoint": {"serviceName": "backend", "port": 0}},
  {"traceId": "463ac35c9f6413ad48485a3953bb6124", "id": "6b221d5bc9e6496e",
   "timestamp": 1714564800000000, "duration": 5}
])";

std::string AttrsOf(const Span& s) {
  std::string out;
  for (const SpanAttribute& a : s.attributes) {
    out += a.key + "=" + a.value + (a.type == AttributeType::kInt ? "(int)" : "") + ";";
  }
  return out;
}

TEST(ZipkinJsonTest, MapsEveryField) {
  ZipkinJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(kSpans, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 4u);
  // frontend, backend, and the service-less span's resource.
  ASSERT_EQ(batch.resources().size(), 3u);
  EXPECT_EQ(batch.spans()[0].resource, batch.spans()[1].resource);

  Span a = batch.ToSpan(0);
  EXPECT_EQ(a.trace_id.Hex(), "00000000000000005af7183fb1d4cf5f");  // 64-bit, zero-extended
  EXPECT_EQ(SpanIdHex(a.span_id), "352bff9a74ca9ad2");
  EXPECT_EQ(SpanIdHex(a.parent_span_id), "6b221d5bc9e6496c");
  EXPECT_EQ(a.kind, SpanKind::kClient);
  EXPECT_EQ(a.name, "get /api");
  EXPECT_EQ(a.start_ns, 1714564800000000000);
  EXPECT_EQ(a.end_ns, 1714564800207000000);
  EXPECT_EQ(a.service_name, "frontend");
  ASSERT_EQ(a.resource_attributes.size(), 1u);
  EXPECT_EQ(a.resource_attributes[0],
            (SpanAttribute{"service.name", "frontend", AttributeType::kString}));
  EXPECT_EQ(AttrsOf(a),
            "net.host.ip=127.0.0.1;net.host.port=8080(int);peer.service=backend;"
            "net.peer.ip=192.168.99.101;net.peer.port=9000(int);http.method=GET;"
            "http.path=/api;error=connection refused;");
  EXPECT_EQ(a.status, SpanStatus::kError);
  EXPECT_EQ(a.status_message, "connection refused");
  ASSERT_EQ(a.events.size(), 2u);
  EXPECT_EQ(a.events[0].name, "ws");
  EXPECT_EQ(a.events[0].time_ns, 1714564800000100000);
  EXPECT_EQ(a.events[1].name, "wr");

  Span b = batch.ToSpan(1);
  EXPECT_EQ(b.trace_id.Hex(), "463ac35c9f6413ad48485a3953bb6124");
  EXPECT_EQ(b.parent_span_id, 0u);
  EXPECT_EQ(b.kind, SpanKind::kServer);
  EXPECT_EQ(b.status, SpanStatus::kOk);
  EXPECT_EQ(b.scope_name, "io.opentelemetry.http");
  EXPECT_EQ(b.scope_version, "1.2");
  EXPECT_EQ(b.duration_ns(), 1'000'000);
  EXPECT_EQ(AttrsOf(b),
            "net.host.ip=::1;otel.status_code=OK;otel.scope.name=io.opentelemetry.http;"
            "otel.scope.version=1.2;retries=3;cached=false;");

  Span c = batch.ToSpan(2);
  EXPECT_EQ(c.service_name, "backend");
  EXPECT_EQ(c.parent_span_id, 0u);  // all zero: a root span
  EXPECT_EQ(c.end_ns, c.start_ns);  // no duration: incomplete span
  EXPECT_EQ(c.kind, SpanKind::kUnspecified);
  EXPECT_TRUE(c.attributes.empty());  // port 0 is no port
  EXPECT_EQ(r.clamped, 0u);

  Span d = batch.ToSpan(3);
  EXPECT_EQ(d.service_name, "unknown_service");
  EXPECT_TRUE(d.resource_attributes.empty());
  EXPECT_EQ(d.duration_ns(), 5000);
}

std::string Z(std::string_view extra = "",
              std::string_view ids =
                  R"("traceId":"463ac35c9f6413ad48485a3953bb6124","id":"6b221d5bc9e6496c")",
              std::string_view times = R"("timestamp":1714564800000000,"duration":10)") {
  std::string out = "{";
  out += ids;
  out += ",";
  out += times;
  out += R"(,"name":"op","localEndpoint":{"serviceName":"svc"})";
  if (!extra.empty()) {
    out += ",";
    out += extra;
  }
  return out + "}";
}

std::string Array(const std::vector<std::string>& spans) {
  std::string out = "[";
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) out += ",";
    out += spans[i];
  }
  return out + "]";
}

TEST(ZipkinJsonTest, EveryRuleRefusesOnlyItsSpan) {
  const std::string kId = R"("id":"6b221d5bc9e6496c")";
  const std::string kTrace = R"("traceId":"463ac35c9f6413ad48485a3953bb6124")";
  std::vector<std::string> spans = {
      Z(),                                                                            // 0
      Z("", R"("traceId":"463ac35c9f6413ad4848",)" + kId),                            // 1
      Z("", R"("traceId":"0000000000000000",)" + kId),                                // 2
      Z("", R"("traceId":"not-hex",)" + kId),                                         // 3
      Z("", kTrace + R"(,"id":"6b221d5bc9e6496")"),                                   // 4
      Z("", kTrace),                                                                  // 5
      Z("", kTrace + R"(,"id":"0000000000000000")"),                                  // 6
      Z(R"("parentId":"6b221d5bc9e6496c00")"),                                        // 7
      Z(R"("parentId":"0000000000000000")"),                                          // 8 ok
      Z("", kTrace + "," + kId, R"("duration":10)"),                                  // 9
      Z("", kTrace + "," + kId, R"("timestamp":18446744073709551)"),                  // 10
      Z("", kTrace + "," + kId, R"("timestamp":1,"duration":18446744073709551615)"),  // 11
      Z(R"("kind":"INTERNALISH")"),                                                   // 12
      Z(R"("kind":"producer")"),                                                      // 13 ok
      Z(R"("tags":{"k":{"nested":1}})"),                                              // 14
      Z(R"("tags":[])"),                                                              // 15
      Z(R"("remoteEndpoint":{"port":70000})"),                                        // 16
      Z(R"("localEndpoint":{"port":"x"})"),                                           // 17
      Z(R"("annotations":[{"timestamp":1,"value":"a"},{"timestamp":"soon"}])"),       // 18
      Z(R"("annotations":{})"),                                                       // 19
      Z(R"("name":"bad \xff")"),                                                      // 20
      "null",                                                                         // 21
      Z(R"("tags":{"":"empty key skipped","error":""})"),                             // 22 ok
  };
  std::string body = Array(spans);
  body.replace(body.find("\\xff"), 4, "\xff");
  ZipkinJsonDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 23u);
  ASSERT_EQ(batch.size(), 4u);
  std::vector<std::string> want = {
      "spans[1]: invalid traceId \"463ac35c9f6413ad4848\": 20 hex digits, expected 16 or 32",
      "spans[2]: invalid traceId: all zero",
      "spans[3]: invalid traceId \"not-hex\": not a hex string",
      "spans[4]: invalid id \"6b221d5bc9e6496\": 15 hex digits, expected 16",
      "spans[5]: missing id",
      "spans[6]: invalid id: all zero",
      "spans[7]: invalid parentId \"6b221d5bc9e6496c00\": 18 hex digits, expected 16",
      "spans[9]: missing start time",
      "spans[10]: timestamp 18446744073709551 is out of range",
      "spans[11]: duration 18446744073709551615 is out of range",
      "spans[12]: kind \"INTERNALISH\" is not CLIENT, SERVER, PRODUCER or CONSUMER",
      "spans[14]: tag \"k\" must be a string, got object",
      "spans[15]: tags must be an object, got array",
      "spans[16]: remoteEndpoint.port is not a port number",
      "spans[17]: localEndpoint.port is not a port number",
      "spans[18]: annotations[1]: timestamp is not an unsigned integer",
      "spans[19]: annotations must be an array, got object",
      "spans[20]: invalid UTF-8 in name",
      "spans[21]: expected an object, got null",
  };
  ASSERT_EQ(r.errors.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.errors[i].message, want[i]) << i;
  EXPECT_EQ(r.errors[0].ordinal, 1u);
  EXPECT_EQ(batch.spans()[1].parent_span_id, 0u);
  EXPECT_EQ(batch.spans()[2].kind, SpanKind::kProducer);
  Span last = batch.ToSpan(3);
  EXPECT_EQ(last.status, SpanStatus::kError);
  EXPECT_EQ(last.status_message, "");
  ASSERT_EQ(last.attributes.size(), 1u);
  EXPECT_EQ(last.attributes[0].key, "error");
  EXPECT_EQ(batch.resources().size(), 1u);  // every kept span is of "svc"
}

TEST(ZipkinJsonTest, MalformedBodiesFailTheRequest) {
  struct Case {
    std::string body, message;
  };
  std::vector<Case> cases = {
      {"[", "malformed JSON: "},
      {"{}", "expected a JSON array of spans, got object"},
      {"[] []", "malformed JSON: "},
      {R"([{"traceId": "463ac35c9f6413ad48485a3953bb6124",}])", "malformed JSON: "},
      {"[\"a\" \xff]", "malformed JSON: "},
  };
  ZipkinJsonDecoder decoder;
  for (const Case& c : cases) {
    SpanBatch batch;
    SpanDecodeResult r = decoder.Decode(c.body, &batch);
    EXPECT_FALSE(r.status.ok()) << c.body;
    EXPECT_THAT(std::string(r.status.message()),
                HasSubstr("malformed Zipkin JSON spans request: " + c.message))
        << c.body;
    EXPECT_TRUE(batch.empty() && batch.resources().empty());
  }
  SpanBatch empty;
  EXPECT_TRUE(decoder.Decode("[]", &empty).ok());
}

TEST(ZipkinJsonTest, MegabyteTagsAndTenThousandSpans) {
  std::string big(1 << 20, 'z');
  ZipkinJsonDecoder decoder;
  SpanBatch batch;
  const std::string body =
      Array({Z(R"("tags":{"big":")" + big + R"(","error":")" + big + R"("})")});
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.truncated, 2u);
  auto attrs = batch.AttributesOf(batch.spans()[0]);
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[0].value.size(), 65536u);
  // The status message is the tag's value as sent; only attributes are limited.
  EXPECT_EQ(batch.spans()[0].status_message.size(), big.size());

  std::vector<std::string> spans;
  char id[40];
  for (int i = 1; i <= 10000; ++i) {
    std::snprintf(id, sizeof(id), "\"id\":\"%016x\"", i);
    std::string service = "svc" + std::to_string(i % 7);
    spans.push_back(R"({"traceId":"463ac35c9f6413ad48485a3953bb6124",)" + std::string(id) +
                    R"(,"timestamp":1714564800000000,"localEndpoint":{"serviceName":")" + service +
                    R"("}})");
  }
  SpanBatch many;
  const std::string many_body = Array(spans);  // outlives the batch
  r = decoder.Decode(many_body, &many);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(many.size(), 10000u);
  EXPECT_EQ(many.resources().size(), 7u);  // one per service
  EXPECT_EQ(many.spans()[9999].span_id, 10000u);
  EXPECT_EQ(many.resources()[many.spans()[9999].resource].service_name,
            "svc" + std::to_string(10000 % 7));
}

}  // namespace
}  // namespace vigil
