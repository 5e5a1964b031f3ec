// The PromQL endpoints of a running vigil, as Grafana and promtool call them.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "common/time_util.h"
#include "http/url.h"
#include "tests/test_client.h"
#include "tests/vigil_process.h"

namespace vigil::testing {
namespace {

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vigil_.Start(dir_.path()).ok()) << vigil_.log();
    // Two counters at 1000 s and 1060 s.
    std::string body =
        "http_requests_total{job=\"api\",code=\"200\"} 10 1000000\n"
        "http_requests_total{job=\"api\",code=\"500\"} 1 1000000\n"
        "http_requests_total{job=\"api\",code=\"200\"} 70 1060000\n"
        "http_requests_total{job=\"api\",code=\"500\"} 7 1060000\n";
    auto r = vigil_.Post("/api/v1/import/prometheus", body, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 204) << r->body;
  }
  TempDir dir_;
  VigilProcess vigil_;
};

TEST_F(QueryApiTest, InstantVectorShape) {
  auto r = vigil_.Get("/api/v1/query?time=1060&query=" +
                      UrlEncode("sum by (code) (http_requests_total) / 10"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(Contains(r->body, R"("resultType":"vector")")) << r->body;
  EXPECT_TRUE(Contains(r->body, R"({"metric":{"code":"200"},"value":[1060,"7"]})")) << r->body;
  EXPECT_TRUE(Contains(r->body, R"({"metric":{"code":"500"},"value":[1060,"0.7"]})")) << r->body;
}

TEST_F(QueryApiTest, RangeQueryPostFormAndScalars) {
  auto r = vigil_.Post("/api/v1/query_range",
                       "query=" + UrlEncode("http_requests_total{code=\"500\"}") +
                           "&start=1000&end=1060&step=30s",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body,
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http_requests_total","code":"500","job":"api"},"values":[[1000,"1"],[1030,"1"],[1060,"7"]]}]}})");
  r = vigil_.Get("/api/v1/query?time=1.5&query=" + UrlEncode("2 ^ 10"));
  EXPECT_EQ(r->body, R"({"status":"success","data":{"resultType":"scalar","result":[1.500,"1024"]}})");
  r = vigil_.Get("/api/v1/query?time=2026-01-01T00:00:00Z&query=" + UrlEncode("\"x\""));
  EXPECT_EQ(r->body, R"({"status":"success","data":{"resultType":"string","result":[1767225600,"x"]}})");
}

TEST_F(QueryApiTest, ErrorsInPrometheusShape) {
  auto r = vigil_.Get("/api/v1/query?query=" + UrlEncode("sum(rate(x[5m])"));
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Contains(r->body, R"("errorType":"bad_data")")) << r->body;
  EXPECT_TRUE(Contains(r->body, R"(invalid parameter \"query\": 1:16: parse error)")) << r->body;

  r = vigil_.Get("/api/v1/query?time=1060&query=" +
                 UrlEncode("http_requests_total + on(job) http_requests_total"));
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_TRUE(Contains(r->body, R"("errorType":"execution")")) << r->body;

  r = vigil_.Get("/api/v1/query_range?query=up&start=10&end=5&step=1");
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Contains(r->body, "end timestamp must not be before start time")) << r->body;
  r = vigil_.Get("/api/v1/query_range?query=up&start=0&end=100000&step=1");
  EXPECT_TRUE(Contains(r->body, "exceeded maximum resolution of 11,000 points")) << r->body;
  r = vigil_.Get("/api/v1/query_range?query=up&start=0&end=10&step=0");
  EXPECT_TRUE(Contains(r->body, "zero or negative query resolution step widths")) << r->body;
  r = vigil_.Get("/api/v1/query_range?query=up&start=0&end=10");
  EXPECT_TRUE(Contains(r->body, R"(invalid parameter \"step\")")) << r->body;
  r = vigil_.Get("/api/v1/query?query=up&time=yesterday");
  EXPECT_TRUE(Contains(r->body, R"(invalid parameter \"time\")")) << r->body;
  r = vigil_.Get("/api/v1/query?query=");
  EXPECT_EQ(r->status, 400);
}

TEST_F(QueryApiTest, HostileQueriesGetSpecificErrors) {
  struct Case {
    std::string query;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"rate(x[0s])", 400, "duration must be greater than 0"},
      {"x[5m:0s]", 400, "duration must be greater than 0"},
      {"rate(x[290000y])", 400, "duration out of range"},
      {"x @ 1e300", 400, "timestamp out of bounds for @ modifier"},
      {"x{a=~\"(\"}", 400, "error parsing regexp: missing closing )"},
      {std::string(300, '(') + "x" + std::string(300, ')'), 400, "nesting too deep"},
      {"sum(x) by (", 400, "parse error"},
      {"\xff\xfe", 400, "parse error"},
      {"count_over_time(vector(1)[1d:1ms])", 422, "too many samples"},
      {"label_replace(x, \"a\", \"$1\", \"b\", \"(\")", 422,
       "invalid regular expression in label_replace(): ("},
      {"topk(1e30, x)", 422, "overflows int64"},
  };
  for (const Case& c : cases) {
    auto r = vigil_.Get("/api/v1/query?time=1000&query=" + UrlEncode(c.query));
    ASSERT_TRUE(r.ok()) << c.query;
    EXPECT_EQ(r->status, c.status) << c.query << " → " << r->body;
    EXPECT_TRUE(Contains(r->body, c.message)) << c.query << " → " << r->body;
  }
  // Still serving.
  EXPECT_EQ(vigil_.Get("/-/healthy")->status, 200);
}

TEST_F(QueryApiTest, FormatQuery) {
  auto r = vigil_.Get("/api/v1/format_query?query=" + UrlEncode("sum(rate(x[5m]))by(job)"));
  EXPECT_EQ(r->body, R"j({"status":"success","data":"sum by (job) (rate(x[5m]))"})j");
}

TEST_F(QueryApiTest, ExemplarQueryUsesEverySelector) {
  auto r = vigil_.Get("/api/v1/query_exemplars?start=0&end=2000&query=" +
                      UrlEncode("rate(a[5m]) / rate(b[5m])"));
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"status":"success","data":[]})");
}

}  // namespace
}  // namespace vigil::testing
