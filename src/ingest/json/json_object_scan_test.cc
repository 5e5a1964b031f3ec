#include "ingest/json/json_object_scan.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/json/json_syntax.h"

namespace vigil {
namespace {

using JsonType = simdjson::ondemand::json_type;

struct Flat {
  std::string key, value;
  JsonType type;
  uint32_t depth, descendants;
  friend bool operator==(const Flat&, const Flat&) = default;
};

std::vector<Flat> Members(std::string_view text, uint32_t expand_depth = 8) {
  JsonObjectScan scan;
  std::string error;
  EXPECT_EQ(scan.Scan(text, expand_depth, &error), JsonObjectScan::Result::kOk) << error;
  std::vector<Flat> out;
  for (const JsonMember& m : scan.members()) {
    out.push_back({std::string(m.key), std::string(m.value), m.type, m.depth, m.descendants});
  }
  return out;
}

TEST(JsonObjectScanTest, ListsMembersInOrder) {
  auto m = Members(R"( {"s":"x y","n":-1.5e3,"t":true,"f":false,"z":null,"a":[1,{"b":2}]} )");
  std::vector<Flat> want = {
      {"s", "x y", JsonType::string, 0, 0},    {"n", "-1.5e3", JsonType::number, 0, 0},
      {"t", "true", JsonType::boolean, 0, 0},  {"f", "false", JsonType::boolean, 0, 0},
      {"z", "null", JsonType::null, 0, 0},     {"a", "[1,{\"b\":2}]", JsonType::array, 0, 0},
  };
  EXPECT_EQ(m, want);
}

TEST(JsonObjectScanTest, ExpandsNestedObjectsDownToTheDepthGiven) {
  std::string_view text = R"({"a":{"b":{"c":1, "d":{}}},"e":{ },"f":2})";
  std::vector<Flat> want = {
      {"a", R"({"b":{"c":1, "d":{}}})", JsonType::object, 0, 3},
      {"b", R"({"c":1, "d":{}})", JsonType::object, 1, 2},
      {"c", "1", JsonType::number, 2, 0},
      {"d", "{}", JsonType::object, 2, 0},
      {"e", "{ }", JsonType::object, 0, 0},
      {"f", "2", JsonType::number, 0, 0},
  };
  EXPECT_EQ(Members(text), want);
  // One level: `b` stays whole.
  std::vector<Flat> shallow = {
      {"a", R"({"b":{"c":1, "d":{}}})", JsonType::object, 0, 1},
      {"b", R"({"c":1, "d":{}})", JsonType::object, 1, 0},
      {"e", "{ }", JsonType::object, 0, 0},
      {"f", "2", JsonType::number, 0, 0},
  };
  EXPECT_EQ(Members(text, 1), shallow);
}

TEST(JsonObjectScanTest, MarksEscapesAndKeepsThemRaw) {
  JsonObjectScan scan;
  std::string error;
  ASSERT_EQ(scan.Scan(R"({"k\"":"a\\b","plain":"c"})", 8, &error), JsonObjectScan::Result::kOk);
  ASSERT_EQ(scan.members().size(), 2u);
  EXPECT_EQ(scan.members()[0].key, R"(k\")");
  EXPECT_TRUE(scan.members()[0].key_escaped);
  EXPECT_EQ(scan.members()[0].value, R"(a\\b)");
  EXPECT_TRUE(scan.members()[0].value_escaped);
  EXPECT_FALSE(scan.members()[1].key_escaped);
  EXPECT_FALSE(scan.members()[1].value_escaped);
}

TEST(JsonObjectScanTest, OtherValuesAreNotObjects) {
  JsonObjectScan scan;
  std::string error;
  EXPECT_EQ(scan.Scan(" [1,2] ", 8, &error), JsonObjectScan::Result::kNotObject);
  EXPECT_EQ(scan.type(), JsonType::array);
  EXPECT_EQ(scan.Scan("\"s\"", 8, &error), JsonObjectScan::Result::kNotObject);
  EXPECT_EQ(scan.type(), JsonType::string);
  EXPECT_EQ(scan.Scan("[1,", 8, &error), JsonObjectScan::Result::kMalformed);
  EXPECT_EQ(error, "expected a value at byte 3");
}

// Every error is CheckJsonSyntax's, word for word and at the same byte.
TEST(JsonObjectScanTest, ErrorsAreTheSyntaxChecksErrors) {
  for (std::string_view bad : {
           "", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1 \"b\":2}", "{\"a\" 1}", "{a:1}",
           "{\"a\":1,}", "{\"a\":[}", "{\"a\":1}}", "{\"a\":1} x", "{\"abc", "{\"a\":\"\\q\"}",
           "{\"a\":\"\\u12G4\"}", "{\"a\":tru}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
           "{\"a\":{\"b\":1,}}", "{\"a\":{\"b\":{\"c\":[1 2]}}}", "{\"a\":{\"b\"}}", "{\"a\":\xff}",
           "{\"a\":{}]", "{\"a\":\"x\\", "{\"a\":{\"b\":{\"c\":{\"d\"::1}}}}"}) {
    JsonObjectScan scan;
    std::string scan_error, check_error;
    EXPECT_FALSE(CheckJsonSyntax(bad, &check_error)) << bad;
    for (uint32_t depth : {0u, 1u, 8u}) {
      EXPECT_EQ(scan.Scan(bad, depth, &scan_error), JsonObjectScan::Result::kMalformed) << bad;
      EXPECT_EQ(scan_error, check_error) << bad << " expanding " << depth;
    }
  }
}

std::string Unescaped(std::string_view raw) {
  std::string out;
  EXPECT_TRUE(UnescapeJsonString(raw, &out)) << raw;
  return out;
}

TEST(JsonObjectScanTest, UnescapesEveryEscape) {
  EXPECT_EQ(Unescaped(R"(a\"b\\c\/d\be\ff\ng\rh\ti)"), "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(Unescaped(R"(\u0041\u00e9\u20AC)"), "A\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(Unescaped(R"(x\ud83d\ude00y)"), "x\xf0\x9f\x98\x80y");
  EXPECT_EQ(Unescaped(R"(\u0000)"), std::string(1, '\0'));
  std::string out;
  EXPECT_FALSE(UnescapeJsonString(R"(\ud800)", &out));         // lone high surrogate
  EXPECT_FALSE(UnescapeJsonString(R"(\ud800x)", &out));
  EXPECT_FALSE(UnescapeJsonString(R"(\ud800\u0041)", &out));   // not followed by a low one
  EXPECT_FALSE(UnescapeJsonString(R"(\udc00)", &out));         // a low one alone
}

}  // namespace
}  // namespace vigil
