#include "bench/traces/span_workload.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/traces/span_otlp.h"
#include "gtest/gtest.h"

namespace vigil::bench {
namespace {

std::vector<std::vector<GenSpan>> Generate(const SpanWorkloadOptions& o) {
  SpanGenerator gen(o);
  std::vector<std::vector<GenSpan>> out;
  std::vector<GenSpan> t;
  while (gen.Next(&t)) out.push_back(t);
  return out;
}

std::string Encode(const SpanWorkloadOptions& o) {
  SpanGenerator gen(o);
  std::string file;
  OtlpBatcher b(gen.resources(), 128,
                [&](const std::string& req, size_t) { AppendFramed(req, &file); });
  std::vector<GenSpan> t;
  while (gen.Next(&t)) {
    for (GenSpan& s : t) b.Add(std::move(s));
  }
  b.Finish();
  return file;
}

SpanWorkloadOptions Small(int64_t spans) {
  SpanWorkloadOptions o;
  o.spans = spans;
  return o;
}

TEST(SpanGeneratorTest, IsDeterministicAndSeedDependent) {
  SpanWorkloadOptions o = Small(5000);
  const std::string a = Encode(o);
  EXPECT_EQ(a, Encode(o));
  o.seed = 2;
  EXPECT_NE(a, Encode(o));
}

// Pins the workload: a change to these traces changes every benchmark figure, so it must be
// deliberate (and the figures re-measured). Also catches a dependence on evaluation order.
TEST(SpanGeneratorTest, IsPinned) {
  const auto traces = Generate(Small(2000));
  ASSERT_FALSE(traces.empty());
  const GenSpan& root = traces[0][0];
  EXPECT_EQ(GenTraceIdHex(root.trace_id), "a6b05754b513fa32daba12517ae84314");
  EXPECT_EQ(root.name, "POST /api/login");
  EXPECT_EQ(traces[0].size(), 8u);
  EXPECT_EQ(traces.size(), 108u);
  const std::vector<GenSpan>& cart = traces[1];
  ASSERT_EQ(cart.size(), 17u);
  EXPECT_EQ(cart[0].name, "POST /api/cart/items");
  EXPECT_EQ(cart[0].end_ns - cart[0].start_ns, 5466050);
  EXPECT_EQ(cart[10].name, "GET /products/{id}");
  EXPECT_EQ(cart[16].attributes[2].value.s, "HSET cart:u040596 SKU-3692 1");
}

TEST(SpanGeneratorTest, TracesAreWellFormedTrees) {
  const SpanWorkloadOptions o = Small(40000);
  SpanGenerator gen(o);
  std::vector<GenSpan> t;
  int64_t spans = 0, traces = 0;
  int64_t prev_root_start = 0;
  while (gen.Next(&t)) {
    ++traces;
    spans += static_cast<int64_t>(t.size());
    ASSERT_GE(t.size(), static_cast<size_t>(SpanGenerator::kMinSpans));
    ASSERT_LE(t.size(), static_cast<size_t>(SpanGenerator::kMaxSpans));
    const GenSpan& root = t[0];
    EXPECT_EQ(root.parent_span_id, 0u);
    EXPECT_EQ(root.kind, GenSpanKind::kServer);
    EXPECT_EQ(gen.resources()[root.resource].service, "gateway");
    EXPECT_GE(root.start_ns, o.start_ns);
    EXPECT_LT(root.start_ns, o.start_ns + o.duration_ns + 100'000'000);
    // Starts advance with the workload (up to the jitter).
    EXPECT_GT(root.start_ns + 20'000'000, prev_root_start);
    prev_root_start = root.start_ns;
    std::map<uint64_t, const GenSpan*> by_id;
    for (const GenSpan& s : t) {
      EXPECT_NE(s.span_id, 0u);
      EXPECT_TRUE(by_id.emplace(s.span_id, &s).second) << "duplicate span id";
      EXPECT_EQ(s.trace_id, root.trace_id);
      EXPECT_GE(s.end_ns, s.start_ns);
    }
    for (size_t i = 1; i < t.size(); ++i) {
      const GenSpan& s = t[i];
      auto p = by_id.find(s.parent_span_id);
      ASSERT_NE(p, by_id.end()) << "span " << s.name << " has no parent in its trace";
      EXPECT_GE(s.start_ns, p->second->start_ns) << s.name;
      EXPECT_LE(s.end_ns, p->second->end_ns) << s.name << " under " << p->second->name;
      if (s.kind == GenSpanKind::kServer) {
        EXPECT_EQ(p->second->kind, GenSpanKind::kClient) << "a server span is called by a client";
        EXPECT_NE(s.resource, -1);
      }
    }
  }
  EXPECT_GE(spans, o.spans);
  EXPECT_LT(spans, o.spans + SpanGenerator::kMaxSpans);
  EXPECT_EQ(spans, gen.produced_spans());
  // ~19 spans per trace: ~53k traces per million spans.
  const double per_trace = static_cast<double>(spans) / static_cast<double>(traces);
  EXPECT_GT(per_trace, 15);
  EXPECT_LT(per_trace, 23);
}

TEST(SpanGeneratorTest, HasTheAdvertisedMix) {
  const SpanWorkloadOptions o = Small(60000);
  SpanGenerator gen(o);
  std::vector<GenSpan> t;
  int64_t spans = 0, errors = 0, errors_with_exception = 0, events = 0, attrs = 0;
  std::set<std::string> services, db_systems, regions;
  std::set<std::string> users;
  std::map<GenSpanKind, int64_t> kinds;
  while (gen.Next(&t)) {
    for (const GenSpan& s : t) {
      ++spans;
      services.insert(std::string(gen.resources()[s.resource].service));
      kinds[s.kind]++;
      attrs += static_cast<int64_t>(s.attributes.size());
      if (!s.events.empty()) ++events;
      if (s.error) {
        ++errors;
        EXPECT_FALSE(s.status_message.empty());
        if (std::any_of(s.events.begin(), s.events.end(),
                        [](const GenEvent& e) { return e.name == "exception"; })) {
          ++errors_with_exception;
        }
      }
      for (const GenAttribute& a : s.attributes) {
        if (a.key == "db.system") db_systems.insert(a.value.s);
        if (a.key == "region") regions.insert(a.value.s);
        if (a.key == "user.id") users.insert(a.value.s);
        if (a.key == "http.status_code") {
          EXPECT_EQ(a.value.type, GenValue::kInt);
        }
      }
    }
  }
  EXPECT_EQ(services.size(), 10u);
  EXPECT_EQ(db_systems,
            (std::set<std::string>{"elasticsearch", "mysql", "postgresql", "redis", "smtp"}));
  EXPECT_EQ(regions.size(), 6u);
  EXPECT_GT(users.size(), 1000u);  // moderate cardinality
  EXPECT_GT(kinds[GenSpanKind::kInternal], spans / 20);
  EXPECT_GT(kinds[GenSpanKind::kServer], spans / 5);
  EXPECT_GT(kinds[GenSpanKind::kClient], spans / 3);
  const double attrs_per_span = static_cast<double>(attrs) / static_cast<double>(spans);
  EXPECT_GT(attrs_per_span, 7);
  EXPECT_LT(attrs_per_span, 9);
  const double error_share = static_cast<double>(errors) / static_cast<double>(spans);
  EXPECT_GT(error_share, 0.02);
  EXPECT_LT(error_share, 0.045);
  EXPECT_EQ(errors_with_exception, errors);
  const double event_share = static_cast<double>(events) / static_cast<double>(spans);
  EXPECT_GT(event_share, 0.08);
  EXPECT_LT(event_share, 0.15);
}

TEST(SpanGeneratorTest, ResourcesNameTheirService) {
  SpanGenerator gen(Small(1));
  ASSERT_GE(gen.resources().size(), 10u);
  for (const GenResource& r : gen.resources()) {
    ASSERT_FALSE(r.attributes.empty());
    EXPECT_EQ(r.attributes[0].key, "service.name");
    EXPECT_EQ(r.attributes[0].value.s, r.service);
    EXPECT_FALSE(r.scope_name.empty());
  }
}

TEST(GenValueTest, Text) {
  GenValue v;
  v.s = "x";
  EXPECT_EQ(v.Text(), "x");
  v.type = GenValue::kInt;
  v.i = -42;
  EXPECT_EQ(v.Text(), "-42");
  v.type = GenValue::kBool;
  v.i = 1;
  EXPECT_EQ(v.Text(), "true");
  v.type = GenValue::kDouble;
  v.d = 0.25;
  EXPECT_EQ(v.Text(), "0.25");
}

TEST(HexTest, Ids) {
  EXPECT_EQ(GenSpanIdHex(0x0102030405060708ULL), "0102030405060708");
  std::array<uint8_t, 16> id{};
  id[0] = 0xab;
  id[15] = 0x01;
  EXPECT_EQ(GenTraceIdHex(id), "ab000000000000000000000000000001");
}

}  // namespace
}  // namespace vigil::bench
