#include "ingest/traces/span_validation.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(SpanValidationTest, Ids) {
  std::string error;
  TraceId t;
  SpanId s = 7;
  EXPECT_TRUE(DecodeTraceIdHex("4BF92F3577B34DA6a3ce929d0e0e4736", "traceId", false, &t, &error));
  EXPECT_EQ(t.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(DecodeTraceIdHex("5af7183fb1d4cf5f", "traceId", false, &t, &error));
  EXPECT_EQ(error, "invalid traceId \"5af7183fb1d4cf5f\": 16 hex digits, expected 32");
  EXPECT_TRUE(DecodeTraceIdHex("5af7183fb1d4cf5f", "traceId", true, &t, &error));
  EXPECT_EQ(t.Hex(), "00000000000000005af7183fb1d4cf5f");
  EXPECT_FALSE(DecodeTraceIdHex("0000000000000000", "traceId", true, &t, &error));
  EXPECT_EQ(error, "invalid traceId: all zero");
  EXPECT_FALSE(DecodeTraceIdHex("", "traceId", true, &t, &error));
  EXPECT_EQ(error, "missing traceId");
  EXPECT_FALSE(DecodeTraceIdHex(std::string(100, 'g'), "traceId", false, &t, &error));
  EXPECT_EQ(error, "invalid traceId \"" + std::string(64, 'g') + "\": not a hex string");

  EXPECT_TRUE(DecodeSpanIdHex("", "parentSpanId", IdPresence::kOptional, &s, &error));
  EXPECT_EQ(s, 0u);
  EXPECT_FALSE(DecodeSpanIdHex("", "spanId", IdPresence::kRequired, &s, &error));
  EXPECT_EQ(error, "missing spanId");
  EXPECT_TRUE(DecodeSpanIdHex("00F067AA0BA902B7", "spanId", IdPresence::kRequired, &s, &error));
  EXPECT_EQ(s, 0x00f067aa0ba902b7u);

  EXPECT_FALSE(DecodeTraceIdBytes(std::string(17, '\x01'), "trace_id", &t, &error));
  EXPECT_EQ(error, "invalid trace_id: 17 bytes, expected 16");
  EXPECT_TRUE(
      DecodeSpanIdBytes(std::string(8, '\0'), "parent_span_id", IdPresence::kOptional, &s, &error));
  EXPECT_EQ(s, 0u);
  EXPECT_FALSE(
      DecodeSpanIdBytes(std::string(8, '\0'), "span_id", IdPresence::kRequired, &s, &error));
  EXPECT_EQ(error, "invalid span_id: all zero");
}

TEST(SpanValidationTest, AddSaturated) {
  uint32_t c = 5;
  AddSaturated(&c, 7);
  EXPECT_EQ(c, 12u);
  AddSaturated(&c, uint64_t{1} << 40);
  EXPECT_EQ(c, UINT32_MAX);
  AddSaturated(&c, 1);
  EXPECT_EQ(c, UINT32_MAX);
  c = 1;
  AddSaturated(&c, ~uint64_t{0});  // the sum wraps around 64 bits
  EXPECT_EQ(c, UINT32_MAX);
}

TEST(SpanValidationTest, AssemblerWritesInBatchOrder) {
  SpanLimits limits;
  limits.max_attribute_value_bytes = 4;
  limits.max_attributes = 2;
  SpanAssembler a(limits);
  SpanBatch batch;
  SpanDecodeResult result;
  a.Reset(&batch, &result);
  const OtlpAttribute resource[] = {{"service.name", "payments", AttributeType::kString},
                                    {"x", "1", AttributeType::kInt},
                                    {"dropped", "y", AttributeType::kString}};
  a.SetResource(resource);
  a.Begin();
  a.span().trace_id = {1, 2};
  a.span().span_id = 3;
  // Fields in wire order that is not the batch's: a link, an event, then attributes.
  SpanBatch::Link* link = a.AddLink();
  ASSERT_NE(link, nullptr);
  link->trace_id = {4, 5};
  link->span_id = 6;
  a.AddLinkAttribute("l", "link", AttributeType::kString);
  SpanBatch::Event* ev = a.AddEvent();
  ASSERT_NE(ev, nullptr);
  ev->name = "e";
  a.AddEventAttribute("e", "[1,2,3]", AttributeType::kArray);
  a.AddAttribute("k", "value", AttributeType::kString);
  a.AddAttribute("n", "12", AttributeType::kInt);
  a.AddAttribute("over", "x", AttributeType::kString);
  a.SetTimes(100, 50);
  std::string error;
  ASSERT_TRUE(a.Check(&error)) << error;
  a.Write();
  ASSERT_EQ(batch.size(), 1u);
  Span s = batch.ToSpan(0);
  EXPECT_EQ(s.service_name, "paym");  // the truncated value
  EXPECT_EQ(s.resource_attributes.size(), 2u);
  ASSERT_EQ(s.attributes.size(), 2u);
  EXPECT_EQ(s.attributes[0].value, "valu");
  EXPECT_EQ(s.dropped_attributes_count, 1u);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].attributes[0].value, "[1,2");
  EXPECT_EQ(s.events[0].attributes[0].type, AttributeType::kString);  // no longer an array
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].attributes[0].value, "link");
  EXPECT_EQ(s.start_ns, 100);
  EXPECT_EQ(s.end_ns, 100);
  EXPECT_EQ(result.clamped, 1u);
  EXPECT_EQ(result.truncated, 3u);  // the resource's service.name, "value", the event's array

  a.Begin();
  a.SetTimes(0, 10);
  EXPECT_FALSE(a.Check(&error));
  EXPECT_EQ(error, "missing start time");
  EXPECT_EQ(batch.size(), 1u);
}

}  // namespace
}  // namespace vigil
