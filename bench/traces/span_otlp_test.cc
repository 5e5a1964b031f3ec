#include "bench/traces/span_otlp.h"

#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

#include "bench/traces/span_clickhouse.h"
#include "gtest/gtest.h"
#include "ingest/traces/otlp_traces_proto.h"

namespace vigil::bench {
namespace {

struct Workload {
  std::vector<GenResource> resources;
  std::vector<GenSpan> spans;  // in generation order
};

Workload Make(int64_t n) {
  SpanWorkloadOptions o;
  o.spans = n;
  SpanGenerator gen(o);
  Workload w;
  w.resources = gen.resources();
  std::vector<GenSpan> t;
  while (gen.Next(&t)) w.spans.insert(w.spans.end(), t.begin(), t.end());
  return w;
}

std::string HexOf(const TraceId& id) { return id.Hex(); }

// Every request decodes with vigil's own OTLP decoder, with nothing refused, and gives back
// each span with its resource, attributes, events and status.
TEST(OtlpBatcherTest, RequestsDecodeToTheSameSpans) {
  const Workload w = Make(6000);
  std::map<uint64_t, const GenSpan*> by_id;
  for (const GenSpan& s : w.spans) by_id[s.span_id] = &s;

  std::string file;
  size_t requests = 0, emitted = 0;
  OtlpBatcher b(w.resources, 100, [&](const std::string& req, size_t n) {
    AppendFramed(req, &file);
    ++requests;
    emitted += n;
    EXPECT_LE(n, 100u);
  });
  for (const GenSpan& s : w.spans) b.Add(s);
  b.Finish();
  EXPECT_EQ(emitted, w.spans.size());

  std::vector<std::string_view> reqs;
  std::string error;
  ASSERT_TRUE(SplitFramed(file, &reqs, &error)) << error;
  ASSERT_EQ(reqs.size(), requests);

  OtlpTracesProtoDecoder dec;
  size_t decoded = 0;
  for (std::string_view req : reqs) {
    SpanBatch batch;
    const SpanDecodeResult r = dec.Decode(req, &batch);
    ASSERT_TRUE(r.ok()) << r.Summary();
    ASSERT_EQ(batch.resources().size(), 1u);
    for (size_t i = 0; i < batch.size(); ++i) {
      const Span got = batch.ToSpan(i);
      auto it = by_id.find(got.span_id);
      ASSERT_NE(it, by_id.end());
      const GenSpan& want = *it->second;
      const GenResource& res = w.resources[want.resource];
      EXPECT_EQ(HexOf(got.trace_id), GenTraceIdHex(want.trace_id));
      EXPECT_EQ(got.parent_span_id, want.parent_span_id);
      EXPECT_EQ(got.service_name, res.service);
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(static_cast<int>(got.kind), static_cast<int>(want.kind));
      EXPECT_EQ(got.start_ns, want.start_ns);
      EXPECT_EQ(got.end_ns, want.end_ns);
      EXPECT_EQ(got.status == SpanStatus::kError, want.error);
      EXPECT_EQ(got.status_message, want.status_message);
      EXPECT_EQ(got.scope_name, res.scope_name);
      EXPECT_EQ(got.resource_attributes.size(), res.attributes.size());
      ASSERT_EQ(got.attributes.size(), want.attributes.size());
      for (size_t k = 0; k < want.attributes.size(); ++k) {
        EXPECT_EQ(got.attributes[k].key, want.attributes[k].key);
        if (want.attributes[k].value.type != GenValue::kDouble) {
          EXPECT_EQ(got.attributes[k].value, want.attributes[k].value.Text());
        }
      }
      ASSERT_EQ(got.events.size(), want.events.size());
      for (size_t k = 0; k < want.events.size(); ++k) {
        EXPECT_EQ(got.events[k].name, want.events[k].name);
        EXPECT_EQ(got.events[k].time_ns, want.events[k].time_ns);
      }
      ++decoded;
    }
  }
  EXPECT_EQ(decoded, w.spans.size());
}

TEST(FramingTest, RefusesBrokenFiles) {
  std::string file;
  AppendFramed("abc", &file);
  AppendFramed("", &file);
  std::vector<std::string_view> reqs;
  std::string error;
  ASSERT_TRUE(SplitFramed(file, &reqs, &error));
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], "abc");
  EXPECT_EQ(reqs[1], "");

  reqs.clear();
  EXPECT_FALSE(SplitFramed(file.substr(0, file.size() - 2), &reqs, &error));
  EXPECT_NE(error.find("truncated length prefix"), std::string::npos) << error;
  reqs.clear();
  EXPECT_FALSE(SplitFramed(file.substr(0, 5), &reqs, &error));
  EXPECT_NE(error.find("runs past the end"), std::string::npos) << error;
  reqs.clear();
  EXPECT_TRUE(SplitFramed("", &reqs, &error));
  EXPECT_TRUE(reqs.empty());
}

// The ClickHouse rows are valid JSON with parallel arrays of equal length.
TEST(ClickHouseRowTest, RowsAreConsistentJson) {
  const Workload w = Make(3000);
  simdjson::dom::parser parser;
  size_t with_events = 0;
  for (const GenSpan& s : w.spans) {
    std::string row;
    AppendClickHouseSpanRow(s, w.resources[s.resource], &row);
    ASSERT_EQ(row.back(), '\n');
    ASSERT_EQ(std::count(row.begin(), row.end(), '\n'), 1) << "one line per row";
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(row).get(doc), simdjson::SUCCESS) << row;
    auto count = [&](const char* key) {
      simdjson::dom::array a;
      EXPECT_EQ(doc[key].get(a), simdjson::SUCCESS) << key;
      return a.size();
    };
    auto text = [&](const char* key) {
      std::string_view v;
      EXPECT_EQ(doc[key].get(v), simdjson::SUCCESS) << key;
      return v;
    };
    auto number = [&](const char* key) {
      uint64_t v = 0;
      EXPECT_EQ(doc[key].get(v), simdjson::SUCCESS) << key;
      return v;
    };
    EXPECT_EQ(number("start_ns"), static_cast<uint64_t>(s.start_ns));
    EXPECT_EQ(text("trace_id"), GenTraceIdHex(s.trace_id));
    EXPECT_EQ(text("service"), w.resources[s.resource].service);
    EXPECT_EQ(count("resource_keys"), count("resource_values"));
    EXPECT_EQ(count("attr_keys"), s.attributes.size());
    EXPECT_EQ(count("attr_values"), s.attributes.size());
    EXPECT_EQ(number("duration_ns"), static_cast<uint64_t>(s.end_ns - s.start_ns));
    EXPECT_EQ(text("status_code"), s.error ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET");
    EXPECT_EQ(count("event_times"), s.events.size());
    EXPECT_EQ(count("event_names"), s.events.size());
    EXPECT_EQ(count("event_attr_keys"), s.events.size());
    EXPECT_EQ(count("event_attr_values"), s.events.size());
    with_events += s.events.empty() ? 0 : 1;
  }
  EXPECT_GT(with_events, 0u);

  std::string row;
  std::array<uint8_t, 16> id{};
  id[15] = 7;
  AppendClickHouseTraceRow(id, 10, 20, &row);
  EXPECT_EQ(row,
            "{\"trace_id\":\"00000000000000000000000000000007\",\"start_ns\":10,\"end_ns\":20}\n");
}

}  // namespace
}  // namespace vigil::bench
