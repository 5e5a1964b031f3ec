#include "ingest/logs/otlp_logs_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/logs/log_test_util.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using testing_logs::Field;
using testing_logs::StreamOf;

constexpr int64_t kNow = 1714564999000000000;

// The example request of the OTLP specification's repository (examples/logs.json).
constexpr std::string_view kSpecExample = R"({
  "resourceLogs": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
    "scopeLogs": [{
      "scope": {"name": "my.library", "version": "1.0.0",
                "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "some scope attribute"}}]},
      "logRecords": [{
        "timeUnixNano": "1544712660300000000",
        "observedTimeUnixNano": "1544712660300000000",
        "severityNumber": 10,
        "severityText": "Information",
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "body": {"stringValue": "Example log record"},
        "attributes": [
          {"key": "string.attribute", "value": {"stringValue": "some string"}},
          {"key": "boolean.attribute", "value": {"boolValue": true}},
          {"key": "int.attribute", "value": {"intValue": "10"}},
          {"key": "double.attribute", "value": {"doubleValue": 637.704}},
          {"key": "array.attribute", "value": {"arrayValue": {"values": [{"stringValue": "many"}, {"stringValue": "values"}]}}},
          {"key": "map.attribute", "value": {"kvlistValue": {"values": [{"key": "some.map.key", "value": {"stringValue": "some value"}}]}}}
        ]
      }]
    }]
  }]
})";

TEST(OtlpLogsJsonTest, SpecExample) {
  OtlpLogsJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(kSpecExample, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 1u);
  const auto& e = batch.entries()[0];
  EXPECT_EQ(e.timestamp_ns, 1544712660300000000);
  EXPECT_EQ(e.severity, 10);
  EXPECT_EQ(e.severity_text, "Information");
  EXPECT_EQ(e.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(e.span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(e.body, "Example log record");
  EXPECT_EQ(StreamOf(batch, e), R"({service_name="my.service"})");
  EXPECT_EQ(Field(batch, e, "scope_name"), "my.library");
  EXPECT_EQ(Field(batch, e, "string_attribute"), "some string");
  EXPECT_EQ(Field(batch, e, "boolean_attribute"), "true");
  EXPECT_EQ(Field(batch, e, "int_attribute"), "10");
  EXPECT_EQ(Field(batch, e, "double_attribute"), "637.704");
  EXPECT_EQ(Field(batch, e, "array_attribute"), R"(["many","values"])");
  EXPECT_EQ(Field(batch, e, "map_attribute"), R"({"some.map.key":"some value"})");
}

TEST(OtlpLogsJsonTest, SnakeCaseAnyOrderAndLenientValues) {
  // Original proto field names, the resource after its scopes, enums by name, numbers as
  // numbers, and a structured body.
  std::string body = R"({"resource_logs":[{
    "scope_logs":[{"log_records":[
      {"body":{"kvlist_value":{"values":[{"value":{"int_value":3},"key":"n"},{"key":"d","value":{"double_value":"NaN"}}]}},
       "severity_number":"SEVERITY_NUMBER_WARN","time_unix_nano":1544712660300000000,"trace_id":"","event_name":"e"},
      {"observedTimeUnixNano":"5","body":{"arrayValue":{}},"flags":1,"droppedAttributesCount":0,"someFutureField":{"x":[1]}},
      {"body":null,"severityText":"ERROR"}
    ],"scope":{"name":"lib"}}],
    "resource":{"attributes":[{"value":{"stringValue":"api"},"key":"service.name"},
                              {"key":"k8s.namespace.name","value":{"stringValue":"prod"}},
                              {"key":"host.name","value":{"stringValue":"web-1"}},
                              {"key":"no.value"}]}}]})";
  OtlpLogsJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 3u);
  const auto& e0 = batch.entries()[0];
  EXPECT_EQ(StreamOf(batch, e0), R"({k8s_namespace_name="prod", service_name="api"})");
  EXPECT_EQ(e0.body, R"({"n":3,"d":"NaN"})");
  EXPECT_EQ(e0.severity, kSeverityWarn);
  EXPECT_EQ(e0.timestamp_ns, 1544712660300000000);
  EXPECT_EQ(e0.trace_id, "");
  EXPECT_EQ(Field(batch, e0, "host_name"), "web-1");
  EXPECT_EQ(Field(batch, e0, "scope_name"), "lib");
  EXPECT_EQ(Field(batch, e0, "event_name"), "e");
  EXPECT_FALSE(Field(batch, e0, "no_value"));
  EXPECT_EQ(batch.entries()[1].timestamp_ns, 5);
  EXPECT_EQ(batch.entries()[1].body, "[]");
  EXPECT_EQ(batch.entries()[2].timestamp_ns, kNow);
  EXPECT_EQ(batch.entries()[2].severity, kSeverityError);
  EXPECT_EQ(batch.entries()[2].body, "");
}

TEST(OtlpLogsJsonTest, BadRecordsAreRefusedAlone) {
  std::string body =
      "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":["
      "{\"body\":{\"stringValue\":\"ok\"}},"                                  // 0
      "{\"traceId\":\"xyz\"},"                                                // 1
      "{\"spanId\":\"0011\"},"                                                // 2
      "{\"timeUnixNano\":true},"                                              // 3
      "{\"timeUnixNano\":\"12abc\"},"                                         // 4
      "{\"body\":{\"stringValue\":\"bad \xff\"}},"                            // 5
      "{\"body\":\"plain string\"},"                                          // 6
      "{\"severityNumber\":\"LOUD\"},"                                        // 7
      "{\"attributes\":{\"k\":\"v\"}},"                                       // 8
      "{\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"1.5\"}}]},"  // 9
      "\"not an object\","                                                    // 10
      "{\"timeUnixNano\":\"18446744073709551615\"},"                          // 11
      "{\"body\":{\"stringValue\":\"ok 2\"}}"                                 // 12
      "]}]}]}";
  OtlpLogsJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 13u);
  EXPECT_EQ(r.rejected, 11u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.entries()[1].body, "ok 2");
  ASSERT_EQ(r.errors.size(), 11u);
  const std::string p = "resourceLogs[0].scopeLogs[0].logRecords[";
  EXPECT_EQ(r.errors[0].message, p + "1]: invalid trace_id \"xyz\": not a hex string");
  EXPECT_EQ(r.errors[1].message, p + "2]: invalid span_id \"0011\": 4 hex digits, expected 16");
  EXPECT_EQ(r.errors[2].message, p + "3]: timeUnixNano must be an unsigned integer, got boolean");
  EXPECT_EQ(r.errors[3].message, p + "4]: timeUnixNano is not an unsigned integer");
  EXPECT_EQ(r.errors[4].message, p + "5]: body: invalid UTF-8 in stringValue");
  EXPECT_EQ(r.errors[5].message, p + "6]: body: AnyValue must be an object, got string");
  EXPECT_EQ(r.errors[6].message, p + "7]: severityNumber \"LOUD\" is not a SeverityNumber");
  EXPECT_EQ(r.errors[7].message, p + "8]: attributes must be an array, got object");
  EXPECT_EQ(r.errors[8].message, p + "9]: attribute \"k\": intValue is not an integer");
  EXPECT_EQ(r.errors[9].message, p + "10]: expected an object, got string");
  EXPECT_EQ(r.errors[10].message, p + "11]: timeUnixNano 18446744073709551615 is out of range");
}

TEST(OtlpLogsJsonTest, BadResourceRefusesItsRecords) {
  std::string body = R"({"resourceLogs":[
    {"resource":{"attributes":[{"key":"service.name","value":{"arrayValue":{"values":"x"}}}]},
     "scopeLogs":[{"logRecords":[{},{}]}]},
    {"resource":"nope","scopeLogs":[{"logRecords":[{}]}]},
    {"scopeLogs":[{"scope":{"name":7},"logRecords":[{}]},{"logRecords":[{"body":{"stringValue":"kept"}}]}]}]})";
  OtlpLogsJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 5u);
  EXPECT_EQ(r.rejected, 4u);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(StreamOf(batch, batch.entries()[0]), R"({service_name="unknown_service"})");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message,
            "resourceLogs[0]: resource: attribute \"service.name\": arrayValue.values must be an "
            "array, got string (2 log records refused)");
  EXPECT_EQ(r.errors[1].message,
            "resourceLogs[1]: resource must be an object, got string (1 log record refused)");
  EXPECT_EQ(r.errors[2].message,
            "resourceLogs[2].scopeLogs[0]: scope name must be a string, got number (1 log record "
            "refused)");
}

TEST(OtlpLogsJsonTest, DeepNestingIsRefused) {
  std::string deep = R"({"stringValue":"leaf"})";
  for (int i = 0; i < 40; ++i) deep = StrCat(R"({"arrayValue":{"values":[)", deep, "]}}");
  std::string body = StrCat(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)", deep,
                            R"(},{"body":{"stringValue":"ok"}}]}]}]})");
  OtlpLogsJsonDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(batch.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("value nested deeper than 32 levels"));
}

TEST(OtlpLogsJsonTest, MalformedRequests) {
  for (std::string_view body : {
           std::string_view("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{}]}]}"),
           std::string_view("{\"resourceLogs\":{}}"),
           std::string_view("{\"resourceLogs\":[1]}"),
           std::string_view("{\"resourceLogs\":[{\"scopeLogs\":\"x\"}]}"),
           std::string_view("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":{}}]}]}"),
           std::string_view("{\"resourceLogs\":[]} []"),
           std::string_view("[]"),
           std::string_view("garbage"),
       }) {
    OtlpLogsJsonDecoder decoder;
    LogBatch batch;
    LogDecodeResult r = decoder.Decode(body, kNow, &batch);
    EXPECT_FALSE(r.status.ok()) << body;
    EXPECT_TRUE(batch.empty()) << body;
  }
  OtlpLogsJsonDecoder decoder;
  LogBatch batch;
  EXPECT_EQ(
      decoder.Decode("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":{}}]}]}", kNow, &batch)
          .status.message(),
      "malformed OTLP/JSON logs request: resourceLogs[0].scopeLogs[0].logRecords: expected "
      "an array, got object");
  EXPECT_TRUE(decoder.Decode("{}", kNow, &batch).ok());
  EXPECT_TRUE(decoder.Decode("{\"resourceLogs\":[]}", kNow, &batch).ok());
}

}  // namespace
}  // namespace vigil
