#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil {
namespace {

TEST(JsonWriterTest, WritesNestedContainersWithCommas) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("a", "x").Key("b").BeginArray().Int(1).Int(-2).Bool(true).Null().EndArray();
  w.Key("c").BeginObject().EndObject().Key("d").Double(0.5).EndObject();
  EXPECT_EQ(out, R"({"a":"x","b":[1,-2,true,null],"c":{},"d":0.5})");
}

TEST(JsonWriterTest, EscapesControlCharactersAndInvalidUtf8) {
  std::string out;
  AppendJsonString(&out, "a\"\\\n\x01\xff\xc3\xa9");
  EXPECT_EQ(out, "\"a\\\"\\\\\\n\\u0001\xEF\xBF\xBD\xc3\xa9\"");
}

TEST(JsonWriterTest, PromFloatMatchesPrometheus) {
  EXPECT_EQ(FormatPromFloat(1), "1");
  EXPECT_EQ(FormatPromFloat(0.1), "0.1");
  EXPECT_EQ(FormatPromFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatPromFloat(1e21), "1e+21");
  EXPECT_EQ(FormatPromFloat(1e-7), "1e-07");
  EXPECT_EQ(FormatPromFloat(123456789), "123456789");
  EXPECT_EQ(FormatPromFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPromFloat(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPromFloat(std::nan("")), "NaN");
}

TEST(JsonWriterTest, PromTimestamp) {
  std::string out;
  AppendPromTimestamp(&out, 1700000000123);
  out += ' ';
  AppendPromTimestamp(&out, 1500);
  out += ' ';
  AppendPromTimestamp(&out, 2000);
  out += ' ';
  AppendPromTimestamp(&out, -1005);
  EXPECT_EQ(out, "1700000000.123 1.500 2 -1.005");
}

}  // namespace
}  // namespace vigil
