#include "bench/logs/log_workload.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/logs/line_batches.h"
#include "bench/logs/log_format.h"
#include "gtest/gtest.h"

namespace vigil::bench {
namespace {

std::vector<LogRecord> Generate(const LogWorkloadOptions& o, std::string* ndjson = nullptr,
                                LogSummary* summary = nullptr) {
  LogGenerator gen(o);
  std::vector<LogRecord> out;
  LogRecord r;
  while (gen.Next(&r)) {
    if (ndjson != nullptr) AppendNdjson(r, ndjson);
    if (summary != nullptr) summary->Add(r, gen.needle_trace_id());
    out.push_back(r);
  }
  return out;
}

bool IsLowerHex(const std::string& s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

TEST(LogGeneratorTest, IsDeterministicAndSeedDependent) {
  LogWorkloadOptions o;
  o.lines = 20000;
  std::string a, b, c;
  Generate(o, &a);
  Generate(o, &b);
  o.seed = 2;
  Generate(o, &c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 20000);
}

// Pins the workload: a change to these lines changes every benchmark figure, so it must be
// deliberate (and the figures re-measured). Also catches a dependence on evaluation order.
TEST(LogGeneratorTest, IsPinned) {
  LogWorkloadOptions o;
  o.lines = 1000;
  std::string ndjson;
  Generate(o, &ndjson);
  const size_t first_end = ndjson.find('\n') + 1;
  EXPECT_EQ(ndjson.substr(0, first_end),
            "{\"timestamp\":\"2024-05-14T07:00:00.005524264Z\",\"level\":\"info\","
            "\"service\":\"checkout\",\"env\":\"prod\",\"message\":\"checkout started for cart "
            "c-ac53e66c with 1 items\",\"trace_id\":\"a23ebddf5893645941dad3056b838027\","
            "\"span_id\":\"3b5bf7c9e1637e4e\",\"host\":\"checkout-89126d2e0-8644d\","
            "\"cart_id\":\"c-ac53e66c\",\"user_id\":\"u-418778\"}\n");
  const size_t last_begin = ndjson.rfind('\n', ndjson.size() - 2) + 1;
  EXPECT_EQ(
      ndjson.substr(last_begin),
      "{\"timestamp\":\"2024-05-14T08:29:46.511199560Z\",\"level\":\"info\","
      "\"service\":\"gateway\",\"env\":\"prod\",\"message\":\"GET /api/products/39513 200 "
      "in 9ms\",\"trace_id\":\"9cb5124b2941b1ad34794e6e246286b6\",\"span_id\":"
      "\"8465770cf7d80c10\",\"http_method\":\"GET\",\"http_route\":\"/api/products/{id}\","
      "\"status_code\":200,\"duration_ms\":9.4,\"host\":\"gateway-b5734fede-zqbx4\","
      "\"client_ip\":\"203.0.113.105\",\"user_agent\":\"shop-android/5.11.3 okhttp/4.12\"}\n");
}

TEST(LogGeneratorTest, EdgeSizes) {
  LogWorkloadOptions o;
  o.lines = 0;
  LogGenerator empty(o);
  LogRecord r;
  EXPECT_FALSE(empty.Next(&r));
  o.lines = 1;
  EXPECT_EQ(Generate(o).size(), 1u);
  o.lines = 5000;
  o.duration_ns = 1'000'000'000;  // a very dense second still produces every line in order
  std::vector<LogRecord> dense = Generate(o);
  ASSERT_EQ(dense.size(), 5000u);
  EXPECT_LT(dense.back().time_ns - o.start_ns, 10'000'000'000);
  o.duration_ns = 0;  // raised to 1 s, so the clock still moves
  EXPECT_EQ(Generate(o).size(), 5000u);
  o.duration_ns = -5;
  o.lines = -3;
  EXPECT_TRUE(Generate(o).empty());
}

TEST(LogGeneratorTest, HasTheShapeOfAFleetsLogs) {
  LogWorkloadOptions o;
  o.lines = 100000;
  std::string ndjson;
  LogSummary summary;
  const std::vector<LogRecord> lines = Generate(o, &ndjson, &summary);
  ASSERT_EQ(lines.size(), 100000u);
  const double n = static_cast<double>(lines.size());

  std::map<std::string, int64_t, std::less<>> levels, services, codes, envs;
  std::map<std::string, int64_t> per_trace;
  int64_t max_seen = o.start_ns;
  int64_t http_lines = 0;
  for (const LogRecord& r : lines) {
    ++levels[std::string(r.level)];
    ++services[std::string(r.service)];
    ++envs[std::string(r.env)];
    if (r.level == "error") {
      EXPECT_FALSE(r.error_code.empty()) << r.message;
      ++codes[std::string(r.error_code)];
    } else {
      EXPECT_TRUE(r.error_code.empty()) << r.message;
    }
    if (!r.trace_id.empty()) {
      EXPECT_TRUE(IsLowerHex(r.trace_id, 32)) << r.trace_id;
      EXPECT_TRUE(IsLowerHex(r.span_id, 16)) << r.span_id;
      ++per_trace[r.trace_id];
    }
    if (!r.http_method.empty()) {
      ++http_lines;
      EXPECT_GE(r.status_code, 200);
      EXPECT_GE(r.duration_ms, 0);
    }
    // In time order up to the hosts' clock skew (±2 ms each).
    EXPECT_GE(r.time_ns, max_seen - 4'000'000);
    max_seen = std::max(max_seen, r.time_ns);
    EXPECT_GE(r.time_ns, o.start_ns - 2'000'000);
    EXPECT_LT(r.time_ns, o.start_ns + o.duration_ns + 10'000'000'000);
  }
  EXPECT_EQ(services.size(), 8u);
  EXPECT_EQ(envs.size(), 2u);
  EXPECT_GT(envs["prod"], 0.8 * n);
  EXPECT_EQ(levels.size(), 4u);
  EXPECT_GT(levels["info"], 0.55 * n);
  EXPECT_GT(levels["debug"], 0.08 * n);
  EXPECT_GT(levels["warn"], 0.005 * n);
  EXPECT_GT(levels["error"], 0.015 * n);
  EXPECT_LT(levels["error"], 0.05 * n);
  for (const char* code :
       {"PAYMENT_DECLINED", "TIMEOUT", "INVENTORY_SHORTAGE", "CONNECTION_REFUSED"}) {
    EXPECT_GT(codes[code], 0) << code;
  }
  EXPECT_GT(http_lines, 0.2 * n);
  // Several lines per trace, most lines traced.
  const double traced = static_cast<double>(summary.traced_lines);
  EXPECT_GT(traced, 0.95 * n);
  EXPECT_GT(traced / static_cast<double>(per_trace.size()), 2.5);
  EXPECT_LT(traced / static_cast<double>(per_trace.size()), 8);
  // The range is covered end to end; lines are ~300 bytes.
  EXPECT_LT(summary.first_ns, o.start_ns + o.duration_ns / 100);
  EXPECT_GT(summary.last_ns, o.start_ns + o.duration_ns / 100 * 99);
  const double avg = static_cast<double>(ndjson.size()) / n;
  EXPECT_GT(avg, 250);
  EXPECT_LT(avg, 350);
  // What the benchmark searches for exists, and the summary counted it right.
  ASSERT_FALSE(summary.needle_trace_id.empty());
  EXPECT_EQ(summary.needle_lines, per_trace[summary.needle_trace_id]);
  EXPECT_GE(summary.needle_lines, 6);
  EXPECT_GT(summary.substring_lines, 0);
  EXPECT_GT(summary.filter_lines, 0);
  EXPECT_EQ(summary.lines, 100000);
}

TEST(LogFormatTest, Rfc3339Nano) {
  auto f = [](int64_t ns) {
    std::string s;
    AppendRfc3339Nano(&s, ns);
    return s;
  };
  EXPECT_EQ(f(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(f(1715670000123456789), "2024-05-14T07:00:00.123456789Z");
  EXPECT_EQ(f(951782400LL * 1'000'000'000 + 1), "2000-02-29T00:00:00.000000001Z");
  EXPECT_EQ(f(1709251199LL * 1'000'000'000 + 999'999'999), "2024-02-29T23:59:59.999999999Z");
  EXPECT_EQ(f(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(LogFormatTest, BothEncodingsAreValidJsonWithTheSameContent) {
  LogWorkloadOptions o;
  o.lines = 20000;
  const std::vector<LogRecord> lines = Generate(o);
  simdjson::dom::parser parser;
  bool saw_quote = false;
  for (const LogRecord& r : lines) {
    std::string nd, ch;
    AppendNdjson(r, &nd);
    AppendClickHouseRow(r, &ch);
    ASSERT_EQ(nd.back(), '\n');
    ASSERT_EQ(ch.back(), '\n');
    simdjson::dom::element a, b;
    ASSERT_EQ(parser.parse(nd).get(a), simdjson::SUCCESS) << nd;
    std::string_view message, ts;
    ASSERT_EQ(a["message"].get_string().get(message), simdjson::SUCCESS);
    EXPECT_EQ(message, r.message);
    ASSERT_EQ(a["timestamp"].get_string().get(ts), simdjson::SUCCESS);
    EXPECT_EQ(ts.size(), 30u);
    saw_quote |= r.message.find('"') != std::string::npos;
    for (const LogAttribute& attr : r.attributes) {
      std::string_view v;
      ASSERT_EQ(a[attr.key].get_string().get(v), simdjson::SUCCESS) << attr.key;
      EXPECT_EQ(v, attr.value);
    }

    ASSERT_EQ(parser.parse(ch).get(b), simdjson::SUCCESS) << ch;
    uint64_t t = 0;
    ASSERT_EQ(b["timestamp_ns"].get_uint64().get(t), simdjson::SUCCESS);
    EXPECT_EQ(static_cast<int64_t>(t), r.time_ns);
    ASSERT_EQ(b["message"].get_string().get(message), simdjson::SUCCESS);
    EXPECT_EQ(message, r.message);
    simdjson::dom::array keys, values;
    ASSERT_EQ(b["attr_keys"].get_array().get(keys), simdjson::SUCCESS);
    ASSERT_EQ(b["attr_values"].get_array().get(values), simdjson::SUCCESS);
    EXPECT_EQ(keys.size(), r.attributes.size());
    EXPECT_EQ(values.size(), r.attributes.size());
    double d = -1;
    if (r.duration_ms >= 0) {
      ASSERT_EQ(b["duration_ms"].get_double().get(d), simdjson::SUCCESS);
      EXPECT_NEAR(d, r.duration_ms, 1e-9);
    } else {
      EXPECT_EQ(b["duration_ms"].error(), simdjson::NO_SUCH_FIELD);
    }
  }
  EXPECT_TRUE(saw_quote);  // search terms are quoted in messages: escaping is exercised
}

TEST(LineBatchesTest, CutsAfterNewlines) {
  EXPECT_TRUE(CutLineBatches("", 10).empty());
  std::vector<LineBatch> b = CutLineBatches("a\nb\nc\nd\ne\n", 2);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].body, "a\nb\n");
  EXPECT_EQ(b[1].body, "c\nd\n");
  EXPECT_EQ(b[2].body, "e\n");
  EXPECT_EQ(b[2].lines, 1);
  b = CutLineBatches("a\nb\nlast", 2);  // a last line without a newline still counts
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1].body, "last");
  EXPECT_EQ(b[1].lines, 1);
  b = CutLineBatches("a\nb\n", 0);  // treated as 1
  ASSERT_EQ(b.size(), 2u);
  b = CutLineBatches("\n\n\n", 5);  // empty lines are lines
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].lines, 3);
}

}  // namespace
}  // namespace vigil::bench
