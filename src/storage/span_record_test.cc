#include "storage/span_record.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(TraceIdTest, HexAndBytesRoundTrip) {
  TraceId id;
  ASSERT_TRUE(TraceId::FromHex("4BF92F3577B34DA6a3ce929d0e0e4736", &id));
  EXPECT_EQ(id.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  std::string bytes;
  id.AppendBytes(&bytes);
  ASSERT_EQ(bytes.size(), 16u);
  TraceId back;
  ASSERT_TRUE(TraceId::FromBytes(bytes, &back));
  EXPECT_EQ(back, id);
  // Zipkin's 64-bit trace ids are zero-extended.
  ASSERT_TRUE(TraceId::FromHex("a3ce929d0e0e4736", &id));
  EXPECT_EQ(id.Hex(), "0000000000000000a3ce929d0e0e4736");
  EXPECT_FALSE(TraceId::FromHex("xyz", &id));
  EXPECT_FALSE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e473g", &id));
  EXPECT_FALSE(TraceId::FromBytes("short", &id));
}

TEST(TraceIdTest, OrdersAsHex) {
  TraceId a, b;
  ASSERT_TRUE(TraceId::FromHex("00000000000000ff0000000000000000", &a));
  ASSERT_TRUE(TraceId::FromHex("0000000000000100000000000000000f", &b));
  EXPECT_LT(a, b);
  EXPECT_LT(a.Hex(), b.Hex());
}

TEST(SpanIdTest, Hex) {
  SpanId id = 0;
  ASSERT_TRUE(SpanIdFromHex("00f067aa0ba902b7", &id));
  EXPECT_EQ(id, 0x00f067aa0ba902b7u);
  EXPECT_EQ(SpanIdHex(id), "00f067aa0ba902b7");
  EXPECT_FALSE(SpanIdFromHex("00f067aa0ba902b", &id));
  ASSERT_TRUE(SpanIdFromBytes(std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8), &id));
  EXPECT_EQ(id, 0x00f067aa0ba902b7u);
}

TEST(SpanKindTest, Names) {
  SpanKind k;
  ASSERT_TRUE(ParseSpanKind("SPAN_KIND_CLIENT", &k));
  EXPECT_EQ(k, SpanKind::kClient);
  ASSERT_TRUE(ParseSpanKind("server", &k));
  EXPECT_EQ(SpanKindName(k), "server");
  EXPECT_FALSE(ParseSpanKind("sideways", &k));
  SpanStatus s;
  ASSERT_TRUE(ParseSpanStatus("STATUS_CODE_ERROR", &s));
  EXPECT_EQ(SpanStatusName(s), "error");
}

TEST(SpanBatchTest, BuildsAndDropsSpans) {
  SpanBatch batch;
  SpanAttributeView res[] = {{"service.name", "checkout", AttributeType::kString}};
  uint32_t r = batch.AddResource("checkout", res);
  auto& s = batch.AddSpan(r);
  s.name = "GET /cart";
  s.span_id = 1;
  batch.AddSpanAttribute({"http.status_code", "500", AttributeType::kInt});
  batch.AddEvent().name = "exception";
  batch.AddEventAttribute({"exception.type", "IOError", AttributeType::kString});
  batch.AddLink().span_id = 7;
  batch.AddSpan(r).name = "dropped";
  batch.AddSpanAttribute({"k", "v", AttributeType::kString});
  batch.DropLastSpan();
  ASSERT_EQ(batch.size(), 1u);
  Span span = batch.ToSpan(0);
  EXPECT_EQ(span.service_name, "checkout");
  EXPECT_EQ(span.name, "GET /cart");
  ASSERT_EQ(span.attributes.size(), 1u);
  EXPECT_EQ(span.attributes[0].value, "500");
  EXPECT_EQ(span.attributes[0].type, AttributeType::kInt);
  ASSERT_EQ(span.events.size(), 1u);
  EXPECT_EQ(span.events[0].attributes[0].key, "exception.type");
  ASSERT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.links[0].span_id, 7u);
  EXPECT_EQ(batch.attributes().size(), 3u);  // resource, span, event: the dropped span's gone
  EXPECT_EQ(batch.AddResource("", {}), 1u);
  EXPECT_EQ(batch.resources()[1].service_name, kUnknownServiceName);
}

}  // namespace
}  // namespace vigil
