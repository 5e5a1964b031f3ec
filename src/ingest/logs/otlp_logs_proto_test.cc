#include "ingest/logs/otlp_logs_proto.h"

#include <bit>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/proto_wire.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/logs/log_test_util.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using testing_logs::Field;
using testing_logs::StreamOf;

constexpr int64_t kT = 1714564800000000000;  // 2024-05-01T12:00:00Z
constexpr int64_t kNow = 1714564999000000000;

// ---- Builders for the wire format ----

std::string Msg(const std::function<void(proto::WireWriter&)>& fill) {
  std::string out;
  proto::WireWriter w(&out);
  fill(w);
  return out;
}

std::string Str(std::string_view s) {
  return Msg([&](auto& w) { w.BytesField(1, s); });
}
std::string Bool(bool b) {
  return Msg([&](auto& w) { w.VarintField(2, b ? 1 : 0); });
}
std::string Int(int64_t v) {
  return Msg([&](auto& w) { w.VarintField(3, static_cast<uint64_t>(v)); });
}
std::string Dbl(double v) {
  return Msg([&](auto& w) { w.Fixed64Field(4, std::bit_cast<uint64_t>(v)); });
}
std::string Bytes(std::string_view b) {
  return Msg([&](auto& w) { w.BytesField(7, b); });
}
std::string Array(const std::vector<std::string>& values) {
  std::string arr = Msg([&](auto& w) {
    for (const auto& v : values) w.BytesField(1, v);
  });
  return Msg([&](auto& w) { w.BytesField(5, arr); });
}
std::string KV(std::string_view key, const std::string& value) {
  return Msg([&](auto& w) {
    w.BytesField(1, key);
    w.BytesField(2, value);
  });
}
std::string KvList(const std::vector<std::string>& kvs) {
  std::string list = Msg([&](auto& w) {
    for (const auto& kv : kvs) w.BytesField(1, kv);
  });
  return Msg([&](auto& w) { w.BytesField(6, list); });
}

struct Record {
  uint64_t time = 0, observed = 0;
  int severity = 0;
  std::string severity_text, body;  // body: an encoded AnyValue, or "" for none
  std::vector<std::string> attrs;   // encoded KeyValues
  std::string trace_id, span_id, event_name;
};

std::string EncodeRecord(const Record& r) {
  std::string out;
  proto::WireWriter w(&out);
  if (r.time) w.Fixed64Field(1, r.time);
  if (r.severity) w.VarintField(2, r.severity);
  if (!r.severity_text.empty()) w.BytesField(3, r.severity_text);
  if (!r.body.empty()) w.BytesField(5, r.body);
  for (const auto& a : r.attrs) w.BytesField(6, a);
  w.VarintField(7, 0);        // dropped_attributes_count
  w.Tag(8, proto::kFixed32);  // flags: sampled
  out.append("\x01\x00\x00\x00", 4);
  if (!r.trace_id.empty()) w.BytesField(9, r.trace_id);
  if (!r.span_id.empty()) w.BytesField(10, r.span_id);
  if (r.observed) w.Fixed64Field(11, r.observed);
  if (!r.event_name.empty()) w.BytesField(12, r.event_name);
  w.BytesField(99, "unknown field");
  return out;
}

std::string Scope(std::string_view name, const std::vector<std::string>& records) {
  std::string scope = Msg([&](auto& w) {
    w.BytesField(1, name);
    w.BytesField(2, "1.0.0");
  });
  return Msg([&](auto& w) {
    if (!name.empty()) w.BytesField(1, scope);
    for (const auto& r : records) w.BytesField(2, r);
    w.BytesField(3, "https://opentelemetry.io/schemas/1.24.0");
  });
}

std::string Resource(const std::vector<std::string>& attrs,
                     const std::vector<std::string>& scopes) {
  std::string resource = Msg([&](auto& w) {
    for (const auto& a : attrs) w.BytesField(1, a);
  });
  return Msg([&](auto& w) {
    w.BytesField(1, resource);
    for (const auto& s : scopes) w.BytesField(2, s);
  });
}

std::string Request(const std::vector<std::string>& resources) {
  return Msg([&](auto& w) {
    for (const auto& r : resources) w.BytesField(1, r);
  });
}

const std::string kTraceId("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16);
const std::string kSpanId("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8);

// What an OpenTelemetry SDK exports: one resource, one scope, records of every shape.
TEST(OtlpLogsProtoTest, SdkExport) {
  std::string body = Request({Resource(
      {KV("service.name", Str("checkout")), KV("service.version", Str("1.2.3")),
       KV("deployment.environment", Str("prod")), KV("k8s.namespace.name", Str("shop")),
       KV("k8s.pod.name", Str("checkout-5d8")), KV("telemetry.sdk.language", Str("python")),
       KV("process.pid", Int(4242))},
      {Scope("checkout.payments",
             {EncodeRecord({.time = static_cast<uint64_t>(kT),
                            .observed = static_cast<uint64_t>(kT + 7),
                            .severity = 17,
                            .severity_text = "ERROR",
                            .body = Str("payment declined"),
                            .attrs = {KV("http.method", Str("POST")),
                                      KV("http.status_code", Int(502)), KV("retry", Bool(true)),
                                      KV("latency", Dbl(0.25)), KV("blob", Bytes("\x01\x02\xff")),
                                      KV("tags", Array({Str("a"), Int(-1), Dbl(1e300)})),
                                      KV("ctx", KvList({KV("user", Str("u\"1")),
                                                        KV("nested", Array({})), KV("empty", "")})),
                                      KV("k8s.pod.name", Str("overridden"))},
                            .trace_id = kTraceId,
                            .span_id = kSpanId,
                            .event_name = "payment.failed"}),
              EncodeRecord({.observed = static_cast<uint64_t>(kT + 1),
                            .severity_text = "warning",
                            .body = KvList({KV("msg", Str("slow")), KV("ms", Int(1500))}),
                            .trace_id = std::string(16, '\0'),
                            .span_id = std::string(8, '\0')}),
              EncodeRecord({.body = Dbl(std::numeric_limits<double>::quiet_NaN())})})})});
  OtlpLogsProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 3u);
  ASSERT_EQ(batch.streams().size(), 1u);
  EXPECT_EQ(
      batch.streams()[0].ToString(),
      R"({deployment_environment="prod", k8s_namespace_name="shop", service_name="checkout"})");

  const auto& e0 = batch.entries()[0];
  EXPECT_EQ(e0.timestamp_ns, kT);
  EXPECT_EQ(e0.severity, kSeverityError);
  EXPECT_EQ(e0.severity_text, "ERROR");
  EXPECT_EQ(e0.body, "payment declined");
  EXPECT_EQ(e0.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(e0.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(Field(batch, e0, "service_version"), "1.2.3");
  EXPECT_EQ(Field(batch, e0, "telemetry_sdk_language"), "python");
  EXPECT_EQ(Field(batch, e0, "process_pid"), "4242");
  EXPECT_EQ(Field(batch, e0, "scope_name"), "checkout.payments");
  EXPECT_EQ(Field(batch, e0, "http_method"), "POST");
  EXPECT_EQ(Field(batch, e0, "http_status_code"), "502");
  EXPECT_EQ(Field(batch, e0, "retry"), "true");
  EXPECT_EQ(Field(batch, e0, "latency"), "0.25");
  EXPECT_EQ(Field(batch, e0, "blob"), "AQL/");
  EXPECT_EQ(Field(batch, e0, "tags"), R"(["a",-1,1e+300])");
  EXPECT_EQ(Field(batch, e0, "ctx"), R"({"user":"u\"1","nested":[],"empty":null})");
  EXPECT_EQ(Field(batch, e0, "k8s_pod_name"), "overridden");  // the record's attribute wins
  EXPECT_EQ(Field(batch, e0, "event_name"), "payment.failed");
  EXPECT_FALSE(Field(batch, e0, "service_name"));

  const auto& e1 = batch.entries()[1];
  EXPECT_EQ(e1.timestamp_ns, kT + 1);     // observed time when time is 0
  EXPECT_EQ(e1.severity, kSeverityWarn);  // from the text when the number is unset
  EXPECT_EQ(e1.body, R"({"msg":"slow","ms":1500})");
  EXPECT_EQ(e1.trace_id, "");  // all-zero ids are absent
  EXPECT_EQ(e1.span_id, "");

  const auto& e2 = batch.entries()[2];
  EXPECT_EQ(e2.timestamp_ns, kNow);  // no time at all: the receive time
  EXPECT_EQ(e2.body, "NaN");
  EXPECT_EQ(e2.severity, kSeverityUnspecified);
}

TEST(OtlpLogsProtoTest, ServiceNameFallbacks) {
  std::string body = Request({
      Resource({KV("app", Str("legacy"))}, {Scope("", {EncodeRecord({.body = Str("a")})})}),
      Resource({}, {Scope("", {EncodeRecord({.body = Str("b")})})}),
  });
  OtlpLogsProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(StreamOf(batch, batch.entries()[0]), R"({service_name="legacy"})");
  EXPECT_EQ(StreamOf(batch, batch.entries()[1]), R"({service_name="unknown_service"})");
  EXPECT_FALSE(Field(batch, batch.entries()[0], "scope_name"));
}

std::string Nested(int depth) {
  std::string v = Str("leaf");
  for (int i = 0; i < depth; ++i) v = Array({v});
  return v;
}

TEST(OtlpLogsProtoTest, BadRecordsAreRefusedAlone) {
  std::string time_as_varint = Msg([](auto& w) { w.VarintField(1, 5); });
  std::string truncated_attr = Msg([](auto& w) {
    w.BytesField(6, std::string("\x0a\x09"
                                "ab",
                                4));
  });
  std::vector<std::string> records = {
      EncodeRecord({.body = Str("ok")}),                                  // 0
      EncodeRecord({.body = Str("short id"), .trace_id = "abcde"}),       // 1
      time_as_varint,                                                     // 2
      EncodeRecord({.body = Str("bad \xe2\x28\xa1 utf8")}),               // 3
      EncodeRecord({.body = Str("x"), .attrs = {KV("k", Str("\xff"))}}),  // 4
      EncodeRecord({.body = Str("x"), .span_id = "123"}),                 // 5
      truncated_attr,                                                     // 6
      EncodeRecord({.time = ~uint64_t{0}, .body = Str("x")}),             // 7
      EncodeRecord({.body = Nested(40)}),                                 // 8
      EncodeRecord({.body = KvList({KV("\xc0", Str("x"))})}),             // 9
      EncodeRecord({.body = Nested(30)}),                                 // 10
  };
  OtlpLogsProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(Request({Resource({}, {Scope("s", records)})}), kNow, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 11u);
  EXPECT_EQ(r.rejected, 9u);
  ASSERT_EQ(batch.size(), 2u);
  ASSERT_EQ(r.errors.size(), 9u);
  const std::string p = "resource_logs[0].scope_logs[0].log_records[";
  EXPECT_EQ(r.errors[0].message, p + "1]: invalid trace_id: 5 bytes, expected 16");
  EXPECT_EQ(r.errors[1].message, p + "2]: time_unix_nano has wire type varint, expected fixed64");
  EXPECT_EQ(r.errors[2].message, p + "3]: body: invalid UTF-8");
  EXPECT_EQ(r.errors[3].message, p + "4]: attribute \"k\": invalid UTF-8");
  EXPECT_EQ(r.errors[4].message, p + "5]: invalid span_id: 3 bytes, expected 8");
  EXPECT_THAT(r.errors[5].message,
              HasSubstr(p + "6]: malformed KeyValue: length-delimited field runs past the end"));
  EXPECT_EQ(r.errors[6].message, p + "7]: time_unix_nano 18446744073709551615 is out of range");
  EXPECT_EQ(r.errors[7].message, p + "8]: body: value nested deeper than 32 levels");
  EXPECT_THAT(r.errors[8].message, HasSubstr(p + "9]: body: invalid UTF-8 in attribute key"));
  EXPECT_EQ(r.errors[8].ordinal, 9u);
}

TEST(OtlpLogsProtoTest, BadResourceOrScopeRefusesItsRecords) {
  std::string body = Request({
      Resource({KV("service.name", Str("\xff"))},
               {Scope("a", {EncodeRecord({.body = Str("1")}), EncodeRecord({.body = Str("2")})}),
                Scope("b", {EncodeRecord({.body = Str("3")})})}),
      Resource({KV("service.name", Str(std::string(2000, 'x')))},
               {Scope("", {EncodeRecord({.body = Str("4")})})}),
      Resource({KV("service.name", Str("ok"))},
               {Scope("bad \xff scope", {EncodeRecord({.body = Str("5")})}),
                Scope("fine", {EncodeRecord({.body = Str("kept")})})}),
  });
  OtlpLogsProtoDecoder decoder;
  LogBatch batch;
  LogDecodeResult r = decoder.Decode(body, kNow, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 6u);
  EXPECT_EQ(r.rejected, 5u);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch.entries()[0].body, "kept");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message,
            "resource_logs[0]: resource: attribute \"service.name\": invalid UTF-8 "
            "(3 log records refused)");
  EXPECT_EQ(r.errors[0].entries, 3u);
  EXPECT_EQ(r.errors[1].message,
            "resource_logs[1]: resource: value of label \"service_name\" is 2000 bytes, limit "
            "1024 (1 log record refused)");
  EXPECT_EQ(r.errors[2].message,
            "resource_logs[2].scope_logs[0]: invalid UTF-8 in scope name (1 log record refused)");
}

TEST(OtlpLogsProtoTest, BrokenFramingFailsTheRequest) {
  std::string good = Request(
      {Resource({KV("service.name", Str("a"))}, {Scope("s", {EncodeRecord({.body = Str("x")})})})});
  OtlpLogsProtoDecoder decoder;
  // Any cut that breaks the outer framing fails the whole request; cuts that land exactly on
  // a field boundary of the outer message are valid (shorter) requests.
  int failed = 0;
  for (size_t cut = 1; cut < good.size(); ++cut) {
    LogBatch batch;
    LogDecodeResult r = decoder.Decode(std::string_view(good).substr(0, cut), kNow, &batch);
    if (!r.status.ok()) {
      ++failed;
      EXPECT_TRUE(batch.empty());
      EXPECT_EQ(r.total, 0u);
    }
  }
  EXPECT_EQ(failed, static_cast<int>(good.size()) - 1);
  LogBatch batch;
  std::string scope_logs_varint = Msg([](auto& w) { w.VarintField(2, 1); });
  LogDecodeResult r = decoder.Decode(Request({scope_logs_varint}), kNow, &batch);
  EXPECT_EQ(r.status.message(),
            "malformed OTLP logs request: resource_logs[0]: scope_logs has wire type varint, "
            "expected length-delimited");
  EXPECT_FALSE(
      decoder.Decode(std::string("\x0a\xff\xff\xff\xff\x0f", 6), kNow, &batch).status.ok());
  EXPECT_TRUE(decoder.Decode("", kNow, &batch).ok());  // an empty export is a success
}

TEST(OtlpSeverityTest, NamesAndNumbers) {
  EXPECT_EQ(OtlpSeverityFromName("SEVERITY_NUMBER_INFO"), 9);
  EXPECT_EQ(OtlpSeverityFromName("SEVERITY_NUMBER_FATAL4"), 24);
  EXPECT_EQ(OtlpSeverityFromName("SEVERITY_NUMBER_UNSPECIFIED"), 0);
  EXPECT_EQ(OtlpSeverityFromName("SEVERITY_NUMBER_INFO5"), -1);
  EXPECT_EQ(OtlpSeverityFromName("INFO"), -1);
  EXPECT_EQ(OtlpSeverity(99, "error"), kSeverityError);
  EXPECT_EQ(OtlpSeverity(10, "whatever"), 10);
}

}  // namespace
}  // namespace vigil
