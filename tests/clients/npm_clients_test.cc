// Real log shippers from npm write into vigil unchanged: send_logs.js logs one known set of
// messages through winston-loki (JSON and snappy protobuf pushes) and winston-elasticsearch
// (`_bulk`) against the real binary, and the tests read every message back through Loki's
// query API and vigil's log search, checking counts, labels and fields per transport.
//
// Needs node and tests/clients/node_modules (both installed by scripts/setup); without them
// the tests skip and say why.
#include <unistd.h>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/time_util.h"
#include "http/url.h"
#include "tests/clients/run_process.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

// What send_logs.js logs, by the `seq` it attaches: the level, and the message as winston
// delivers it (an Error's message is appended to the text logged with it).
struct Sent {
  int seq;
  std::string_view level;
  std::string_view message;
};
constexpr Sent kSent[] = {
    {1, "info", "order placed"},
    {2, "debug", "cache miss"},
    {3, "warn", "slow query"},
    {4, "error", "payment failed card declined"},
    {5, "info", "re\xc3\xa7u envoy\xc3\xa9 \xe2\x9c\x93"},
    {6, "error", "upstream timeout"},
};
constexpr size_t kSentCount = std::size(kSent);
constexpr std::string_view kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

// A map's value, or "<absent>" so that a missing key fails a comparison legibly.
std::string Get(const std::map<std::string, std::string>& m, std::string_view key) {
  auto it = m.find(std::string(key));
  return it == m.end() ? "<absent>" : it->second;
}

const Sent* BySeq(std::string_view seq) {
  for (const Sent& s : kSent) {
    if (seq == std::to_string(s.seq)) return &s;
  }
  return nullptr;
}

const Sent* ByLinePrefix(std::string_view line) {
  for (const Sent& s : kSent) {
    // winston-loki's default line: the message, a space, the metadata as JSON.
    if (line.starts_with(StrCat(s.message, " {"))) return &s;
  }
  return nullptr;
}

// One entry of a Loki streams answer.
struct LokiEntry {
  std::map<std::string, std::string> stream;
  std::string line;
  std::map<std::string, std::string> metadata;  // structured metadata (categorize-labels)
};

void ReadStringMap(simdjson::dom::element obj, std::map<std::string, std::string>* out) {
  simdjson::dom::object o;
  if (obj.get_object().get(o) != simdjson::SUCCESS) return;
  for (auto [k, v] : o) {
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) (*out)[std::string(k)] = std::string(s);
  }
}

class NpmClientsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string node = VIGIL_NODE_BINARY;
    const std::filesystem::path dir = VIGIL_CLIENTS_DIR;
    if (node.empty() || access(node.c_str(), X_OK) != 0) {
      skip_reason_ = "node is not installed (scripts/setup installs it)";
      return;
    }
    for (const char* pkg : {"winston", "winston-loki", "winston-elasticsearch"}) {
      if (!std::filesystem::exists(dir / "node_modules" / pkg / "package.json")) {
        skip_reason_ = StrCat("tests/clients/node_modules lacks ", pkg,
                              ": run `npm ci` in tests/clients (scripts/setup does)");
        return;
      }
    }
    data_dir_ = std::make_unique<TempDir>();
    vigil_ = std::make_unique<VigilProcess>();
    start_ = vigil_->Start(data_dir_->path());
    if (!start_.ok()) return;
    run_id_ = StrCat("t", getpid(), "-", NowNs() / 1'000'000 % 1'000'000'000);
    shipped_ = RunProcess({node, (dir / "send_logs.js").string(),
                           StrCat("http://", vigil_->host(), ":", vigil_->port()), run_id_},
                          std::chrono::seconds(40));
    const std::string& out = shipped_.output;
    if (size_t at = out.find("es_index="); at != std::string::npos) {
      size_t end = out.find('\n', at);
      es_index_ = out.substr(at + 9, end == std::string::npos ? std::string::npos : end - at - 9);
    }
  }

  static void TearDownTestSuite() {
    vigil_.reset();
    data_dir_.reset();
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(start_.ok()) << start_;
  }

  // Loki's query_range over the last hour, with structured metadata split out.
  static std::vector<LokiEntry> QueryLoki(std::string_view logql) {
    const int64_t now = NowNs();
    std::string target = StrCat("/loki/api/v1/query_range?query=", UrlEncode(logql),
                                "&start=", now - 3600LL * 1'000'000'000, "&end=", now + 60LL * 1'000'000'000,
                                "&limit=1000");
    auto resp = vigil_->Get(target, {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
    std::vector<LokiEntry> out;
    EXPECT_TRUE(resp.ok()) << resp.status();
    if (!resp.ok()) return out;
    EXPECT_EQ(resp->status, 200) << logql << ": " << resp->body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array streams;
    if (parser.parse(resp->body).get(doc) != simdjson::SUCCESS ||
        doc["data"]["result"].get_array().get(streams) != simdjson::SUCCESS) {
      ADD_FAILURE() << logql << ": not a Loki streams answer: " << resp->body;
      return out;
    }
    for (simdjson::dom::element s : streams) {
      std::map<std::string, std::string> labels;
      ReadStringMap(s["stream"], &labels);
      simdjson::dom::array values;
      if (s["values"].get_array().get(values) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element v : values) {
        LokiEntry e;
        e.stream = labels;
        std::string_view line;
        if (v.at(1).get_string().get(line) == simdjson::SUCCESS) e.line = std::string(line);
        simdjson::dom::element extra;
        if (v.at(2).get(extra) == simdjson::SUCCESS) ReadStringMap(extra["structuredMetadata"], &e.metadata);
        out.push_back(std::move(e));
      }
    }
    return out;
  }

  // vigil's log search: the records' `level`, body and fields.
  struct Record {
    std::map<std::string, std::string> stream, fields;
    std::string level, body;
  };
  static std::vector<Record> Search(std::string_view selector, std::string_view filter = "") {
    std::string target = StrCat("/api/v1/logs/search?limit=1000&selector=", UrlEncode(selector));
    if (!filter.empty()) StrAppend(&target, "&filter=", UrlEncode(filter));
    auto resp = vigil_->Get(target);
    std::vector<Record> out;
    EXPECT_TRUE(resp.ok()) << resp.status();
    if (!resp.ok()) return out;
    EXPECT_EQ(resp->status, 200) << selector << " " << filter << ": " << resp->body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array records;
    if (parser.parse(resp->body).get(doc) != simdjson::SUCCESS ||
        doc["data"]["records"].get_array().get(records) != simdjson::SUCCESS) {
      ADD_FAILURE() << "not a search answer: " << resp->body;
      return out;
    }
    for (simdjson::dom::element r : records) {
      Record rec;
      ReadStringMap(r["stream"], &rec.stream);
      ReadStringMap(r["fields"], &rec.fields);
      std::string_view s;
      if (r["level"].get_string().get(s) == simdjson::SUCCESS) rec.level = std::string(s);
      if (r["body"].get_string().get(s) == simdjson::SUCCESS) rec.body = std::string(s);
      out.push_back(std::move(rec));
    }
    return out;
  }

  static std::string LokiSelector(std::string_view transport) {
    return StrCat("{run=\"", run_id_, "\",transport=\"", transport, "\"}");
  }

  // What send_logs.js printed: a transport's complaint explains most failures.
  static std::string Shipped() { return StrCat("send_logs.js said:\n", shipped_.output); }

  static inline std::string skip_reason_;
  static inline std::unique_ptr<TempDir> data_dir_;
  static inline std::unique_ptr<VigilProcess> vigil_;
  static inline absl::Status start_;
  static inline std::string run_id_;
  static inline ProcessResult shipped_;
  static inline std::string es_index_;
};

TEST_F(NpmClientsTest, EveryTransportConfirmsDelivery) {
  EXPECT_EQ(shipped_.exit_code, 0) << Shipped() << "\nvigil log:\n" << vigil_->log();
  EXPECT_TRUE(es_index_.starts_with(StrCat("winston-", run_id_, "-"))) << es_index_;
}

// winston-loki with `json: true`: labels as configured plus `level`; every metadata key
// (stringified) as structured metadata.
TEST_F(NpmClientsTest, WinstonLokiJsonPush) {
  std::vector<LokiEntry> entries = QueryLoki(LokiSelector("loki-json"));
  ASSERT_EQ(entries.size(), kSentCount) << Shipped();
  std::map<int, const LokiEntry*> seen;
  for (const LokiEntry& e : entries) {
    const Sent* sent = BySeq(Get(e.metadata, "seq"));
    ASSERT_NE(sent, nullptr) << "an entry without a known seq: " << e.line;
    EXPECT_TRUE(seen.emplace(sent->seq, &e).second) << "seq " << sent->seq << " twice";
    EXPECT_EQ(Get(e.stream, "level"), sent->level) << e.line;
    EXPECT_EQ(Get(e.stream, "service"), "checkout");
    EXPECT_EQ(Get(e.stream, "env"), "ci");
    EXPECT_EQ(Get(e.stream, "service_name"), "checkout");
    EXPECT_TRUE(e.line.starts_with(StrCat(sent->message, " {"))) << e.line;
  }
  ASSERT_EQ(seen.size(), kSentCount);
  EXPECT_EQ(Get(seen[1]->metadata, "trace_id"), kTraceId);
  EXPECT_EQ(Get(seen[1]->metadata, "amount"), "42.5");
  EXPECT_EQ(Get(seen[4]->metadata, "error_code"), "PAYMENT_DECLINED");
  EXPECT_TRUE(Get(seen[4]->metadata, "stack").starts_with("Error: card declined\n")) << Get(seen[4]->metadata, "stack");
  EXPECT_EQ(Get(seen[5]->metadata, "customer"), "Zo\xc3\xab");
  EXPECT_EQ(Get(seen[6]->metadata, "retryable"), "true");

  // Structured metadata filters; the level label selects streams.
  std::vector<LokiEntry> declined = QueryLoki(StrCat(LokiSelector("loki-json"), " | error_code=\"PAYMENT_DECLINED\""));
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_EQ(Get(declined[0].metadata, "seq"), "4");
  EXPECT_EQ(QueryLoki(StrCat("{run=\"", run_id_, "\",transport=\"loki-json\",level=\"error\"}")).size(), 2u);
}

// winston-loki's default: snappy-compressed protobuf, labels only (the metadata is in the line).
TEST_F(NpmClientsTest, WinstonLokiProtobufPush) {
  std::vector<LokiEntry> entries = QueryLoki(LokiSelector("loki-proto"));
  ASSERT_EQ(entries.size(), kSentCount) << Shipped();
  std::map<int, const LokiEntry*> seen;
  for (const LokiEntry& e : entries) {
    const Sent* sent = ByLinePrefix(e.line);
    ASSERT_NE(sent, nullptr) << "an entry with an unknown line: " << e.line;
    EXPECT_TRUE(seen.emplace(sent->seq, &e).second) << "seq " << sent->seq << " twice";
    EXPECT_EQ(Get(e.stream, "level"), sent->level) << e.line;
    EXPECT_EQ(Get(e.stream, "service"), "checkout");
    EXPECT_EQ(Get(e.stream, "service_name"), "checkout");
    EXPECT_NE(e.line.find(StrCat("\"seq\":", sent->seq)), std::string::npos) << e.line;
  }
  ASSERT_EQ(seen.size(), kSentCount);
  EXPECT_NE(seen[1]->line.find(StrCat("\"trace_id\":\"", kTraceId, "\"")), std::string::npos);

  std::vector<LokiEntry> declined = QueryLoki(StrCat(LokiSelector("loki-proto"), " |= \"PAYMENT_DECLINED\""));
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_EQ(Get(declined[0].stream, "level"), "error");
  EXPECT_EQ(QueryLoki(StrCat("{run=\"", run_id_, "\",transport=\"loki-proto\",level=\"warn\"}")).size(), 1u);
}

// winston-elasticsearch with its default transformer: {"@timestamp", "message", "severity",
// "fields": {<metadata>}} into index winston-<run>-YYYY.MM.DD.
TEST_F(NpmClientsTest, WinstonElasticsearchBulk) {
  ASSERT_FALSE(es_index_.empty()) << Shipped();
  const std::string selector = StrCat("{index=\"", es_index_, "\"}");
  std::vector<LokiEntry> entries = QueryLoki(selector);
  ASSERT_EQ(entries.size(), kSentCount) << Shipped();
  std::map<int, const LokiEntry*> seen;
  for (const LokiEntry& e : entries) {
    const Sent* sent = BySeq(Get(e.metadata, "fields_seq"));
    ASSERT_NE(sent, nullptr) << "an entry without a known fields_seq: " << e.line;
    EXPECT_TRUE(seen.emplace(sent->seq, &e).second) << "seq " << sent->seq << " twice";
    EXPECT_EQ(Get(e.stream, "index"), es_index_);
    EXPECT_EQ(e.line, sent->message);
  }
  ASSERT_EQ(seen.size(), kSentCount);
  EXPECT_EQ(Get(seen[1]->metadata, "fields_trace_id"), kTraceId);
  EXPECT_EQ(Get(seen[3]->metadata, "fields_duration_ms"), "350");
  EXPECT_EQ(Get(seen[4]->metadata, "fields_error_code"), "PAYMENT_DECLINED");
  EXPECT_TRUE(Get(seen[4]->metadata, "fields_stack").starts_with("Error: card declined\n"));
  std::vector<LokiEntry> declined = QueryLoki(StrCat(selector, " | fields_error_code=\"PAYMENT_DECLINED\""));
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_EQ(declined[0].line, "payment failed card declined");

  // `severity` is the entry's level: vigil's search shows and filters it.
  std::vector<Record> records = Search(selector);
  ASSERT_EQ(records.size(), kSentCount);
  for (const Record& r : records) {
    const Sent* sent = BySeq(Get(r.fields, "fields_seq"));
    ASSERT_NE(sent, nullptr) << r.body;
    EXPECT_EQ(r.level, sent->level) << r.body;
    EXPECT_EQ(r.body, sent->message);
  }
  std::vector<Record> errors = Search(selector, "level=error");
  ASSERT_EQ(errors.size(), 2u);
  for (const Record& r : errors) EXPECT_TRUE(Get(r.fields, "fields_seq") == "4" || Get(r.fields, "fields_seq") == "6");
}

}  // namespace
}  // namespace vigil::testing
