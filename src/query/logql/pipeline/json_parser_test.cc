#include "query/logql/pipeline/json_parser.h"

#include "gtest/gtest.h"
#include "query/logql/pipeline/test_util.h"

namespace vigil::logql::pipeline {
namespace {

using testing::TestLine;

std::string ParseAll(std::string_view line, Labels stream = Labels()) {
  TestLine t(line, std::move(stream));
  EXPECT_TRUE(JsonParser().Process(t.state()));
  return t.LabelString();
}

TEST(JsonParserTest, FlattensNestedObjects) {
  EXPECT_EQ(
      ParseAll(
          R"({"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}}})"),
      R"({app="foo", namespace="prod", pod_deployment_ref="foobar", pod_uuid="foo"})");
}

TEST(JsonParserTest, LokiDocumentationExample) {
  // From Loki's `json` parser documentation.
  const std::string line = R"({
    "protocol": "HTTP/2.0",
    "servers": ["129.0.1.1","10.2.1.3"],
    "request": {
      "time": "6.032",
      "method": "GET",
      "host": "foo.grafana.net",
      "size": "55",
      "headers": {
        "Accept": "*/*",
        "User-Agent": "curl/7.68.0"
      }
    },
    "response": {
      "status": 401,
      "size": "228",
      "latency_seconds": "6.031"
    }
  })";
  EXPECT_EQ(ParseAll(line),
            R"({protocol="HTTP/2.0", request_headers_Accept="*/*", )"
            R"(request_headers_User_Agent="curl/7.68.0", request_host="foo.grafana.net", )"
            R"(request_method="GET", request_size="55", request_time="6.032", )"
            R"(response_latency_seconds="6.031", response_size="228", response_status="401"})");
}

TEST(JsonParserTest, ValueKinds) {
  EXPECT_EQ(
      ParseAll(R"({"counter":1, "price": {"_net_":5.56909}, "big": 1.50e3, "ok": true,)"
               R"( "no": false, "nothing": null, "list": [1, {"a": 2}], "empty": ""})"),
      R"({big="1.50e3", counter="1", empty="", no="false", ok="true", price__net_="5.56909"})");
}

TEST(JsonParserTest, EscapesAndKeySanitizing) {
  EXPECT_EQ(
      ParseAll(R"({"msg":"say \"hi\"\n\u00e9", "1st key": "x", "a.b": "y", " ": {"foo": "bar"}})"),
      "{_1st_key=\"x\", a_b=\"y\", foo=\"bar\", msg=\"say \\\"hi\\\"\\n\xC3\xA9\"}");
}

TEST(JsonParserTest, ClashWithStreamLabelGetsSuffix) {
  EXPECT_EQ(ParseAll(R"({"app":"inner","level":"info"})", Labels{{"app", "outer"}}),
            R"({app="outer", app_extracted="inner", level="info"})");
  EXPECT_EQ(ParseAll(R"({"pod":{"name":"p1"}})", Labels{{"pod_name", "stream"}}),
            R"({pod_name="stream", pod_name_extracted="p1"})");
}

TEST(JsonParserTest, DuplicateKeysLastWins) {
  EXPECT_EQ(ParseAll(R"({"a":"1","a":"2"})"), R"({a="2"})");
}

TEST(JsonParserTest, InvalidJsonSetsError) {
  for (std::string_view bad : {"", "not json", "[1,2]", "\"str\"", R"({"a":1)", R"({"a":})",
                               R"({"a" 1})", R"({"a":tru})"}) {
    TestLine t(bad);
    EXPECT_TRUE(JsonParser().Process(t.state())) << bad;  // the line is kept
    EXPECT_EQ(t.state().error(), kJsonParserErr) << bad;
    EXPECT_FALSE(t.state().error_details().empty()) << bad;
  }
}

TEST(JsonParserTest, InvalidUtf8BecomesSpaces) {
  TestLine t("{\"a\":\"x\xFFy\",\"b\":\"\xEF\xBF\xBDz\"}");
  JsonParser().Process(t.state());
  EXPECT_FALSE(t.state().HasError()) << t.state().error_details();
  EXPECT_EQ(t.LabelString(), R"({a="x y", b=" z"})");
}

TEST(JsonParserTest, DeepNestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"k\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  TestLine ok(deep);
  JsonParser().Process(ok.state());
  EXPECT_FALSE(ok.state().HasError());
  std::string name = "k";
  for (int i = 1; i < 100; ++i) name += "_k";
  EXPECT_EQ(ok.state().Get(name), "1");

  std::string deeper;
  for (int i = 0; i < 5000; ++i) deeper += "{\"k\":";
  TestLine bad(deeper);
  JsonParser().Process(bad.state());
  EXPECT_EQ(bad.state().error(), kJsonParserErr);
}

TEST(JsonParserTest, HugeLine) {
  std::string line = "{";
  for (int i = 0; i < 20000; ++i)
    line += "\"k" + std::to_string(i) + "\":\"" + std::string(20, 'v') + "\",";
  line += "\"last\":1}";
  TestLine t(line);
  JsonParser().Process(t.state());
  EXPECT_FALSE(t.state().HasError());
  EXPECT_EQ(t.state().Get("k19999"), std::string(20, 'v'));
  EXPECT_EQ(t.state().Get("last"), "1");
}

TEST(JsonPathTest, Syntax) {
  auto steps = ParseJsonPath(R"(request.headers["User-Agent"])");
  ASSERT_TRUE(steps.ok()) << steps.status();
  EXPECT_EQ(*steps,
            (std::vector<JsonPathStep>{{"request", -1}, {"headers", -1}, {"User-Agent", -1}}));
  steps = ParseJsonPath("servers[0]");
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ(*steps, (std::vector<JsonPathStep>{{"servers", -1}, {"", 0}}));
  steps = ParseJsonPath(R"(["a.b"][2].c)");
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ(*steps, (std::vector<JsonPathStep>{{"a.b", -1}, {"", 2}, {"c", -1}}));
  for (std::string_view bad :
       {"", ".a", "a..b", "a[", "a[1.5]", "a[x]", "a]", "a[\"b]", "1a", "a b"}) {
    EXPECT_FALSE(ParseJsonPath(bad).ok()) << bad;
  }
}

TEST(JsonParserTest, Extractions) {
  absl::StatusOr<JsonParser> p = JsonParser::WithExtractions({
      {"first_server", "servers[0]"},
      {"ua", R"(request.headers["User-Agent"])"},
      {"status", "response.status"},
      {"headers", "request.headers"},
      {"servers", "servers"},
      {"missing", "nope.nothing"},
      {"app", "app"},
  });
  ASSERT_TRUE(p.ok()) << p.status();
  TestLine t(
      R"({"app":"x","servers":["129.0.1.1","10.2.1.3"],"request":{"headers":{"User-Agent":"curl/7.68.0"}},"response":{"status":401}})",
      Labels{{"app", "stream"}});
  EXPECT_TRUE(p->Process(t.state()));
  EXPECT_FALSE(t.state().HasError());
  EXPECT_EQ(t.LabelString(),
            R"({app="stream", app_extracted="x", first_server="129.0.1.1", )"
            R"(headers="{\"User-Agent\":\"curl/7.68.0\"}", missing="", )"
            R"(servers="[\"129.0.1.1\",\"10.2.1.3\"]", status="401", ua="curl/7.68.0"})");
}

TEST(JsonParserTest, ExtractionErrors) {
  EXPECT_FALSE(JsonParser::WithExtractions({{"bad-name", "a"}}).ok());
  EXPECT_FALSE(JsonParser::WithExtractions({{"a", "a[["}}).ok());
  absl::StatusOr<JsonParser> p = JsonParser::WithExtractions({{"a", "a"}});
  TestLine t("plain text");
  p->Process(t.state());
  EXPECT_EQ(t.state().error(), kJsonParserErr);
  EXPECT_EQ(t.state().Get("a"), "");
  TestLine empty("");
  p->Process(empty.state());
  EXPECT_FALSE(empty.state().HasError());
}

TEST(UnpackParserTest, EntryReplacesLine) {
  TestLine t(R"({"container":"myapp","pod":"pod-3223f","_entry":"original log message","n":3})",
             Labels{{"container", "c"}});
  EXPECT_TRUE(UnpackParser().Process(t.state()));
  EXPECT_EQ(t.state().line(), "original log message");
  EXPECT_EQ(t.LabelString(), R"({container="c", container_extracted="myapp", pod="pod-3223f"})");
}

TEST(UnpackParserTest, WithoutEntryNothingChanges) {
  TestLine t(R"({"a":"b"})");
  UnpackParser().Process(t.state());
  EXPECT_EQ(t.state().line(), R"({"a":"b"})");
  EXPECT_EQ(t.LabelString(), "{}");
}

TEST(UnpackParserTest, NotAnObject) {
  TestLine t("hello");
  UnpackParser().Process(t.state());
  EXPECT_EQ(t.state().error(), kJsonParserErr);
  TestLine broken(R"({"_entry":"x",)");
  UnpackParser().Process(broken.state());
  EXPECT_EQ(broken.state().error(), kJsonParserErr);
  EXPECT_EQ(broken.state().line(), R"({"_entry":"x",)");
}

}  // namespace
}  // namespace vigil::logql::pipeline
