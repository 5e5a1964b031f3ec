#include "ingest/logs/es_bulk.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/logs/log_test_util.h"
#include "simdjson.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using testing_logs::Field;
using testing_logs::Label;
using testing_logs::StreamOf;

constexpr int64_t kNow = 1714564800000000000;  // 2024-05-01T12:00:00Z

// What Filebeat 8 sends for two nginx access log lines into a data stream.
constexpr std::string_view kFilebeatBulk =
    R"({"create":{"_index":"logs-nginx.access-default"}})"
    "\n"
    R"({"@timestamp":"2024-05-01T12:00:00.250Z","message":"10.0.0.1 - - \"GET /index.html HTTP/1.1\" 200 612","log":{"level":"info","offset":1234,"file":{"path":"/var/log/nginx/access.log"}},"input":{"type":"filestream"},"host":{"name":"web-1","os":{"family":"debian"}},"agent":{"type":"filebeat","version":"8.13.0"},"ecs":{"version":"8.0.0"},"service":{"name":"nginx"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"tags":["prod","edge"]})"
    "\n"
    R"({"create":{"_index":"logs-nginx.access-default"}})"
    "\n"
    R"({"@timestamp":"2024-05-01T12:00:01.000Z","message":"10.0.0.2 - - \"GET /missing HTTP/1.1\" 404 153","log":{"level":"warn"},"host":{"name":"web-1"},"service":{"name":"nginx"}})"
    "\n";

TEST(EsBulkTest, FilebeatDataStreamBulk) {
  EsBulkDecoder decoder;
  LogBatch batch;
  EsBulkResult r = decoder.Decode(kFilebeatBulk, "", kNow, &batch);
  ASSERT_TRUE(r.decode.ok()) << r.decode.Summary();
  ASSERT_EQ(batch.size(), 2u);
  ASSERT_EQ(r.items.size(), 2u);
  const auto& e = batch.entries()[0];
  EXPECT_EQ(e.timestamp_ns, kNow + 250000000);
  EXPECT_EQ(e.body, "10.0.0.1 - - \"GET /index.html HTTP/1.1\" 200 612");
  EXPECT_EQ(e.severity, kSeverityInfo);
  EXPECT_EQ(e.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  // ECS's log.level gives the `level` label like a top-level "level" would.
  EXPECT_EQ(StreamOf(batch, e),
            R"({index="logs-nginx.access-default", level="info", service_name="nginx"})");
  EXPECT_EQ(Field(batch, e, "log_file_path"), "/var/log/nginx/access.log");
  EXPECT_EQ(Field(batch, e, "host_os_family"), "debian");
  EXPECT_EQ(Field(batch, e, "tags"), R"(["prod","edge"])");
  EXPECT_FALSE(Field(batch, e, "log_level"));
  EXPECT_FALSE(Field(batch, e, "service_name"));
  EXPECT_FALSE(Field(batch, e, "trace_id"));
  EXPECT_EQ(batch.entries()[1].severity, kSeverityWarn);
  EXPECT_NE(batch.entries()[0].stream, batch.entries()[1].stream);  // info and warn
  for (const EsBulkItem& item : r.items) {
    EXPECT_EQ(item.action, EsBulkAction::kCreate);
    EXPECT_EQ(item.status, 201);
    EXPECT_EQ(item.index, "logs-nginx.access-default");
    EXPECT_EQ(item.id.size(), 20u);
  }
  EXPECT_NE(r.items[0].id, r.items[1].id);
}

TEST(EsBulkTest, DefaultIndexIdsAndPerItemErrors) {
  std::string body = R"({"index":{"_id":"doc-1"}})"
                     "\n"
                     R"({"message":"uses the URL index","level":"error"})"
                     "\n"
                     R"({"delete":{"_index":"app","_id":"x"}})"
                     "\n"
                     R"({"update":{"_index":"app","_id":"y"}})"
                     "\n"
                     R"({"doc":{"a":1}})"
                     "\n"
                     R"({"index":{"_index":"Bad-Index"}})"
                     "\n"
                     R"({"message":"refused"})"
                     "\n"
                     R"({"index":{"_index":"app"}})"
                     "\n"
                     R"({"message":"bad time","@timestamp":"not a time"})"
                     "\n"
                     R"({"index":{"_index":"app"}})"
                     "\n"
                     "[1,2]\n"
                     R"({"index":{"_index":"app"}})"
                     "\n"
                     R"({"message":"kept"})";  // no final newline: accepted
  EsBulkDecoder decoder;
  LogBatch batch;
  EsBulkResult r = decoder.Decode(body, "from-url", kNow, &batch);
  ASSERT_TRUE(r.decode.status.ok()) << r.decode.status;
  EXPECT_EQ(r.decode.total, 7u);
  EXPECT_EQ(r.decode.rejected, 5u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(Label(batch, batch.entries()[0], "index"), "from-url");
  EXPECT_EQ(batch.entries()[0].severity, kSeverityError);
  EXPECT_EQ(batch.entries()[1].body, "kept");
  ASSERT_EQ(r.items.size(), 7u);
  EXPECT_EQ(r.items[0].id, "doc-1");
  EXPECT_EQ(r.items[0].index, "from-url");
  EXPECT_EQ(r.items[1].action, EsBulkAction::kDelete);
  EXPECT_EQ(r.items[1].status, 400);
  EXPECT_EQ(r.items[1].error_type, "illegal_argument_exception");
  EXPECT_EQ(r.items[2].action, EsBulkAction::kUpdate);
  EXPECT_EQ(r.items[2].status, 400);
  EXPECT_EQ(r.items[3].error_type, "invalid_index_name_exception");
  EXPECT_EQ(r.items[3].error_reason, "Invalid index name [Bad-Index], must be lowercase");
  EXPECT_EQ(r.items[4].error_type, "document_parsing_exception");
  EXPECT_THAT(r.items[4].error_reason, HasSubstr("invalid timestamp \"not a time\""));
  EXPECT_EQ(r.items[5].error_reason, "failed to parse: expected a JSON object, got array");
  EXPECT_EQ(r.items[6].status, 201);
  EXPECT_THAT(r.decode.errors[0].message,
              HasSubstr("item 1 (line 3): the delete action is not supported"));
}

// A document line with anything after its object fails that item alone.
TEST(EsBulkTest, ContentAfterTheDocumentFailsTheItem) {
  EsBulkDecoder decoder;
  LogBatch batch;
  EsBulkResult r = decoder.Decode(
      "{\"index\":{}}\n{\"message\":\"a\"} {\"message\":\"b\"}\n"
      "{\"index\":{}}\n{\"message\":\"kept\"}\n",
      "logs", kNow, &batch);
  ASSERT_TRUE(r.decode.status.ok());
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch.entries()[0].body, "kept");
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[0].status, 400);
  EXPECT_EQ(r.items[0].error_reason,
            "failed to parse: malformed JSON: unexpected content after the JSON value at byte 16");
  EXPECT_EQ(r.items[1].status, 201);
}

TEST(EsBulkTest, MissingIndexIsAnItemError) {
  EsBulkDecoder decoder;
  LogBatch batch;
  EsBulkResult r = decoder.Decode("{\"index\":{}}\n{\"message\":\"x\"}\n", "", kNow, &batch);
  ASSERT_TRUE(r.decode.status.ok());
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].error_type, "action_request_validation_exception");
  EXPECT_EQ(r.items[0].error_reason, "Validation Failed: 1: index is missing;");
  EXPECT_TRUE(batch.empty());
}

TEST(EsBulkTest, MalformedActionFailsTheRequest) {
  for (std::string_view body : {
           std::string_view("{\"index\":{\"_index\":\"a\"}}\n{\"message\":\"x\"}\nnot json\n"),
           std::string_view("{\"upsert\":{}}\n{}\n"),
           std::string_view("[\"index\"]\n{}\n"),
           std::string_view("{\"index\":{\"_index\":\"a\"}}\n"),
       }) {
    EsBulkDecoder decoder;
    LogBatch batch;
    EsBulkResult r = decoder.Decode(body, "", kNow, &batch);
    EXPECT_FALSE(r.decode.status.ok()) << body;
    EXPECT_EQ(r.error_type, "illegal_argument_exception");
    EXPECT_TRUE(batch.empty()) << body;
    EXPECT_TRUE(r.items.empty());
  }
  EsBulkDecoder decoder;
  LogBatch batch;
  EsBulkResult r = decoder.Decode("{\"upsert\":{}}\n{}\n", "", kNow, &batch);
  EXPECT_EQ(r.decode.status.message(),
            "Malformed action/metadata line [1], expected one of [create, delete, index, update] "
            "but found [upsert]");
}

// Elasticsearch 8 keeps the first key of an action line and ignores the rest, as
// winston-elasticsearch relies on ({"index":{…},"attempts":0}).
TEST(EsBulkTest, ExtraKeysAfterTheActionAreIgnored) {
  EsBulkDecoder decoder;
  LogBatch batch;
  EsBulkResult r = decoder.Decode(
      "{\"index\":{\"_index\":\"w-1\",\"pipeline\":null},\"attempts\":0}\n{\"message\":\"x\"}\n"
      "{\"index\":{\"_index\":\"w-1\"},\"create\":{}}\n{\"message\":\"y\"}\n",
      "", kNow, &batch);
  ASSERT_TRUE(r.decode.status.ok()) << r.decode.status;
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[0].status, 201);
  EXPECT_EQ(r.items[1].action, EsBulkAction::kIndex);
  EXPECT_EQ(batch.size(), 2u);
}

TEST(EsBulkTest, ResponseJson) {
  EsBulkResult r;
  r.items.push_back({EsBulkAction::kCreate, "logs", "abc", 201, "", ""});
  r.items.push_back({EsBulkAction::kIndex, "logs", "def", 400, "document_parsing_exception",
                     "failed to parse: \"x\""});
  std::string out;
  WriteEsBulkResponse(r, 7, &out);
  EXPECT_EQ(out, R"({"took":7,"errors":true,"items":[)"
                 R"({"create":{"_index":"logs","_id":"abc","_version":1,"result":"created",)"
                 R"("_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,)"
                 R"("status":201}},)"
                 R"({"index":{"_index":"logs","_id":"def","status":400,"error":)"
                 R"({"type":"document_parsing_exception","reason":"failed to parse: \"x\""}}}]})");
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(out).get(doc), simdjson::SUCCESS);

  std::string err;
  WriteEsErrorResponse(400, "illegal_argument_exception", "bad", &err);
  EXPECT_EQ(err, R"({"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"bad"}],)"
                 R"("type":"illegal_argument_exception","reason":"bad"},"status":400})");
}

TEST(EsBulkTest, IndexNameRules) {
  EXPECT_EQ(EsIndexNameError("logs-app-default"), "");
  EXPECT_EQ(EsIndexNameError(".ds-logs"), "");
  EXPECT_THAT(EsIndexNameError("_hidden"), HasSubstr("must not start with"));
  EXPECT_THAT(EsIndexNameError("a b"), HasSubstr("must not contain"));
  EXPECT_THAT(EsIndexNameError(std::string(300, 'a')), HasSubstr("too long, (300 > 255)"));
  EXPECT_THAT(EsIndexNameError(".."), HasSubstr("must not be"));
}

}  // namespace
}  // namespace vigil
