#include "ingest/traces/otlp_traces_proto.h"

#include <string>
#include <vector>

#include "common/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/traces/otlp_traces_test_util.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using namespace testing_traces;  // NOLINT: message builders

constexpr uint64_t kT = 1714564800000000000;  // 2024-05-01T12:00:00Z

const std::string kTraceId("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16);
const std::string kSpanId("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8);
const std::string kParentId("\x53\x99\x5c\x3f\x42\xcd\x8a\xd8", 8);
const std::string kLinkTraceId(16, '\x11');
const std::string kLinkSpanId(8, '\x22');

TraceId Tid(std::string_view hex) {
  TraceId t;
  EXPECT_TRUE(TraceId::FromHex(hex, &t));
  return t;
}

SpanSpec Good() {
  SpanSpec s;
  s.trace_id = kTraceId;
  s.span_id = kSpanId;
  s.name = "op";
  s.start = kT;
  s.end = kT + 1000;
  return s;
}

template <typename F>
std::string GoodWith(F change) {
  SpanSpec s = Good();
  change(s);
  return EncodeSpan(s);
}

// Decodes one request of `spans` into `batch`; the batch holds views of the body, so the body
// is kept in `*body`, which must outlive the batch.
SpanDecodeResult DecodeSpans(const std::vector<std::string>& spans, SpanBatch* batch,
                             std::string* body, const SpanLimits& limits = {}) {
  OtlpTracesProtoDecoder decoder(limits);
  *body = Request({Resource({KV("service.name", Str("svc"))}, {Scope("lib", "", spans)})});
  return decoder.Decode(*body, batch);
}

// Every field of the model, as an OpenTelemetry SDK exports it.
TEST(OtlpTracesProtoTest, EveryField) {
  SpanSpec s = Good();
  s.trace_state = "congo=t61rcWkgMzE";
  s.parent_span_id = kParentId;
  s.name = "POST /checkout";
  s.kind = 3;
  s.start = kT;
  s.end = kT + 25'000'000;
  s.attrs = {KV("http.method", Str("POST")),
             KV("http.status_code", Int(502)),
             KV("retry", Bool(true)),
             KV("latency", Dbl(0.25)),
             KV("blob", Bytes("\x01\x02\xff")),
             KV("tags", Array({Str("a"), Int(-1)})),
             KV("ctx", KvList({KV("user", Str("u1"))})),
             KV("", Str("no key: skipped")),
             KV("unset", "")};
  s.dropped_attributes = 3;
  s.events = {EncodeEvent({.time = kT + 10,
                           .name = "exception",
                           .attrs = {KV("exception.message", Str("boom"))},
                           .dropped = 1}),
              EncodeEvent({.time = kT + 20, .name = "retry"})};
  s.dropped_events = 4;
  s.links = {EncodeLink({.trace_id = kLinkTraceId,
                         .span_id = kLinkSpanId,
                         .trace_state = "a=b",
                         .attrs = {KV("link.kind", Str("follows"))},
                         .dropped = 2,
                         .flags = 1})};
  s.dropped_links = 5;
  s.status_message = "declined";
  s.status_code = 2;
  s.flags = 0x101;
  std::string span = EncodeSpan(s) + Msg([](auto& w) { w.BytesField(99, "unknown field"); });
  SpanSpec root = Good();
  root.span_id = kParentId;
  root.parent_span_id = std::string(8, '\0');  // all zero: no parent
  root.kind = 2;
  std::string body = Request({
      Resource({KV("service.name", Str("checkout")), KV("service.version", Str("1.2.3")),
                KV("process.pid", Int(4242))},
               {Scope("checkout.http", "0.9.1", {span, EncodeSpan(root)})}),
      Resource({}, {Scope("", "", {EncodeSpan(Good())})}),
  });
  OtlpTracesProtoDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.total, 3u);
  EXPECT_EQ(r.Summary(), "3 spans accepted");
  ASSERT_EQ(batch.size(), 3u);
  ASSERT_EQ(batch.resources().size(), 2u);

  Span want;
  want.trace_id = Tid("4bf92f3577b34da6a3ce929d0e0e4736");
  want.span_id = 0x00f067aa0ba902b7;
  want.parent_span_id = 0x53995c3f42cd8ad8;
  want.trace_state = "congo=t61rcWkgMzE";
  want.name = "POST /checkout";
  want.kind = SpanKind::kClient;
  want.start_ns = static_cast<int64_t>(kT);
  want.end_ns = static_cast<int64_t>(kT + 25'000'000);
  want.status = SpanStatus::kError;
  want.status_message = "declined";
  want.flags = 0x101;
  want.service_name = "checkout";
  want.resource_attributes = {{"service.name", "checkout", AttributeType::kString},
                              {"service.version", "1.2.3", AttributeType::kString},
                              {"process.pid", "4242", AttributeType::kInt}};
  want.scope_name = "checkout.http";
  want.scope_version = "0.9.1";
  want.attributes = {{"http.method", "POST", AttributeType::kString},
                     {"http.status_code", "502", AttributeType::kInt},
                     {"retry", "true", AttributeType::kBool},
                     {"latency", "0.25", AttributeType::kDouble},
                     {"blob", "AQL/", AttributeType::kBytes},
                     {"tags", R"(["a",-1])", AttributeType::kArray},
                     {"ctx", R"({"user":"u1"})", AttributeType::kKvList}};
  want.events = {{static_cast<int64_t>(kT + 10),
                  "exception",
                  {{"exception.message", "boom", AttributeType::kString}},
                  1},
                 {static_cast<int64_t>(kT + 20), "retry", {}, 0}};
  want.links = {{Tid("11111111111111111111111111111111"),
                 0x2222222222222222,
                 "a=b",
                 {{"link.kind", "follows", AttributeType::kString}},
                 2}};
  want.dropped_attributes_count = 3;
  want.dropped_events_count = 4;
  want.dropped_links_count = 5;
  Span got = batch.ToSpan(0);
  EXPECT_EQ(got.trace_id.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(SpanIdHex(got.span_id), "00f067aa0ba902b7");
  EXPECT_EQ(got.attributes, want.attributes);
  EXPECT_EQ(got.events, want.events);
  EXPECT_EQ(got.links, want.links);
  EXPECT_EQ(got.resource_attributes, want.resource_attributes);
  EXPECT_TRUE(got == want);

  Span root_got = batch.ToSpan(1);
  EXPECT_EQ(root_got.parent_span_id, 0u);
  EXPECT_EQ(root_got.kind, SpanKind::kServer);
  EXPECT_EQ(root_got.status, SpanStatus::kUnset);
  EXPECT_EQ(root_got.service_name, "checkout");
  EXPECT_EQ(batch.spans()[0].resource, batch.spans()[1].resource);

  Span other = batch.ToSpan(2);
  EXPECT_EQ(other.service_name, "unknown_service");
  EXPECT_TRUE(other.resource_attributes.empty());
  EXPECT_EQ(other.scope_name, "");
  EXPECT_EQ(r.clamped, 0u);
  EXPECT_EQ(r.truncated, 0u);
}

TEST(OtlpTracesProtoTest, EveryRuleRefusesOnlyItsSpan) {
  std::string name_as_varint = EncodeSpan(Good()) + Msg([](auto& w) { w.VarintField(5, 1); });
  std::string start_as_varint = EncodeSpan(Good()) + Msg([](auto& w) { w.VarintField(7, 1); });
  std::string flags_as_fixed64 = EncodeSpan(Good()) + Msg([](auto& w) { w.Fixed64Field(16, 1); });
  std::string truncated_attr = EncodeSpan(Good()) + Msg([](auto& w) {
                                 w.BytesField(9, std::string("\x0a\x09"
                                                             "ab",
                                                             4));
                               });
  std::string truncated_span = EncodeSpan(Good()) + std::string(
                                                        "\x2a\x05"
                                                        "ab",
                                                        4);
  std::vector<std::string> spans = {
      EncodeSpan(Good()),                                                      // 0
      GoodWith([](SpanSpec& s) { s.trace_id = std::string(15, 'x'); }),        // 1
      GoodWith([](SpanSpec& s) { s.trace_id.clear(); }),                       // 2
      GoodWith([](SpanSpec& s) { s.trace_id = std::string(16, '\0'); }),       // 3
      GoodWith([](SpanSpec& s) { s.span_id = std::string(7, 'x'); }),          // 4
      GoodWith([](SpanSpec& s) { s.span_id = std::string(8, '\0'); }),         // 5
      GoodWith([](SpanSpec& s) { s.span_id.clear(); }),                        // 6
      GoodWith([](SpanSpec& s) { s.parent_span_id = std::string(9, 'x'); }),   // 7
      GoodWith([](SpanSpec& s) { s.parent_span_id = std::string(8, '\0'); }),  // 8 ok
      GoodWith([](SpanSpec& s) { s.name = "bad \xe2\x28\xa1"; }),              // 9
      GoodWith([](SpanSpec& s) { s.start = 0; }),                              // 10
      GoodWith([](SpanSpec& s) { s.start = ~uint64_t{0}; }),                   // 11
      GoodWith([](SpanSpec& s) { s.end = uint64_t{1} << 63; }),                // 12
      GoodWith([](SpanSpec& s) { s.end = kT - 5; }),                           // 13 ok
      GoodWith([](SpanSpec& s) { s.end = 0; }),                                // 14 ok
      name_as_varint,                                                          // 15
      start_as_varint,                                                         // 16
      truncated_attr,                                                          // 17
      truncated_span,                                                          // 18
      GoodWith([](SpanSpec& s) {                                               // 19
        s.links = {EncodeLink({.trace_id = "abcd", .span_id = kLinkSpanId})};
      }),
      GoodWith([](SpanSpec& s) {  // 20
        s.events = {EncodeEvent({.time = kT, .name = "fine"}),
                    EncodeEvent({.time = kT, .name = "\xc0"})};
      }),
      GoodWith([](SpanSpec& s) {  // 21
        s.events = {EncodeEvent({.time = ~uint64_t{0}, .name = "late"})};
      }),
      GoodWith([](SpanSpec& s) { s.status_message = "\xff"; }),         // 22
      GoodWith([](SpanSpec& s) { s.attrs = {KV("k", Str("\xff"))}; }),  // 23
      GoodWith([](SpanSpec& s) {                                        // 24 ok
        s.kind = 99;
        s.status_code = 7;
      }),
      GoodWith([](SpanSpec& s) { s.trace_state = "\xff"; }),  // 25
      flags_as_fixed64,                                       // 26
      GoodWith([](SpanSpec& s) {                              // 27
        s.links = {EncodeLink({.trace_id = kLinkTraceId, .span_id = std::string(8, '\0')})};
      }),
  };
  SpanBatch batch;
  std::string body;
  SpanDecodeResult r = DecodeSpans(spans, &batch, &body);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 28u);
  EXPECT_EQ(r.rejected, 23u);
  ASSERT_EQ(batch.size(), 5u);
  EXPECT_EQ(r.clamped, 2u);
  const std::string p = "resource_spans[0].scope_spans[0].spans[";
  std::vector<std::string> want = {
      p + "1]: invalid trace_id: 15 bytes, expected 16",
      p + "2]: missing trace_id",
      p + "3]: invalid trace_id: all zero",
      p + "4]: invalid span_id: 7 bytes, expected 8",
      p + "5]: invalid span_id: all zero",
      p + "6]: missing span_id",
      p + "7]: invalid parent_span_id: 9 bytes, expected 8",
      p + "9]: invalid UTF-8 in name",
      p + "10]: missing start time",
      p + "11]: start time 18446744073709551615 ns is out of range",
      p + "12]: end time 9223372036854775808 ns is out of range",
      p + "15]: name has wire type varint, expected length-delimited",
      p + "16]: start_time_unix_nano has wire type varint, expected fixed64",
      p + "17]: malformed KeyValue: length-delimited field runs past the end at byte 2",
      p + "18]: malformed span: length-delimited field runs past the end at byte 52",
      p + "19]: links[0]: invalid trace_id: 4 bytes, expected 16",
      p + "20]: events[1]: invalid UTF-8 in name",
      p + "21]: events[0]: time_unix_nano 18446744073709551615 is out of range",
      p + "22]: invalid UTF-8 in status.message",
      p + "23]: attribute \"k\": invalid UTF-8",
      p + "25]: invalid UTF-8 in trace_state",
      p + "26]: flags has wire type fixed64, expected fixed32",
      p + "27]: links[0]: invalid span_id: all zero",
  };
  ASSERT_EQ(r.errors.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.errors[i].message, want[i]) << i;
  EXPECT_EQ(r.errors[0].ordinal, 1u);
  EXPECT_EQ(r.errors.back().ordinal, 27u);
  EXPECT_THAT(r.Summary(), HasSubstr("23 of 28 spans refused: " + p + "1]: invalid trace_id"));

  EXPECT_EQ(batch.spans()[1].parent_span_id, 0u);  // 8: all-zero parent
  // 13 and 14: end before start is clamped to the start, not refused.
  EXPECT_EQ(batch.spans()[2].start_ns, static_cast<int64_t>(kT));
  EXPECT_EQ(batch.spans()[2].end_ns, static_cast<int64_t>(kT));
  EXPECT_EQ(batch.spans()[3].end_ns, static_cast<int64_t>(kT));
  // 24: values outside the enums read as unspecified / unset.
  EXPECT_EQ(batch.spans()[4].kind, SpanKind::kUnspecified);
  EXPECT_EQ(batch.spans()[4].status, SpanStatus::kUnset);
  // Refused spans leave nothing behind.
  EXPECT_TRUE(batch.attributes().size() == 1 && batch.events().empty() && batch.links().empty());
}

TEST(OtlpTracesProtoTest, LongValuesAreTruncatedAtACharacterBoundary) {
  std::string megabyte(1 << 20, 'x');
  std::string euros;
  for (int i = 0; i < 30000; ++i) euros += "\xe2\x82\xac";  // 3 bytes each
  std::vector<std::string> big_array;
  for (int i = 0; i < 20000; ++i) big_array.push_back(Str("abcdef"));
  SpanSpec s = Good();
  s.attrs = {KV("mb", Str(megabyte)), KV("euros", Str(euros)), KV("arr", Array(big_array)),
             KV("small", Str("kept"))};
  s.events = {EncodeEvent({.time = kT, .name = "e", .attrs = {KV("payload", Str(megabyte))}})};
  std::string body =
      Request({Resource({KV("service.name", Str(megabyte))}, {Scope("lib", "", {EncodeSpan(s)})})});
  OtlpTracesProtoDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(r.truncated, 5u);  // mb, euros, arr, the event's payload, the resource's name
  auto attrs = batch.AttributesOf(batch.spans()[0]);
  ASSERT_EQ(attrs.size(), 4u);
  EXPECT_EQ(attrs[0].value.size(), 65536u);
  EXPECT_EQ(attrs[0].value, megabyte.substr(0, 65536));
  // 65536 falls inside the 21846th euro sign: cut before it.
  EXPECT_EQ(attrs[1].value.size(), 65535u);
  EXPECT_TRUE(IsValidUtf8(attrs[1].value));
  EXPECT_EQ(attrs[2].value.size(), 65536u);
  EXPECT_EQ(attrs[2].type, AttributeType::kString);  // no longer a whole JSON array
  EXPECT_EQ(attrs[3].value, "kept");
  EXPECT_EQ(batch.AttributesOf(batch.events()[0])[0].value.size(), 65536u);
  EXPECT_EQ(batch.resources()[0].service_name.size(), 65536u);
}

TEST(OtlpTracesProtoTest, CountsBeyondTheLimitsAreDropped) {
  SpanLimits limits;
  limits.max_attributes = 4;
  limits.max_events = 2;
  limits.max_links = 1;
  SpanSpec s = Good();
  for (int i = 0; i < 6; ++i) s.attrs.push_back(KV("a" + std::to_string(i), Int(i)));
  s.dropped_attributes = 1;
  std::vector<std::string> event_attrs;
  for (int i = 0; i < 5; ++i) event_attrs.push_back(KV("e" + std::to_string(i), Bool(true)));
  s.events = {EncodeEvent({.time = kT, .name = "0", .attrs = event_attrs, .dropped = 1}),
              EncodeEvent({.time = kT, .name = "1"}),
              // Past the limit: dropped unread, so its bad name does not refuse the span.
              EncodeEvent({.time = kT, .name = "\xff"})};
  s.dropped_events = 10;
  s.links = {EncodeLink({.trace_id = kLinkTraceId, .span_id = kLinkSpanId}),
             EncodeLink({.trace_id = kLinkTraceId, .span_id = kLinkSpanId})};
  s.dropped_links = 0xFFFFFFFF;  // saturates
  SpanBatch batch;
  std::string body;
  SpanDecodeResult r = DecodeSpans({EncodeSpan(s)}, &batch, &body, limits);
  ASSERT_TRUE(r.ok()) << r.Summary();
  Span got = batch.ToSpan(0);
  ASSERT_EQ(got.attributes.size(), 4u);
  EXPECT_EQ(got.attributes[3].key, "a3");
  EXPECT_EQ(got.dropped_attributes_count, 3u);
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.events[0].attributes.size(), 4u);
  EXPECT_EQ(got.events[0].dropped_attributes_count, 2u);
  EXPECT_EQ(got.dropped_events_count, 11u);
  EXPECT_EQ(got.links.size(), 1u);
  EXPECT_EQ(got.dropped_links_count, 0xFFFFFFFFu);

  // The default limit: 1024 attributes.
  SpanSpec many = Good();
  for (int i = 0; i < 1030; ++i) many.attrs.push_back(KV("k" + std::to_string(i), Str("v")));
  SpanBatch batch2;
  std::string body2;
  r = DecodeSpans({EncodeSpan(many)}, &batch2, &body2);
  ASSERT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(batch2.spans()[0].num_attributes, 1024u);
  EXPECT_EQ(batch2.spans()[0].dropped_attributes_count, 6u);
}

TEST(OtlpTracesProtoTest, TenThousandSpansInOneRequest) {
  std::vector<std::string> spans;
  for (uint64_t i = 1; i <= 10000; ++i) {
    SpanSpec s = Good();
    s.span_id.clear();
    for (int shift = 56; shift >= 0; shift -= 8) s.span_id.push_back(static_cast<char>(i >> shift));
    s.attrs = {KV("i", Int(static_cast<int64_t>(i)))};
    spans.push_back(EncodeSpan(s));
  }
  SpanBatch batch;
  std::string body;
  SpanDecodeResult r = DecodeSpans(spans, &batch, &body);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 10000u);
  EXPECT_EQ(batch.resources().size(), 1u);
  EXPECT_EQ(batch.spans()[9999].span_id, 10000u);
  EXPECT_EQ(batch.AttributesOf(batch.spans()[9999])[0].value, "10000");
}

TEST(OtlpTracesProtoTest, BadResourceOrScopeRefusesItsSpans) {
  std::string good = EncodeSpan(Good());
  std::string body = Request({
      Resource({KV("service.name", Str("\xff"))},
               {Scope("a", "", {good, good}), Scope("b", "", {good})}),
      Resource({KV("service.name", Str("ok"))},
               {Scope("bad \xff scope", "", {good}), Scope("fine", "1.0", {good}),
                Scope("lib", "\xfe", {good})}),
  });
  OtlpTracesProtoDecoder decoder;
  SpanBatch batch;
  SpanDecodeResult r = decoder.Decode(body, &batch);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.total, 6u);
  EXPECT_EQ(r.rejected, 5u);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch.spans()[0].scope_name, "fine");
  EXPECT_EQ(batch.resources().size(), 1u);  // the refused resource left nothing behind
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message,
            "resource_spans[0]: resource: attribute \"service.name\": invalid UTF-8 "
            "(3 spans refused)");
  EXPECT_EQ(r.errors[0].entries, 3u);
  EXPECT_EQ(r.errors[1].message,
            "resource_spans[1].scope_spans[0]: invalid UTF-8 in scope name (1 span refused)");
  EXPECT_EQ(r.errors[2].message,
            "resource_spans[1].scope_spans[2]: invalid UTF-8 in scope version (1 span refused)");
  EXPECT_EQ(r.errors[2].ordinal, 5u);
}

TEST(OtlpTracesProtoTest, BrokenFramingFailsTheRequest) {
  std::string good =
      Request({Resource({KV("service.name", Str("a"))}, {Scope("s", "", {EncodeSpan(Good())})})});
  OtlpTracesProtoDecoder decoder;
  // The request is one resource_spans field: every shorter prefix breaks its framing.
  for (size_t cut = 1; cut < good.size(); ++cut) {
    SpanBatch batch;
    SpanDecodeResult r = decoder.Decode(std::string_view(good).substr(0, cut), &batch);
    EXPECT_FALSE(r.status.ok()) << cut;
    EXPECT_TRUE(batch.empty() && batch.resources().empty());
    EXPECT_EQ(r.total, 0u);
  }
  struct Case {
    std::string body, message;
  };
  std::vector<Case> cases = {
      {Msg([](auto& w) { w.VarintField(1, 5); }),
       "resource_spans has wire type varint, expected length-delimited"},
      {Request({Msg([](auto& w) { w.VarintField(2, 1); })}),
       "resource_spans[0]: scope_spans has wire type varint, expected length-delimited"},
      {Request({Msg([](auto& w) { w.Fixed64Field(1, 1); })}),
       "resource_spans[0]: resource has wire type fixed64, expected length-delimited"},
      {Request({Resource({}, {Msg([](auto& w) { w.Fixed64Field(2, 1); })})}),
       "resource_spans[0].scope_spans[0]: spans has wire type fixed64, expected "
       "length-delimited"},
      {std::string("\x0a\xff\xff\xff\xff\x0f", 6),
       "length-delimited field runs past the end at byte 6"},
      {std::string("\x0b", 1),
       "resource_spans has wire type group start, expected "
       "length-delimited"},
  };
  for (const Case& c : cases) {
    SpanBatch batch;
    SpanDecodeResult r = decoder.Decode(c.body, &batch);
    EXPECT_EQ(r.status.message(), "malformed OTLP traces request: " + c.message);
    EXPECT_TRUE(batch.empty());
  }
  // A request that fails after spans were decoded leaves the batch empty too.
  SpanBatch batch;
  std::string late_failure = good + std::string(
                                        "\x0a\x05"
                                        "ab",
                                        4);
  SpanDecodeResult r = decoder.Decode(late_failure, &batch);
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(batch.empty() && batch.resources().empty() && batch.attributes().empty());
  EXPECT_EQ(r.total, 0u);
  SpanBatch empty;
  EXPECT_TRUE(decoder.Decode("", &empty).ok());  // an empty export is a success
}

// The decoder reads the common attribute shapes on a fast path; a KeyValue with an extra
// unknown field takes the general one. Both must agree.
TEST(OtlpTracesProtoTest, FastAndGeneralAttributePathsAgree) {
  const std::vector<std::string> values = {
      Str("ascii"),
      Str("caf\xc3\xa9"),
      Str(""),
      Str(std::string(300, 'v')),
      Int(0),
      Int(-1),
      Int(9223372036854775807),
      Int(-9223372036854775807 - 1),
      Bool(true),
      Bool(false),
      Msg([](auto& w) { w.VarintField(2, 2); }),  // bool_value 2 reads as true
      Msg([](auto& w) {
        w.VarintField(3, 1);
        w.VarintField(3, 2);
      }),  // the last one wins
      Dbl(1.5),
      Bytes("\x01")};
  SpanSpec fast = Good(), general = Good();
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string key = "k" + std::to_string(i);
    fast.attrs.push_back(KV(key, values[i]));
    general.attrs.push_back(KV(key, values[i]) + Msg([](auto& w) { w.BytesField(3, "x"); }));
  }
  SpanBatch batch;
  std::string body;
  SpanDecodeResult r = DecodeSpans({EncodeSpan(fast), EncodeSpan(general)}, &batch, &body);
  ASSERT_TRUE(r.ok()) << r.Summary();
  ASSERT_EQ(batch.size(), 2u);
  Span a = batch.ToSpan(0), b = batch.ToSpan(1);
  ASSERT_EQ(a.attributes.size(), values.size());
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.attributes[6].value, "9223372036854775807");
  EXPECT_EQ(a.attributes[7].value, "-9223372036854775808");
  EXPECT_EQ(a.attributes[10].value, "true");
  EXPECT_EQ(a.attributes[11].value, "2");
}

TEST(OtlpTracesProtoTest, DecoderIsReusedAcrossRequests) {
  OtlpTracesProtoDecoder decoder;
  std::string a = Request({Resource({KV("service.name", Str("a"))},
                                    {Scope("s", "", {EncodeSpan(Good()), EncodeSpan(Good())})})});
  std::string b = Request(
      {Resource({KV("service.name", Str("b"))},
                {Scope("t", "", {GoodWith([](SpanSpec& s) { s.attrs = {KV("x", Int(1))}; })})})});
  for (int round = 0; round < 3; ++round) {
    SpanBatch ba, bb;
    SpanDecodeResult ra = decoder.Decode(a, &ba);
    SpanDecodeResult rb = decoder.Decode(b, &bb);
    ASSERT_TRUE(ra.ok() && rb.ok());
    EXPECT_EQ(ba.size(), 2u);
    ASSERT_EQ(bb.size(), 1u);
    EXPECT_EQ(bb.resources()[0].service_name, "b");
    EXPECT_EQ(bb.spans()[0].scope_name, "t");
    EXPECT_EQ(bb.ToSpan(0).attributes.size(), 1u);
    EXPECT_EQ(ba.ToSpan(1).service_name, "a");
  }
}

}  // namespace
}  // namespace vigil
