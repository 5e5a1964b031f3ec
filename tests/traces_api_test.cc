// Traces end to end against the real binary: OTLP over HTTP (protobuf and JSON) and gRPC
// (with OTLP metrics and logs over gRPC too),
// Zipkin, trace by id (vigil's JSON with its analysis, and Jaeger's shape), search at span and
// trace level, the service graph, span metrics in PromQL with exemplars, bad input, kill -9.
#include <gtest/gtest.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <simdjson.h>

#include <fstream>
#include <future>
#include <thread>

#include "common/proto_wire.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

HttpHeaders ContentType(std::string_view type) {
  HttpHeaders h;
  h.Set("Content-Type", type);
  return h;
}

std::string Bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void StringAttr(proto::WireWriter& w, uint32_t field, std::string_view key, std::string_view v) {
  size_t kv = w.BeginMessage(field);
  w.BytesField(1, key);
  size_t any = w.BeginMessage(2);
  w.BytesField(1, v);
  w.EndMessage(any);
  w.EndMessage(kv);
}

void IntAttr(proto::WireWriter& w, uint32_t field, std::string_view key, int64_t v) {
  size_t kv = w.BeginMessage(field);
  w.BytesField(1, key);
  size_t any = w.BeginMessage(2);
  w.VarintField(3, static_cast<uint64_t>(v));
  w.EndMessage(any);
  w.EndMessage(kv);
}

struct TestSpan {
  std::string_view span_id, parent;
  std::string_view name;
  int kind;
  int64_t start_offset_ms, duration_ms;
  bool error = false;
};

// ExportTraceServiceRequest with one resource per service, spans of one trace each.
std::string OtlpRequest(std::string_view trace_hex, int64_t base_ns,
                        const std::vector<std::pair<std::string_view, std::vector<TestSpan>>>& by_service) {
  std::string out;
  proto::WireWriter w(&out);
  for (const auto& [service, spans] : by_service) {
    size_t rs = w.BeginMessage(1);
    size_t res = w.BeginMessage(1);
    StringAttr(w, 1, "service.name", service);
    w.EndMessage(res);
    size_t ss = w.BeginMessage(2);
    for (const TestSpan& s : spans) {
      size_t sp = w.BeginMessage(2);
      w.BytesField(1, Bytes(trace_hex));
      w.BytesField(2, Bytes(s.span_id));
      if (!s.parent.empty()) w.BytesField(4, Bytes(s.parent));
      w.BytesField(5, s.name);
      w.VarintField(6, static_cast<uint64_t>(s.kind));
      w.Fixed64Field(7, static_cast<uint64_t>(base_ns + s.start_offset_ms * 1'000'000));
      w.Fixed64Field(8, static_cast<uint64_t>(base_ns + (s.start_offset_ms + s.duration_ms) * 1'000'000));
      IntAttr(w, 9, "http.status_code", s.error ? 500 : 200);
      StringAttr(w, 9, "region", "eu-1");
      if (s.error) {
        size_t st = w.BeginMessage(15);
        w.BytesField(2, "card declined");
        w.VarintField(3, 2);
        w.EndMessage(st);
      }
      w.EndMessage(sp);
    }
    w.EndMessage(ss);
    w.EndMessage(rs);
  }
  return out;
}

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

// gateway GET /checkout (0-100 ms) -> orders (10-90 ms) -> payments charge (20-60 ms, error)
//                                  -> orders db (15-25 ms, parallel to the charge)
std::string CheckoutTrace(int64_t base_ns) {
  return OtlpRequest(
      kTrace, base_ns,
      {{"gateway", {{"00f067aa0ba90001", "", "GET /checkout", 2, 0, 100}}},
       {"orders",
        {{"00f067aa0ba90002", "00f067aa0ba90001", "POST /orders", 2, 10, 80},
         {"00f067aa0ba90004", "00f067aa0ba90002", "SELECT orders", 3, 15, 10}}},
       {"payments", {{"00f067aa0ba90003", "00f067aa0ba90002", "charge", 2, 20, 40, true}}}});
}

simdjson::dom::element Json(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(body).get(e), simdjson::SUCCESS) << body;
  return e;
}

class TracesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() + "/vigil.yml") << "traces:\n  span_metrics:\n    flush_interval: 1s\n";
    ASSERT_TRUE(vigil_
                    .Start(dir_.path() + "/data",
                           {"--config", dir_.path() + "/vigil.yml", "--otlp.grpc.listen",
                            "127.0.0.1:0"})
                    .ok())
        << vigil_.log();
    now_ = NowNs();
  }

  int GrpcPort() {
    std::string log = vigil_.log();
    size_t at = log.find("\"msg\":\"OTLP/gRPC listening\"");
    EXPECT_NE(at, std::string::npos);
    size_t addr = log.find("\"address\":\"", at);
    size_t end = log.find('"', addr + 11);
    std::string a = log.substr(addr + 11, end - addr - 11);
    return std::stoi(a.substr(a.rfind(':') + 1));
  }

  std::string GetOk(std::string_view target) {
    auto r = vigil_.Get(target);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << target << ": " << r->body;
    return r->body;
  }

  TempDir dir_;
  VigilProcess vigil_;
  int64_t now_ = 0;
};

TEST_F(TracesApiTest, OtlpProtobufTraceWithItsAnalysisAndJaegerShape) {
  auto r = vigil_.Post("/v1/traces", CheckoutTrace(now_ - 60'000'000'000),
                       ContentType("application/x-protobuf"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "");  // a full success is the empty ExportTraceServiceResponse

  simdjson::dom::parser p;
  std::string body = GetOk(StrCat("/api/v1/traces/", kTrace));
  auto d = Json(p, body)["data"];
  EXPECT_EQ(int64_t(d["span_count"]), 4);
  EXPECT_EQ(int64_t(d["error_count"]), 1);
  EXPECT_EQ(std::string_view(d["root_service"]), "gateway");
  EXPECT_EQ(int64_t(d["duration_ns"]), 100'000'000);
  // Spans in tree order: gateway, orders, its children by start (db at 15, charge at 20).
  auto spans = d["spans"].get_array();
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(std::string_view(spans.at(0)["name"]), "GET /checkout");
  EXPECT_EQ(std::string_view(spans.at(2)["name"]), "SELECT orders");
  EXPECT_EQ(int64_t(spans.at(1)["depth"]), 1);
  EXPECT_EQ(std::string_view(spans.at(3)["status"]), "error");
  EXPECT_EQ(std::string_view(spans.at(3)["attributes"]["http.status_code"]), "500");
  // orders' self time: its 80 ms minus the union of [15,25] and [20,60] (45 ms) = 35 ms.
  EXPECT_EQ(int64_t(spans.at(1)["self_time_ns"]), 35'000'000);
  // The critical path covers the whole 100 ms and runs through the charge, not the db call.
  int64_t total = 0;
  bool via_charge = false, via_db = false;
  for (auto seg : d["critical_path"].get_array()) {
    total += int64_t(seg["duration_ns"]);
    via_charge |= std::string_view(seg["name"]) == "charge";
    via_db |= std::string_view(seg["name"]) == "SELECT orders";
  }
  EXPECT_EQ(total, 100'000'000);
  EXPECT_TRUE(via_charge);
  EXPECT_FALSE(via_db);
  EXPECT_EQ(std::string_view(d["errors"].at(0)["status_message"]), "card declined");
  // The trace leads to its logs: a log line with its trace id is found by the given search.
  const int64_t log_ns = now_ - 60'000'000'000 + 50'000'000;
  auto pushed = vigil_.Post(
      "/loki/api/v1/push",
      StrCat(R"({"streams":[{"stream":{"service_name":"payments"},"values":[[")", log_ns,
             R"(","card declined",{"trace_id":")", kTrace, R"("}]]}]})"),
      ContentType("application/json"));
  ASSERT_TRUE(pushed.ok());
  ASSERT_EQ(pushed->status, 204) << pushed->body;
  std::string logs = GetOk(std::string(std::string_view(d["logs_search"])));
  EXPECT_TRUE(Contains(logs, R"("body":"card declined")")) << logs;

  std::string jaeger = GetOk(StrCat("/api/traces/", kTrace));
  EXPECT_TRUE(Contains(jaeger, R"({"key":"http.status_code","type":"int64","value":500})")) << jaeger;
  EXPECT_TRUE(Contains(jaeger, R"({"key":"error","type":"bool","value":true})"));
  EXPECT_TRUE(Contains(jaeger, R"("refType":"CHILD_OF")"));
  EXPECT_TRUE(Contains(jaeger, R"("serviceName":"payments")"));
  EXPECT_EQ(GetOk("/api/services"),
            R"({"data":["gateway","orders","payments"],"total":3,"limit":0,"offset":0,"errors":null})");
  EXPECT_TRUE(Contains(GetOk("/api/services/orders/operations"), R"("POST /orders","SELECT orders")"));

  auto missing = vigil_.Get("/api/v1/traces/00000000000000000000000000000001");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  auto bad = vigil_.Get("/api/v1/traces/xyz");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(Contains(bad->body, R"(invalid trace id \"xyz\": expected 32 hex digits)")) << bad->body;
}

TEST_F(TracesApiTest, SearchServiceGraphAndSpanMetrics) {
  ASSERT_EQ(vigil_.Post("/v1/traces", CheckoutTrace(now_ - 60'000'000'000),
                        ContentType("application/x-protobuf"))->status, 200);
  // A second, healthy trace of the gateway alone.
  std::string other = OtlpRequest("0af7651916cd43dd8448eb211c80319c", now_ - 30'000'000'000,
                                  {{"gateway", {{"b7ad6b7169203331", "", "GET /health", 2, 0, 2}}}});
  ASSERT_EQ(vigil_.Post("/v1/traces", other, ContentType("application/x-protobuf"))->status, 200);

  simdjson::dom::parser p;
  auto found = Json(p, GetOk("/api/v1/traces/search?service=payments&attr=http.status_code=500"
                             "&min_duration=30ms"))["data"]["traces"];
  ASSERT_EQ(found.get_array().size(), 1u);
  EXPECT_EQ(std::string_view(found.at(0)["trace_id"]), kTrace);
  EXPECT_EQ(int64_t(found.at(0)["span_count"]), 4);
  // Trace level: a 4-span trace with an error somewhere, rooted at the gateway.
  auto traces = Json(p, GetOk("/api/v1/traces/search?root_service=gateway&has_error=true"))["data"]["traces"];
  ASSERT_EQ(traces.get_array().size(), 1u);
  auto healthy = Json(p, GetOk("/api/v1/traces/search?root_service=gateway&has_error=false"))["data"]["traces"];
  ASSERT_EQ(healthy.get_array().size(), 1u);
  EXPECT_EQ(std::string_view(healthy.at(0)["root_span_name"]), "GET /health");
  auto none = vigil_.Get("/api/v1/traces/search?kind=sideways");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 400);

  std::string graph = GetOk("/api/v1/traces/service_graph");
  EXPECT_TRUE(Contains(graph, R"({"client":"gateway","server":"orders","calls":1,"errors":0)")) << graph;
  EXPECT_TRUE(Contains(graph, R"({"client":"orders","server":"payments","calls":1,"errors":1)"));

  // Span metrics reach PromQL within a flush interval (1 s here), with exemplars to the trace.
  std::string result;
  for (int i = 0; i < 50 && !Contains(result, "payments"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    result = GetOk("/api/v1/query?query=traces_spanmetrics_calls_total%7Bstatus_code%3D%22STATUS_CODE_ERROR%22%7D");
  }
  EXPECT_TRUE(Contains(result, R"("service":"payments")")) << result;
  EXPECT_TRUE(Contains(result, R"("span_name":"charge")"));
  std::string ex = GetOk(StrCat("/api/v1/query_exemplars?query=traces_spanmetrics_latency_bucket&start=",
                                (now_ - 3600'000'000'000) / 1'000'000'000, "&end=",
                                now_ / 1'000'000'000 + 3600));
  EXPECT_TRUE(Contains(ex, StrCat(R"("trace_id":")", kTrace, "\""))) << ex;
}

TEST_F(TracesApiTest, OtlpJsonGrpcAndZipkin) {
  const int64_t t = now_ - 10'000'000'000;
  std::string json = StrCat(
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},)"
      R"("scopeSpans":[{"spans":[{"traceId":"11111111111111111111111111111111","spanId":"2222222222222222",)"
      R"("name":"GET /","kind":"SPAN_KIND_SERVER","startTimeUnixNano":")", t,
      R"(","endTimeUnixNano":")", t + 5'000'000, R"("}]}]}]})");
  auto r = vigil_.Post("/v1/traces", json, ContentType("application/json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{}");

  // OTLP/gRPC: TraceService/Export with the protobuf request.
  auto channel = grpc::CreateChannel(StrCat("127.0.0.1:", GrpcPort()), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  std::string req = OtlpRequest("33333333333333333333333333333333", t,
                                {{"grpc-svc", {{"4444444444444444", "", "rpc", 2, 0, 3}}}});
  grpc::Slice slice(req);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  grpc::Status status;
  std::atomic<bool> done = false;
  stub.UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                 grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                   status = s;
                   done = true;
                 });
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(done);
  EXPECT_TRUE(status.ok()) << status.error_message();

  std::string zipkin = StrCat(
      R"([{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"get /users","kind":"SERVER",)"
      R"("timestamp":)", t / 1000, R"(,"duration":20000,"localEndpoint":{"serviceName":"users"},)"
      R"("tags":{"http.method":"GET","error":"timeout"}}])");
  r = vigil_.Post("/api/v2/spans", zipkin, ContentType("application/json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202) << r->body;

  simdjson::dom::parser p;
  auto web = Json(p, GetOk("/api/v1/traces/11111111111111111111111111111111"))["data"];
  EXPECT_EQ(std::string_view(web["spans"].at(0)["kind"]), "server");
  auto g = Json(p, GetOk("/api/v1/traces/33333333333333333333333333333333"))["data"];
  EXPECT_EQ(std::string_view(g["root_service"]), "grpc-svc");
  auto z = Json(p, GetOk("/api/v1/traces/0000000000000000463ac35c9f6413ad"))["data"];
  EXPECT_EQ(std::string_view(z["spans"].at(0)["status"]), "error");
  EXPECT_EQ(int64_t(z["spans"].at(0)["duration_ns"]), 20'000'000);
}

// One unary gRPC call with raw protobuf bytes; the status.
grpc::Status GrpcCall(int port, std::string_view method, const std::string& body) {
  auto channel = grpc::CreateChannel(StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, std::string(method), grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status st = done.get_future().get();
  if (st.ok() && !response.Valid()) return grpc::Status(grpc::StatusCode::INTERNAL, "no message");
  return st;
}

TEST_F(TracesApiTest, OtlpMetricsAndLogsOverHttpAndGrpc) {
  const int64_t t = now_ - 5'000'000'000;
  std::string gauge = StrCat(
      R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},)"
      R"("scopeMetrics":[{"metrics":[{"name":"queue.depth","gauge":{"dataPoints":[{"asInt":"7","timeUnixNano":")",
      t, R"("}]}}]}]}]})");
  auto r = vigil_.Post("/v1/metrics", gauge, ContentType("application/json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;

  // MetricsService/Export: a monotonic cumulative sum.
  std::string sum;
  {
    proto::WireWriter w(&sum);
    size_t rm = w.BeginMessage(1);
    size_t res = w.BeginMessage(1);
    StringAttr(w, 1, "service.name", "shop");
    w.EndMessage(res);
    size_t sm = w.BeginMessage(2);
    size_t m = w.BeginMessage(2);
    w.BytesField(1, "http.server.requests");
    size_t s7 = w.BeginMessage(7);
    size_t dp = w.BeginMessage(1);
    w.Fixed64Field(3, static_cast<uint64_t>(t));
    w.Fixed64Field(6, 42);
    w.EndMessage(dp);
    w.VarintField(2, 2);
    w.VarintField(3, 1);
    w.EndMessage(s7);
    w.EndMessage(m);
    w.EndMessage(sm);
    w.EndMessage(rm);
  }
  grpc::Status st = GrpcCall(GrpcPort(), "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", sum);
  EXPECT_TRUE(st.ok()) << st.error_message();
  // LogsService/Export: one record.
  std::string logs;
  {
    proto::WireWriter w(&logs);
    size_t rl = w.BeginMessage(1);
    size_t res = w.BeginMessage(1);
    StringAttr(w, 1, "service.name", "grpc-logs");
    w.EndMessage(res);
    size_t sl = w.BeginMessage(2);
    size_t lr = w.BeginMessage(2);
    w.Fixed64Field(1, static_cast<uint64_t>(t));
    size_t body = w.BeginMessage(5);
    w.BytesField(1, "hello over grpc");
    w.EndMessage(body);
    w.EndMessage(lr);
    w.EndMessage(sl);
    w.EndMessage(rl);
  }
  st = GrpcCall(GrpcPort(), "/opentelemetry.proto.collector.logs.v1.LogsService/Export", logs);
  EXPECT_TRUE(st.ok()) << st.error_message();
  // A truncated request is INVALID_ARGUMENT.
  st = GrpcCall(GrpcPort(), "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                std::string("\x0a\xff\x01", 3));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();

  std::string q = GetOk("/api/v1/query?query=queue_depth");
  EXPECT_TRUE(Contains(q, R"("job":"shop")")) << q;
  EXPECT_TRUE(Contains(q, R"("7"])")) << q;
  q = GetOk("/api/v1/query?query=http_server_requests_total");
  EXPECT_TRUE(Contains(q, R"("42"])")) << q;
  std::string l = GetOk(StrCat("/loki/api/v1/query_range?query=%7Bservice_name%3D%22grpc-logs%22%7D&start=",
                               now_ - 60'000'000'000, "&end=", now_ + 1'000'000'000));
  EXPECT_TRUE(Contains(l, "hello over grpc")) << l;
}

TEST_F(TracesApiTest, BadInputIsRefusedSpecificallyAndTheRestKept) {
  // Truncated protobuf: the whole request is refused with a google.rpc.Status.
  std::string good = CheckoutTrace(now_ - 5'000'000'000);
  auto r = vigil_.Post("/v1/traces", good.substr(0, good.size() - 7), ContentType("application/x-protobuf"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Contains(r->body, "malformed")) << r->body;
  // JSON with one span of a bad id and one good span: partial success naming the bad one.
  const int64_t t = now_ - 5'000'000'000;
  std::string json = StrCat(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[)"
      R"({"traceId":"abc","spanId":"2222222222222222","name":"bad","startTimeUnixNano":")", t, R"("},)"
      R"({"traceId":"55555555555555555555555555555555","spanId":"2222222222222222","name":"ok",)"
      R"("startTimeUnixNano":")", t, R"(","endTimeUnixNano":")", t - 1000, R"("}]}]}]})");
  r = vigil_.Post("/v1/traces", json, ContentType("application/json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(Contains(r->body, R"("rejectedSpans":"1")")) << r->body;
  EXPECT_TRUE(Contains(r->body, "traceId")) << r->body;
  // The good span was kept, its end (before its start) clamped to its start.
  simdjson::dom::parser p;
  auto kept = Json(p, GetOk("/api/v1/traces/55555555555555555555555555555555"))["data"];
  EXPECT_EQ(int64_t(kept["duration_ns"]), 0);
  // Zipkin garbage.
  r = vigil_.Post("/api/v2/spans", "{not json", ContentType("application/json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
}

TEST_F(TracesApiTest, KillNineLosesNoAcknowledgedSpan) {
  ASSERT_EQ(vigil_.Post("/v1/traces", CheckoutTrace(now_ - 60'000'000'000),
                        ContentType("application/x-protobuf"))->status, 200);
  vigil_.Kill();
  ASSERT_TRUE(vigil_.Start(dir_.path() + "/data").ok()) << vigil_.log();
  simdjson::dom::parser p;
  auto d = Json(p, GetOk(StrCat("/api/v1/traces/", kTrace)))["data"];
  EXPECT_EQ(int64_t(d["span_count"]), 4);
}

}  // namespace
}  // namespace vigil::testing
