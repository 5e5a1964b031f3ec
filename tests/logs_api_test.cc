// Logs end to end against the real binary: every ingestion protocol, Loki's query API, the
// structured search API, bad input, and a kill -9.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/proto_wire.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "ingest/remote_write/write_request.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

std::string Url(std::string_view path, std::vector<std::pair<std::string, std::string>> params) {
  std::string out(path);
  char sep = '?';
  for (const auto& [k, v] : params) {
    StrAppend(&out, sep, k, "=");
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out.push_back(static_cast<char>(c));
      } else {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%%%02X", c);
        out += buf;
      }
    }
    sep = '&';
  }
  return out;
}

HttpHeaders ContentType(std::string_view type) {
  HttpHeaders h;
  h.Set("Content-Type", type);
  return h;
}

// Loki's PushRequest{streams: [StreamAdapter{labels, entries: [EntryAdapter{timestamp, line,
// structuredMetadata}]}]}, snappy-compressed.
std::string LokiProtoBody(std::string_view labels, int64_t ts_ns, std::string_view line) {
  std::string raw;
  proto::WireWriter w(&raw);
  size_t stream = w.BeginMessage(1);
  w.BytesField(1, labels);
  size_t entry = w.BeginMessage(2);
  size_t ts = w.BeginMessage(1);
  w.VarintField(1, static_cast<uint64_t>(ts_ns / 1'000'000'000));
  w.VarintField(2, static_cast<uint64_t>(ts_ns % 1'000'000'000));
  w.EndMessage(ts);
  w.BytesField(2, line);
  size_t md = w.BeginMessage(3);
  w.BytesField(1, "user");
  w.BytesField(2, "u-7");
  w.EndMessage(md);
  w.EndMessage(entry);
  w.EndMessage(stream);
  return SnappyCompress(raw);
}

// ExportLogsServiceRequest with one record of service "billing".
std::string OtlpProtoBody(int64_t ts_ns, std::string_view body) {
  std::string raw;
  proto::WireWriter w(&raw);
  size_t rl = w.BeginMessage(1);
  size_t res = w.BeginMessage(1);
  size_t kv = w.BeginMessage(1);
  w.BytesField(1, "service.name");
  size_t av = w.BeginMessage(2);
  w.BytesField(1, "billing");
  w.EndMessage(av);
  w.EndMessage(kv);
  w.EndMessage(res);
  size_t sl = w.BeginMessage(2);
  size_t rec = w.BeginMessage(2);
  w.Fixed64Field(1, static_cast<uint64_t>(ts_ns));
  w.VarintField(2, 17);  // ERROR
  w.BytesField(3, "ERROR");
  size_t b = w.BeginMessage(5);
  w.BytesField(1, body);
  w.EndMessage(b);
  size_t attr = w.BeginMessage(6);
  w.BytesField(1, "invoice.id");
  size_t iv = w.BeginMessage(2);
  w.BytesField(1, "inv-42");
  w.EndMessage(iv);
  w.EndMessage(attr);
  w.BytesField(9, std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16));
  w.BytesField(10, std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8));
  w.EndMessage(rec);
  w.EndMessage(sl);
  w.EndMessage(rl);
  return raw;
}

class LogsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(vigil_.Start(dir_.path()).ok()) << vigil_.log(); }

  std::string QueryRange(std::string_view q, std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> p = {
        {"query", std::string(q)}, {"start", StrCat(now_ - 600LL * 1'000'000'000)}, {"end", StrCat(now_ + 1'000'000'000)}};
    p.insert(p.end(), extra.begin(), extra.end());
    auto r = vigil_.Get(Url("/loki/api/v1/query_range", p));
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << q << ": " << r->body;
    return r->body;
  }

  TempDir dir_;
  VigilProcess vigil_;
  int64_t now_ = NowNs();
};

TEST_F(LogsApiTest, EveryProtocolThenLokiQueries) {
  const std::string ts = StrCat(now_ - 5'000'000'000);
  // JSON lines: level/service/env become stream labels, the rest fields.
  std::string ndjson = StrCat(
      R"({"timestamp":")", FormatRfc3339Nano(now_ - 4'000'000'000),
      R"(","level":"error","service":"checkout","env":"prod","message":"payment declined for order 81723","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","error_code":"PAYMENT_DECLINED","duration_ms":250})",
      "\n",
      R"({"ts":)", (now_ - 3'000'000'000) / 1'000'000'000, R"(,"level":"info","service":"checkout","msg":"order placed","duration_ms":12})",
      "\n");
  auto jl = vigil_.Post("/api/v1/logs/ingest", ndjson, ContentType("application/x-ndjson"));
  ASSERT_TRUE(jl.ok());
  EXPECT_EQ(jl->status, 204) << jl->body;
  // Loki push, JSON and protobuf.
  auto lj = vigil_.Post("/loki/api/v1/push",
                        StrCat(R"({"streams":[{"stream":{"app":"web","env":"prod"},"values":[[")", ts,
                               R"(","GET /cart 200"],[")", ts, R"(","GET /pay 500",{"trace_id":"0af7651916cd43dd8448eb211c80319c"}]]}]})"),
                        ContentType("application/json"));
  ASSERT_TRUE(lj.ok());
  EXPECT_EQ(lj->status, 204) << lj->body;
  auto lp = vigil_.Post("/loki/api/v1/push", LokiProtoBody(R"({app="web", env="staging"})", now_ - 2'000'000'000, "GET /health 200"),
                        ContentType("application/x-protobuf"));
  ASSERT_TRUE(lp.ok());
  EXPECT_EQ(lp->status, 204) << lp->body;
  // Elasticsearch bulk: the index becomes a label; the answer lists every item.
  std::string bulk = StrCat(R"({"index":{"_index":"shop-logs"}})", "\n", R"({"@timestamp":")",
                            FormatRfc3339Nano(now_ - 1'000'000'000),
                            R"(","message":"stock low for sku 991","level":"warn","service":"inventory"})", "\n",
                            R"({"create":{}})", "\n", R"({"message":"no timestamp, default index","service":"inventory"})", "\n");
  auto es = vigil_.Post("/logs-default/_bulk", bulk, ContentType("application/x-ndjson"));
  ASSERT_TRUE(es.ok());
  EXPECT_EQ(es->status, 200) << es->body;
  EXPECT_TRUE(Contains(es->body, R"("errors":false)")) << es->body;
  EXPECT_TRUE(Contains(es->body, R"("_index":"shop-logs")")) << es->body;
  EXPECT_TRUE(Contains(es->body, R"("status":201)")) << es->body;
  // OTLP/HTTP, protobuf and JSON.
  auto op = vigil_.Post("/v1/logs", OtlpProtoBody(now_ - 500'000'000, "invoice failed"),
                        ContentType("application/x-protobuf"));
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->status, 200) << op->body;
  auto oj = vigil_.Post("/v1/logs",
                        StrCat(R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"mailer"}}]},)",
                               R"("scopeLogs":[{"logRecords":[{"timeUnixNano":")", now_ - 400'000'000,
                               R"(","severityNumber":9,"body":{"stringValue":"mail sent"},"attributes":[{"key":"to","value":{"stringValue":"a@b.c"}}]}]}]}]})"),
                        ContentType("application/json"));
  ASSERT_TRUE(oj.ok());
  EXPECT_EQ(oj->status, 200) << oj->body;

  // Loki's API over all of it.
  std::string all = QueryRange(R"({service_name=~".+"})", {{"limit", "100"}});
  for (std::string_view line : {"payment declined for order 81723", "order placed", "GET /cart 200",
                                "GET /pay 500", "GET /health 200", "stock low for sku 991",
                                "no timestamp, default index", "invoice failed", "mail sent"}) {
    EXPECT_TRUE(Contains(all, line)) << line << " in " << all;
  }
  EXPECT_TRUE(Contains(all, R"("index":"shop-logs")")) << all;
  EXPECT_TRUE(Contains(all, R"("service_name":"billing")")) << all;
  EXPECT_TRUE(Contains(all, R"("service_name":"web")")) << all;

  std::string needle = QueryRange(R"({service_name=~".+"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736")");
  EXPECT_TRUE(Contains(needle, "payment declined")) << needle;
  EXPECT_TRUE(Contains(needle, "invoice failed")) << needle;  // the OTLP record shares the id
  EXPECT_FALSE(Contains(needle, "order placed")) << needle;

  std::string field = QueryRange(R"({service="checkout"} | error_code="PAYMENT_DECLINED" | duration_ms > 200)");
  EXPECT_TRUE(Contains(field, "payment declined")) << field;
  EXPECT_FALSE(Contains(field, "order placed")) << field;

  std::string metric = QueryRange(R"(sum by (service_name) (count_over_time({service_name=~".+"}[10m])))",
                                  {{"step", "60s"}});
  EXPECT_TRUE(Contains(metric, R"("resultType":"matrix")")) << metric;
  EXPECT_TRUE(Contains(metric, R"({"service_name":"checkout"})")) << metric;

  auto instant = vigil_.Get(Url("/loki/api/v1/query", {{"query", R"(count_over_time({app="web"}[10m]))"},
                                                      {"time", StrCat(now_ + 1'000'000'000)}}));
  ASSERT_TRUE(instant.ok());
  EXPECT_EQ(instant->status, 200) << instant->body;
  EXPECT_TRUE(Contains(instant->body, R"("resultType":"vector")")) << instant->body;
  EXPECT_TRUE(Contains(instant->body, R"("env":"prod")")) << instant->body;

  auto labels = vigil_.Get("/loki/api/v1/labels");
  ASSERT_TRUE(labels.ok());
  EXPECT_TRUE(Contains(labels->body, R"("service_name")")) << labels->body;
  auto values = vigil_.Get("/loki/api/v1/label/service_name/values");
  ASSERT_TRUE(values.ok());
  for (std::string_view v : {"checkout", "web", "inventory", "billing", "mailer"}) {
    EXPECT_TRUE(Contains(values->body, StrCat("\"", v, "\""))) << values->body;
  }
  auto series = vigil_.Get(Url("/loki/api/v1/series", {{"match[]", R"({app="web"})"}}));
  ASSERT_TRUE(series.ok());
  EXPECT_TRUE(Contains(series->body, R"("env":"staging")")) << series->body;

  // What Grafana asks besides queries.
  auto build = vigil_.Get("/loki/api/v1/status/buildinfo");
  ASSERT_TRUE(build.ok());
  EXPECT_TRUE(Contains(build->body, R"("version":"3.0.0")")) << build->body;
  auto stats = vigil_.Get(Url("/loki/api/v1/index/stats", {{"query", R"({app="web"})"},
                                                          {"start", StrCat(now_ - 600LL * 1'000'000'000)},
                                                          {"end", StrCat(now_ + 1'000'000'000)}}));
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->status, 200) << stats->body;
  // web: two streams (prod, staging), three lines of 13 + 12 + 15 bytes.
  EXPECT_TRUE(Contains(stats->body, R"("streams":2)")) << stats->body;
  EXPECT_TRUE(Contains(stats->body, R"("bytes":40,"entries":3})")) << stats->body;

  // The structured search API and its aggregations.
  auto search = vigil_.Get(Url("/api/v1/logs/search", {{"filter", "duration_ms>100"}, {"q", "payment"}}));
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(search->status, 200) << search->body;
  EXPECT_TRUE(Contains(search->body, "payment declined for order 81723")) << search->body;
  EXPECT_TRUE(Contains(search->body, R"("error_code":"PAYMENT_DECLINED")")) << search->body;
  auto agg = vigil_.Get(Url("/api/v1/logs/aggregate", {{"by", "service_name"}, {"step", "1m"}}));
  ASSERT_TRUE(agg.ok());
  EXPECT_TRUE(Contains(agg->body, R"({"value":"checkout","count":2})")) << agg->body;

  // After a flush the same answers come from segments.
  ASSERT_EQ(vigil_.Post("/api/v1/admin/logs/flush", "")->status, 204);
  auto result = [](const std::string& body) { return body.substr(0, body.find("\"stats\"")); };
  EXPECT_EQ(result(QueryRange(R"({service_name=~".+"})", {{"limit", "100"}})), result(all));
}

TEST_F(LogsApiTest, BadInputKeepsTheValidPart) {
  std::string ndjson = StrCat(R"({"message":"good one","service":"svc"})", "\n", "{not json\n",
                              R"({"message":"bad trace","trace_id":"xyz","service":"svc"})", "\n",
                              R"({"message":"too old","service":"svc","timestamp":"2001-01-01T00:00:00Z"})", "\n",
                              "{\"message\":\"bad \xff utf8\",\"service\":\"svc\"}\n");
  auto r = vigil_.Post("/api/v1/logs/ingest", ndjson, ContentType("application/x-ndjson"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_TRUE(Contains(r->body, R"("errorType":"bad_data")")) << r->body;
  EXPECT_TRUE(Contains(r->body, "1 of 5 entries stored, 4 refused")) << r->body;
  EXPECT_TRUE(Contains(r->body, "line 2")) << r->body;
  EXPECT_TRUE(Contains(r->body, "trace_id")) << r->body;
  EXPECT_TRUE(Contains(r->body, "too old")) << r->body;
  std::string got = QueryRange(R"({service_name="svc"})");
  EXPECT_TRUE(Contains(got, "good one")) << got;
  EXPECT_FALSE(Contains(got, "bad trace")) << got;

  auto bad_snappy = vigil_.Post("/loki/api/v1/push", "not snappy at all", ContentType("application/x-protobuf"));
  ASSERT_TRUE(bad_snappy.ok());
  EXPECT_EQ(bad_snappy->status, 400);
  EXPECT_TRUE(Contains(bad_snappy->body, "snappy")) << bad_snappy->body;
  auto bad_proto = vigil_.Post("/v1/logs", "\x0a\xff\xff\xff", ContentType("application/x-protobuf"));
  ASSERT_TRUE(bad_proto.ok());
  EXPECT_EQ(bad_proto->status, 400) << bad_proto->body;
  // A google.rpc.Status: code 3 (INVALID_ARGUMENT) and the decoder's message.
  EXPECT_TRUE(Contains(bad_proto->body, "malformed OTLP logs request: truncated varint at byte 1"))
      << bad_proto->body;
  auto bad_otlp_json = vigil_.Post("/v1/logs", R"({"resourceLogs":5})", ContentType("application/json"));
  ASSERT_TRUE(bad_otlp_json.ok());
  EXPECT_EQ(bad_otlp_json->status, 400);
  EXPECT_EQ(bad_otlp_json->body,
            R"({"code":3,"message":"malformed OTLP/JSON logs request: resourceLogs must be an array, got number"})");
  auto bad_json = vigil_.Post("/loki/api/v1/push", R"({"streams":5})", ContentType("application/json"));
  ASSERT_TRUE(bad_json.ok());
  EXPECT_EQ(bad_json->status, 400) << bad_json->body;
  EXPECT_TRUE(Contains(bad_json->body, "streams")) << bad_json->body;
  auto bad_ts = vigil_.Post("/loki/api/v1/push",
                            StrCat(R"({"streams":[{"stream":{"app":"x"},"values":[["yesterday","a"],[")", now_,
                                   R"(","kept"]]}]})"),
                            ContentType("application/json"));
  ASSERT_TRUE(bad_ts.ok());
  EXPECT_EQ(bad_ts->status, 400) << bad_ts->body;
  EXPECT_TRUE(Contains(bad_ts->body, "1 of 2 entries stored")) << bad_ts->body;
  EXPECT_TRUE(Contains(QueryRange(R"({app="x"})"), "kept"));

  auto bad_query = vigil_.Get(Url("/loki/api/v1/query_range", {{"query", R"({app="x"} |= )"}}));
  ASSERT_TRUE(bad_query.ok());
  EXPECT_EQ(bad_query->status, 400);
  EXPECT_TRUE(Contains(bad_query->body, "parse error at line 1")) << bad_query->body;
  auto empty_selector = vigil_.Get(Url("/loki/api/v1/query_range", {{"query", R"({app=~".*"})"}}));
  ASSERT_TRUE(empty_selector.ok());
  EXPECT_EQ(empty_selector->status, 400);
  EXPECT_TRUE(Contains(empty_selector->body, "empty-compatible value")) << empty_selector->body;
  auto too_many = vigil_.Get(Url("/loki/api/v1/query_range", {{"query", R"({app="x"})"}, {"limit", "100000"}}));
  ASSERT_TRUE(too_many.ok());
  EXPECT_EQ(too_many->status, 400);
  EXPECT_TRUE(Contains(too_many->body, "max entries limit")) << too_many->body;
}

TEST(LogsDurabilityTest, KillNineLosesNoAcknowledgedLine) {
  TempDir dir;
  VigilProcess vigil;
  ASSERT_TRUE(vigil.Start(dir.path()).ok()) << vigil.log();
  constexpr int kWriters = 3;
  std::atomic<bool> stop{false};
  std::vector<std::atomic<int>> acked(kWriters);
  const int64_t t0 = NowNs() - 60'000'000'000;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpConnection conn(vigil.host(), vigil.port());
      for (int round = 0; !stop.load(); ++round) {
        std::string body;
        for (int i = 0; i < 20; ++i) {
          StrAppend(&body, R"({"timestamp":")", FormatRfc3339Nano(t0 + round * 1000 + i), R"(","service":"w)", w,
                    R"(","message":"round )", round, " line ", i, "\"}\n");
        }
        auto r = conn.Do("POST", "/api/v1/logs/ingest", ContentType("application/x-ndjson"), body,
                         std::chrono::seconds(10));
        if (!r.ok() || r->status != 204) return;
        acked[w].store(round + 1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  vigil.Kill();
  stop.store(true);
  for (auto& t : writers) t.join();
  VigilProcess again;
  ASSERT_TRUE(again.Start(dir.path()).ok()) << again.log();
  for (int w = 0; w < kWriters; ++w) {
    ASSERT_GT(acked[w].load(), 0);
    auto r = again.Get(Url("/api/v1/logs/aggregate", {{"selector", StrCat("{service=\"w", w, "\"}")},
                                                     {"start", StrCat(t0 - 1)},
                                                     {"end", StrCat(t0 + 1'000'000'000)}}));
    ASSERT_TRUE(r.ok());
    // Every acknowledged round's 20 lines (and perhaps a round written but not acknowledged).
    size_t at = r->body.find("\"total\":");
    ASSERT_NE(at, std::string::npos) << r->body;
    int64_t total = std::atoll(r->body.c_str() + at + 8);
    EXPECT_GE(total, acked[w].load() * 20) << "writer " << w;
  }
}

}  // namespace
}  // namespace vigil::testing
