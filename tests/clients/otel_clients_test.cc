// The OpenTelemetry JavaScript SDK sends traces into vigil unchanged: send_traces.js exports
// one known three-span trace through each OTLP trace exporter (protobuf over HTTP, gzipped
// JSON over HTTP, gRPC) to the real binary's OTLP listeners, and the tests read every trace
// back through vigil's trace API, the Jaeger-shaped API and trace search, checking the tree,
// kinds, attributes with their types, the event, the error status and the link.
//
// Needs node and tests/clients/node_modules (both installed by scripts/setup); without them
// the tests skip and say why.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "common/time_util.h"
#include "http/url.h"
#include "tests/clients/run_process.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

// The address that follows `"msg":"<msg>"` in vigil's log, or "".
std::string LoggedAddress(const std::string& log, std::string_view msg) {
  size_t at = log.find(StrCat("\"msg\":\"", msg, "\""));
  if (at == std::string::npos) return "";
  constexpr std::string_view kKey = "\"address\":\"";
  at = log.find(kKey, at);
  if (at == std::string::npos) return "";
  at += kKey.size();
  size_t end = log.find('"', at);
  return end == std::string::npos ? "" : log.substr(at, end - at);
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

using Json = simdjson::simdjson_result<simdjson::dom::element>;

// A string-valued field of an object, or "<absent>" so that a comparison fails legibly.
std::string Field(Json obj, std::string_view key) {
  std::string_view s;
  return obj[key].get_string().get(s) == simdjson::SUCCESS ? std::string(s) : "<absent>";
}

std::string Field(simdjson::dom::element obj, std::string_view key) {
  return Field(Json(std::move(obj)), key);
}

// An integer, or -1 when `e` is not one.
int64_t Int(Json e) {
  int64_t v = 0;
  return e.get_int64().get(v) == simdjson::SUCCESS ? v : -1;
}

// True only for a JSON `true`.
bool IsTrue(Json e) {
  bool v = false;
  return e.get_bool().get(v) == simdjson::SUCCESS && v;
}

// A JSON document fetched from vigil, kept alive with its parser.
struct Doc {
  std::string body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

class OtelClientsTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    const std::string node = VIGIL_NODE_BINARY;
    const std::filesystem::path dir = VIGIL_CLIENTS_DIR;
    if (node.empty() || access(node.c_str(), X_OK) != 0) {
      skip_reason_ = "node is not installed (scripts/setup installs it)";
      return;
    }
    for (const char* pkg :
         {"@opentelemetry/sdk-trace-node", "@opentelemetry/exporter-trace-otlp-proto",
          "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/exporter-trace-otlp-grpc"}) {
      if (!std::filesystem::exists(dir / "node_modules" / pkg / "package.json")) {
        skip_reason_ = StrCat("tests/clients/node_modules lacks ", pkg,
                              ": run `npm ci` in tests/clients (scripts/setup does)");
        return;
      }
    }
    data_dir_ = std::make_unique<TempDir>();
    vigil_ = std::make_unique<VigilProcess>();
    start_ = vigil_->Start(data_dir_->path(), {"--otlp.grpc.listen", "127.0.0.1:0",
                                               "--otlp.http.listen", "127.0.0.1:0"});
    if (!start_.ok()) return;
    const std::string log = vigil_->log();
    const std::string grpc = LoggedAddress(log, "OTLP/gRPC listening");
    const std::string http = LoggedAddress(log, "OTLP/HTTP listening");
    if (grpc.empty() || http.empty()) {
      start_ = absl::InternalError(StrCat("no OTLP listener addresses in the log:\n", log));
      return;
    }
    run_id_ = StrCat("t", getpid(), "-", NowNs() / 1'000'000 % 1'000'000'000);
    sent_ = RunProcess(
        {node, (dir / "send_traces.js").string(), StrCat("http://", http), grpc, run_id_},
        std::chrono::seconds(30));
  }

  static void TearDownTestSuite() {
    vigil_.reset();
    data_dir_.reset();
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(start_.ok()) << start_;
  }

  static std::string Exporter() { return GetParam(); }
  static std::string TraceId() { return OutputValue(sent_.output, StrCat("trace_", Exporter())); }
  static std::string LinkedTraceId() {
    return OutputValue(sent_.output, StrCat("link_", Exporter()));
  }
  static std::string Service() { return StrCat("checkout-", Exporter(), "-", run_id_); }
  static std::string Sent() { return StrCat("send_traces.js said:\n", sent_.output); }

  // GETs `target` and parses the answer; fails the test when it is not a 200 JSON document.
  static void Fetch(const std::string& target, Doc* doc) {
    auto resp = vigil_->Get(target);
    ASSERT_TRUE(resp.ok()) << target << ": " << resp.status();
    doc->body = std::move(resp->body);
    ASSERT_EQ(resp->status, 200) << target << ": " << doc->body;
    ASSERT_EQ(doc->parser.parse(doc->body).get(doc->root), simdjson::SUCCESS)
        << target << ": " << doc->body;
    doc->ok = true;
  }

  // The trace in vigil's shape once all three spans are in; exports are acknowledged before
  // send_traces.js exits, so the wait only covers an answer that lags the acknowledgement.
  static void FetchTrace(const std::string& trace_id, Doc* doc) {
    const std::string target = StrCat("/api/v1/traces/", trace_id);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (true) {
      auto resp = vigil_->Get(target);
      ASSERT_TRUE(resp.ok()) << resp.status();
      uint64_t count = 0;
      doc->body = std::move(resp->body);
      if (resp->status == 200 && doc->parser.parse(doc->body).get(doc->root) == simdjson::SUCCESS &&
          doc->root["data"]["span_count"].get_uint64().get(count) == simdjson::SUCCESS &&
          count >= 3) {
        doc->ok = true;
        return;
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << target << " answered " << resp->status << ": " << doc->body << "\n"
          << Sent();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  static inline std::string skip_reason_;
  static inline std::unique_ptr<TempDir> data_dir_;
  static inline std::unique_ptr<VigilProcess> vigil_;
  static inline absl::Status start_;
  static inline std::string run_id_;
  static inline ProcessResult sent_;
};

// The exporter reported success: an export vigil rejected (or answered in a way the client
// cannot read) makes send_traces.js print the exporter's error and exit 1. A problem is
// charged to the exporter whose name starts its line; one that names no exporter (the SDK's
// diag log, the script's deadline) to every exporter.
TEST_P(OtelClientsTest, ExporterConfirmsDelivery) {
  EXPECT_NE(sent_.exit_code, -1) << Sent();
  for (std::string_view line : Lines(sent_.output)) {
    if (line.empty() || line.starts_with("trace_") || line.starts_with("link_")) continue;
    bool other = false;
    for (std::string_view name : {"proto", "json", "grpc"}) {
      if (name != Exporter() &&
          (line.starts_with(StrCat(name, " ")) || line.starts_with(StrCat(name, ":"))))
        other = true;
    }
    EXPECT_TRUE(other) << "the " << Exporter() << " export failed: " << line << "\n"
                       << Sent() << "\nvigil log:\n"
                       << vigil_->log();
  }
  EXPECT_EQ(TraceId().size(), 32u) << Sent();
  EXPECT_EQ(LinkedTraceId().size(), 32u) << Sent();
}

TEST_P(OtelClientsTest, TraceInVigilShape) {
  const std::string trace_id = TraceId();
  ASSERT_EQ(trace_id.size(), 32u) << Sent();
  Doc doc;
  ASSERT_NO_FATAL_FAILURE(FetchTrace(trace_id, &doc));
  simdjson::dom::element data = doc.root["data"];
  EXPECT_EQ(Field(data, "trace_id"), trace_id);
  EXPECT_EQ(Int(data["span_count"]), 3) << doc.body;
  EXPECT_EQ(Field(data, "root_service"), Service());
  EXPECT_EQ(Field(data, "root_span_name"), "GET /checkout");

  std::map<std::string, simdjson::dom::element> by_name;
  simdjson::dom::array spans;
  ASSERT_EQ(data["spans"].get_array().get(spans), simdjson::SUCCESS) << doc.body;
  for (simdjson::dom::element s : spans) by_name[Field(s, "name")] = s;
  ASSERT_EQ(by_name.size(), 3u) << doc.body;
  ASSERT_TRUE(by_name.count("GET /checkout") && by_name.count("charge card") &&
              by_name.count("load card"))
      << doc.body;
  simdjson::dom::element root = by_name["GET /checkout"];
  simdjson::dom::element charge = by_name["charge card"];
  simdjson::dom::element load = by_name["load card"];

  // The tree and the kinds.
  EXPECT_EQ(Field(root, "parent_span_id"), "");
  EXPECT_EQ(Field(charge, "parent_span_id"), Field(root, "span_id"));
  EXPECT_EQ(Field(load, "parent_span_id"), Field(charge, "span_id"));
  EXPECT_EQ(Field(root, "kind"), "server");
  EXPECT_EQ(Field(charge, "kind"), "client");
  EXPECT_EQ(Field(load, "kind"), "internal");
  for (simdjson::dom::element s : {root, charge, load}) {
    EXPECT_EQ(Field(s, "span_id").size(), 16u) << doc.body;
    EXPECT_EQ(Field(s, "service"), Service());
    EXPECT_EQ(Field(s["resource"], "service.name"), Service());
    EXPECT_EQ(Field(s["resource"], "service.version"), "2.4.1");
    EXPECT_EQ(Field(s["resource"], "vigil.test.run"), run_id_);
    EXPECT_EQ(Field(s["scope"], "name"), "checkout-tracer");
    EXPECT_EQ(Field(s["scope"], "version"), "1.2.3");
  }

  // Attribute values as text: ints and doubles as numbers, bools as true/false, arrays as JSON.
  simdjson::dom::element attrs = root["attributes"];
  EXPECT_EQ(Field(attrs, "http.method"), "GET");
  EXPECT_EQ(Field(attrs, "http.status_code"), "500");
  EXPECT_EQ(Field(attrs, "cart.total"), "99.95");
  EXPECT_EQ(Field(attrs, "cart.gift"), "true");
  EXPECT_EQ(Field(attrs, "cart.items"), R"(["book","pen"])");
  EXPECT_EQ(Field(charge["attributes"], "peer.service"), "payments");

  // Status: only the client span failed.
  EXPECT_EQ(Field(root, "status"), "unset");
  EXPECT_EQ(Field(load, "status"), "unset");
  EXPECT_EQ(Field(charge, "status"), "error");
  EXPECT_EQ(Field(charge, "status_message"), "card declined");
  EXPECT_EQ(Int(data["error_count"]), 1) << doc.body;

  // The event on the client span.
  simdjson::dom::array events;
  ASSERT_EQ(charge["events"].get_array().get(events), simdjson::SUCCESS) << doc.body;
  ASSERT_EQ(events.size(), 1u) << doc.body;
  EXPECT_EQ(Field(events.at(0), "name"), "retry");
  EXPECT_EQ(Field(events.at(0)["attributes"], "attempt"), "2");

  // The link from the root span into the other trace.
  simdjson::dom::array links;
  ASSERT_EQ(root["links"].get_array().get(links), simdjson::SUCCESS) << doc.body;
  ASSERT_EQ(links.size(), 1u) << doc.body;
  EXPECT_EQ(Field(links.at(0), "trace_id"), LinkedTraceId());
  EXPECT_EQ(Field(links.at(0), "span_id").size(), 16u);
  EXPECT_EQ(Field(links.at(0)["attributes"], "link.reason"), "queued order");
}

// A Jaeger span's tag (or log field) by key; an error result when there is none.
Json Tag(Json tags, std::string_view key) {
  simdjson::dom::array arr;
  if (tags.get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element t : arr) {
      if (Field(t, "key") == key) return t;
    }
  }
  return Json(simdjson::NO_SUCH_FIELD);
}

TEST_P(OtelClientsTest, TraceInJaegerShape) {
  const std::string trace_id = TraceId();
  ASSERT_EQ(trace_id.size(), 32u) << Sent();
  Doc wait;
  ASSERT_NO_FATAL_FAILURE(FetchTrace(trace_id, &wait));
  Doc doc;
  ASSERT_NO_FATAL_FAILURE(Fetch(StrCat("/api/traces/", trace_id), &doc));
  simdjson::dom::array traces;
  ASSERT_EQ(doc.root["data"].get_array().get(traces), simdjson::SUCCESS) << doc.body;
  ASSERT_EQ(traces.size(), 1u) << doc.body;
  simdjson::dom::element t;
  ASSERT_EQ(traces.at(0).get(t), simdjson::SUCCESS);
  EXPECT_EQ(Field(t, "traceID"), trace_id);

  std::map<std::string, simdjson::dom::element> by_name;
  simdjson::dom::array spans;
  ASSERT_EQ(t["spans"].get_array().get(spans), simdjson::SUCCESS) << doc.body;
  for (simdjson::dom::element s : spans) by_name[Field(s, "operationName")] = s;
  ASSERT_EQ(by_name.size(), 3u) << doc.body;
  ASSERT_TRUE(by_name.count("GET /checkout") && by_name.count("charge card")) << doc.body;
  simdjson::dom::element root = by_name["GET /checkout"];
  simdjson::dom::element charge = by_name["charge card"];

  // The process carries the service name.
  EXPECT_EQ(Field(t["processes"][Field(root, "processID")], "serviceName"), Service()) << doc.body;

  // Typed tags.
  Json status_code = Tag(root["tags"], "http.status_code");
  EXPECT_EQ(Field(status_code, "type"), "int64") << doc.body;
  EXPECT_EQ(Int(status_code["value"]), 500) << doc.body;
  Json total = Tag(root["tags"], "cart.total");
  EXPECT_EQ(Field(total, "type"), "float64") << doc.body;
  double total_value = 0;
  EXPECT_EQ(total["value"].get_double().get(total_value), simdjson::SUCCESS) << doc.body;
  EXPECT_DOUBLE_EQ(total_value, 99.95);
  Json gift = Tag(root["tags"], "cart.gift");
  EXPECT_EQ(Field(gift, "type"), "bool") << doc.body;
  EXPECT_TRUE(IsTrue(gift["value"])) << doc.body;
  EXPECT_EQ(Field(Tag(root["tags"], "http.method"), "value"), "GET");
  EXPECT_EQ(Field(Tag(root["tags"], "span.kind"), "value"), "server");
  EXPECT_NE(Tag(root["tags"], "error").error(), simdjson::SUCCESS)
      << "the root span did not fail: " << doc.body;

  // The failed span: error=true, the status text, the event as a log.
  Json error = Tag(charge["tags"], "error");
  EXPECT_EQ(Field(error, "type"), "bool") << doc.body;
  EXPECT_TRUE(IsTrue(error["value"])) << doc.body;
  EXPECT_EQ(Field(Tag(charge["tags"], "otel.status_description"), "value"), "card declined");
  EXPECT_EQ(Field(Tag(charge["tags"], "span.kind"), "value"), "client");
  simdjson::dom::array logs;
  ASSERT_EQ(charge["logs"].get_array().get(logs), simdjson::SUCCESS) << doc.body;
  ASSERT_EQ(logs.size(), 1u) << doc.body;
  Json fields = logs.at(0)["fields"];
  EXPECT_EQ(Field(Tag(fields, "event"), "value"), "retry");
  EXPECT_EQ(Field(Tag(fields, "attempt"), "type"), "int64") << doc.body;
  EXPECT_EQ(Int(Tag(fields, "attempt")["value"]), 2) << doc.body;

  // References: the parent as CHILD_OF, the link as FOLLOWS_FROM.
  simdjson::dom::array refs;
  ASSERT_EQ(charge["references"].get_array().get(refs), simdjson::SUCCESS) << doc.body;
  ASSERT_EQ(refs.size(), 1u) << doc.body;
  EXPECT_EQ(Field(refs.at(0), "refType"), "CHILD_OF");
  EXPECT_EQ(Field(refs.at(0), "spanID"), Field(root, "spanID"));
  ASSERT_EQ(root["references"].get_array().get(refs), simdjson::SUCCESS) << doc.body;
  ASSERT_EQ(refs.size(), 1u) << doc.body;
  EXPECT_EQ(Field(refs.at(0), "refType"), "FOLLOWS_FROM");
  EXPECT_EQ(Field(refs.at(0), "traceID"), LinkedTraceId());
}

// The trace ids that search answers.
std::vector<std::string> SearchIds(const Doc& doc) {
  std::vector<std::string> ids;
  simdjson::dom::array traces;
  if (doc.root["data"]["traces"].get_array().get(traces) != simdjson::SUCCESS) {
    ADD_FAILURE() << "not a search answer: " << doc.body;
    return ids;
  }
  for (simdjson::dom::element t : traces) ids.push_back(Field(t, "trace_id"));
  return ids;
}

TEST_P(OtelClientsTest, SearchFindsTraceByServiceAndAttribute) {
  const std::string trace_id = TraceId();
  ASSERT_EQ(trace_id.size(), 32u) << Sent();
  Doc wait;
  ASSERT_NO_FATAL_FAILURE(FetchTrace(trace_id, &wait));
  const std::string base = StrCat("/api/v1/traces/search?service=", UrlEncode(Service()));
  for (std::string_view attr : {"http.status_code=500", "cart.gift=true", "http.method=GET"}) {
    Doc doc;
    ASSERT_NO_FATAL_FAILURE(Fetch(StrCat(base, "&attr=", UrlEncode(attr)), &doc));
    EXPECT_EQ(SearchIds(doc), std::vector<std::string>{trace_id}) << attr << ": " << doc.body;
  }
  // A value the trace does not have finds nothing.
  Doc none;
  ASSERT_NO_FATAL_FAILURE(Fetch(StrCat(base, "&attr=", UrlEncode("http.status_code=404")), &none));
  EXPECT_TRUE(SearchIds(none).empty()) << none.body;
}

INSTANTIATE_TEST_SUITE_P(Exporters, OtelClientsTest, ::testing::Values("proto", "json", "grpc"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace vigil::testing
