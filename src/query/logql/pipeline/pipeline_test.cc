#include "query/logql/pipeline/pipeline.h"

#include <atomic>
#include <cstdlib>
#include <new>

#include "gtest/gtest.h"

// Counts heap allocations so the tests can check that a warmed-up pipeline processes
// lines without allocating. Sanitizers replace operator new themselves, so the count (and
// the checks using it) are off in sanitized builds.
#if defined(__SANITIZE_ADDRESS__)
#define VIGIL_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIGIL_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef VIGIL_COUNT_ALLOCATIONS
#define VIGIL_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

#if VIGIL_COUNT_ALLOCATIONS
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif

namespace vigil::logql::pipeline {
namespace {

template <typename T>
T Ok(absl::StatusOr<T> v) {
  EXPECT_TRUE(v.ok()) << v.status();
  return std::move(*v);
}

struct Record {
  explicit Record(std::string body, std::vector<std::pair<std::string, std::string>> fields = {},
                  int64_t ts = 1700000000000000000)
      : body_(std::move(body)), storage_(std::move(fields)) {
    for (const auto& [n, v] : storage_) fields_.push_back(LogFieldView{n, v});
    view.timestamp_ns = ts;
    view.body = body_;
    view.fields = fields_;
  }
  std::string body_;
  std::vector<std::pair<std::string, std::string>> storage_;
  std::vector<LogFieldView> fields_;
  LogRecordView view;
};

TEST(PipelineTest, LokiDocumentationQuery) {
  // {container="query-frontend",namespace="loki-dev"} |= "metrics.go" | logfmt
  //   | duration > 10s and throughput_mb < 500
  Pipeline p;
  p.Add(Ok(LineFilter::Make(LineFilterOp::kContains, {"metrics.go"})));
  p.Add(Ok(LogfmtParser::Make({})));
  p.Add(
      LabelFilter::And(LabelFilter::Duration("duration", CompareOp::kGt, int64_t{10} * 1000000000),
                       LabelFilter::Numeric("throughput_mb", CompareOp::kLt, 500)));
  const Labels stream{{"container", "query-frontend"}, {"namespace", "loki-dev"}};
  LineState state;
  Record slow(
      "level=info ts=2020-10-23T20:32:18.094668233Z caller=metrics.go:81 "
      "org_id=29 traceID=1980d41501b57b68 latency=slow query=\"{cluster=\\\"ops-tools1\\\"}\" "
      "query_type=filter range_type=range length=1h0m0s step=1s duration=54.82s "
      "status=200 throughput_mb=2.345");
  ASSERT_TRUE(p.Process(stream, slow.view, state));
  EXPECT_EQ(state.Get("query"), R"({cluster="ops-tools1"})");
  EXPECT_EQ(state.Get("caller"), "metrics.go:81");
  Record fast("caller=metrics.go:81 duration=1.2s throughput_mb=2");
  EXPECT_FALSE(p.Process(stream, fast.view, state));
  Record other("caller=engine.go:1 duration=54s throughput_mb=2");
  EXPECT_FALSE(p.Process(stream, other.view, state));
}

TEST(PipelineTest, NginxPattern) {
  Pipeline p;
  p.Add(Ok(PatternParser::Make(
      R"(<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>)")));
  p.Add(LabelFilter::Numeric("status", CompareOp::kGe, 400));
  p.Add(Ok(LineFormat::Make("{{.method}} {{.uri}} -> {{.status}}")));
  const Labels stream{{"job", "nginx"}};
  LineState state;
  Record ok(
      R"(192.168.1.1 - - [10/Oct/2023:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 "-" "Mozilla/5.0" "-")");
  EXPECT_FALSE(p.Process(stream, ok.view, state));
  Record err(
      R"(10.0.0.7 - - [10/Oct/2023:13:55:37 +0000] "POST /api/login HTTP/1.1" 502 157 "-" "curl/8.1" "-")");
  ASSERT_TRUE(p.Process(stream, err.view, state));
  EXPECT_EQ(state.line(), "POST /api/login -> 502");
  EXPECT_EQ(state.ToLabels().ToString(),
            R"({agent="curl/8.1", ip="10.0.0.7", job="nginx", method="POST", size="157", )"
            R"(status="502", uri="/api/login"})");
}

TEST(PipelineTest, JsonErrorsCanBeFilteredOut) {
  // | json | __error__="" | level="error"
  Pipeline p;
  p.Add(JsonParser());
  p.Add(Ok(LabelFilter::String(MatchType::kEqual, "__error__", "")));
  p.Add(Ok(LabelFilter::String(MatchType::kEqual, "level", "error")));
  const Labels stream{{"app", "api"}};
  LineState state;
  Record bad("not json at all");
  EXPECT_FALSE(p.Process(stream, bad.view, state));
  Record info(R"({"level":"info"})");
  EXPECT_FALSE(p.Process(stream, info.view, state));
  Record error(R"({"level":"error","app":"worker"})");
  ASSERT_TRUE(p.Process(stream, error.view, state));
  EXPECT_EQ(state.ToLabels().ToString(), R"({app="api", app_extracted="worker", level="error"})");
}

TEST(PipelineTest, StructuredMetadataIsFilterable) {
  Pipeline p;
  p.Add(Ok(LabelFilter::String(MatchType::kEqual, "trace_id", "abc")));
  p.Add(Ok(LabelFilter::String(MatchType::kRegexMatch, "http_method", "GET|HEAD")));
  const Labels stream{{"service_name", "checkout"}};
  LineState state;
  Record r("GET /cart", {{"http.method", "GET"}});
  r.view.trace_id = "abc";
  ASSERT_TRUE(p.Process(stream, r.view, state));
  EXPECT_EQ(state.ToLabels().ToString(),
            R"({http_method="GET", service_name="checkout", trace_id="abc"})");
}

TEST(PipelineTest, UnwrapSamples) {
  // sum(rate({app="api"} | logfmt | unwrap duration(latency) | __error__="" [1m]))
  Pipeline p;
  p.Add(Ok(LogfmtParser::Make({})));
  std::vector<Stage> post;
  post.push_back(Ok(LabelFilter::String(MatchType::kEqual, "__error__", "")));
  p.SetUnwrap(Ok(Unwrap::Make("latency", UnwrapConversion::kDuration)), std::move(post));
  ASSERT_TRUE(p.has_unwrap());
  const Labels stream{{"app", "api"}};
  LineState state;
  double v = 0;
  Record a("path=/a latency=250ms");
  ASSERT_TRUE(p.ProcessSample(stream, a.view, state, &v));
  EXPECT_EQ(v, 0.25);
  EXPECT_EQ(state.ToLabels().ToString(), R"({app="api", path="/a"})");  // latency removed
  Record missing("path=/b");
  EXPECT_FALSE(p.ProcessSample(stream, missing.view, state, &v));
  Record bad("path=/c latency=fast");
  EXPECT_FALSE(p.ProcessSample(stream, bad.view, state, &v));  // dropped by __error__=""
}

TEST(PipelineTest, FormattersDropKeepAndDecolorize) {
  Pipeline p;
  p.Add(Decolorize());
  p.Add(Ok(RegexpParser::Make(R"(^(?P<level>\w+): (?P<msg>.*)$)")));
  p.Add(
      Ok(LabelFormat::Make({{"severity", "level", true}, {"short", "{{ trunc 4 .msg }}", false}})));
  std::vector<LabelSelector> drop;
  drop.push_back(LabelSelector::Named("msg"));
  p.Add(DropLabels(std::move(drop)));
  std::vector<LabelSelector> keep;
  keep.push_back(LabelSelector::Named("severity"));
  keep.push_back(LabelSelector::Named("short"));
  p.Add(KeepLabels(std::move(keep)));
  const Labels stream{{"app", "api"}};
  LineState state;
  Record r("\x1B[31mERROR\x1B[0m: disk full");
  ASSERT_TRUE(p.Process(stream, r.view, state));
  EXPECT_EQ(state.line(), "ERROR: disk full");
  EXPECT_EQ(state.ToLabels().ToString(), R"({severity="ERROR", short="disk"})");
}

TEST(PipelineTest, ReusedStateAllocatesNothingOnceWarm) {
  if (!VIGIL_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocations are not counted under sanitizers";
  Pipeline p;
  p.Add(Ok(LineFilter::Make(LineFilterOp::kContains, {"status="})));
  p.Add(Ok(LogfmtParser::Make({})));
  p.Add(LabelFilter::Numeric("status", CompareOp::kGe, 500));
  p.Add(Ok(LabelFormat::Make({{"route", "{{ .method }} {{ .path | lower }}", false}})));
  p.Add(Ok(LineFormat::Make("{{ .route }} took {{ .duration }}")));
  const Labels stream{{"app", "api"}, {"env", "prod"}};
  Record r1("method=GET path=/A/Users status=503 duration=12ms app=shadowed");
  Record r2("method=PUT path=/B/Items status=500 duration=99ms app=shadowing");
  LineState state;
  for (int i = 0; i < 3; ++i) {  // warm the buffers up
    ASSERT_TRUE(p.Process(stream, r1.view, state));
    ASSERT_TRUE(p.Process(stream, r2.view, state));
  }
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    p.Process(stream, i % 2 == 0 ? r1.view : r2.view, state);
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(state.line(), "PUT /b/items took 99ms");
  EXPECT_EQ(state.Get("app_extracted"), "shadowing");
}

TEST(PipelineTest, JsonAllocatesNothingOnceWarm) {
  if (!VIGIL_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocations are not counted under sanitizers";
  Pipeline p;
  p.Add(JsonParser());
  p.Add(Ok(LabelFilter::String(MatchType::kEqual, "level", "error")));
  const Labels stream{{"app", "api"}};
  Record r(R"({"level":"error","req":{"method":"GET","status":500},"msg":"boom \"quoted\""})");
  LineState state;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(p.Process(stream, r.view, state));
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) p.Process(stream, r.view, state);
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(state.Get("req_status"), "500");
}

}  // namespace
}  // namespace vigil::logql::pipeline
