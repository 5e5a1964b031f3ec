// Differential test of vigil's PromQL engine against the real Prometheus 2.42 server: the same
// generated data goes into both (Prometheus through promtool-built blocks, vigil through its
// import API), then a few hundred queries run on both as instant and range queries, and
// every answer must agree (see api_result.h for what "agree" means). Every differing query is
// reported. Prometheus and promtool must be in PATH (scripts/setup installs them).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include "common/strings.h"
#include "http/http_client.h"
#include "http/url.h"
#include "tests/promql_differential/api_result.h"
#include "tests/promql_differential/dataset.h"
#include "tests/promql_differential/prometheus_process.h"
#include "tests/promql_differential/queries.h"
#include "tests/vigil_process.h"

namespace vigil::testing::promql_diff {
namespace {

constexpr size_t kReportInFull = 50;

// Milliseconds as API seconds ("1767225600.000").
std::string Secs(int64_t ms) {
  std::string frac = StrCat(1000 + ms % 1000).substr(1);
  return StrCat(ms / 1000, ".", frac);
}

std::string Indented(std::string_view text) {
  std::string out;
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += "    ";
  }
  return out;
}

bool WriteFile(const std::string& path, std::string_view content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
  return static_cast<bool>(f);
}

absl::StatusOr<ApiResult> Query(HttpConnection& conn, std::string_view path,
                                const std::string& form) {
  auto r = conn.Do("POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}}, form,
                   std::chrono::seconds(120));
  if (!r.ok()) return r.status();
  auto parsed = ParseApiResponse(r->body);
  if (!parsed.ok()) {
    return absl::InternalError(
        StrCat("HTTP ", r->status, ": ", std::string(parsed.status().message())));
  }
  return parsed;
}

struct Evaluation {
  std::string path;  // /api/v1/query or /api/v1/query_range
  std::string form;  // without the query
  std::string label;
};

std::vector<Evaluation> Evaluations(const Dataset& d) {
  std::vector<Evaluation> out;
  for (int64_t t : InstantTimes(d)) {
    out.push_back({"/api/v1/query", StrCat("time=", Secs(t)), StrCat("instant at ", Secs(t))});
  }
  for (const RangeSpec& r : RangeSpecs(d)) {
    out.push_back(
        {"/api/v1/query_range",
         StrCat("start=", Secs(r.start_ms), "&end=", Secs(r.end_ms), "&step=", Secs(r.step_ms)),
         StrCat("range ", Secs(r.start_ms), "..", Secs(r.end_ms), " step ", r.step_ms / 1000,
                "s")});
  }
  return out;
}

// The number of samples stored, per metric name (count_over_time drops the name, so one
// selector over all metrics would collide).
std::string SampleCountQuery(const Dataset& d) {
  std::set<std::string> names;
  for (const auto& s : d.series) names.insert(std::string(s.labels.MetricName()));
  std::string q;
  for (const auto& n : names) {
    StrAppend(&q, q.empty() ? "" : " + ", "sum(count_over_time(", n, "[7h]))");
  }
  return q;
}

double SingleValue(const ApiResult& r) {
  if (!r.success || r.series.size() != 1 || r.series[0].points.size() != 1) return -1;
  return r.series[0].points[0].second;
}

// ---- The pieces, without servers -------------------------------------------------------

TEST(DatasetTest, DeterministicAndWellFormed) {
  Dataset a = GenerateDataset(), b = GenerateDataset();
  ASSERT_EQ(a.series.size(), b.series.size());
  EXPECT_GE(a.series.size(), 180u);
  EXPECT_LE(a.series.size(), 220u);
  std::set<std::string> names;
  for (size_t i = 0; i < a.series.size(); ++i) {
    EXPECT_EQ(a.series[i].labels, b.series[i].labels);
    ASSERT_EQ(a.series[i].samples.size(), b.series[i].samples.size());
    EXPECT_TRUE(names.insert(a.series[i].labels.ToString()).second) << "duplicate series";
    int64_t prev = INT64_MIN;
    for (size_t k = 0; k < a.series[i].samples.size(); ++k) {
      const Sample& s = a.series[i].samples[k];
      EXPECT_EQ(s.v, b.series[i].samples[k].v);
      ASSERT_GT(s.t, prev);
      ASSERT_EQ((s.t - a.start_ms) % a.step_ms, 0);
      ASSERT_LE(s.t, a.end_ms);
      prev = s.t;
    }
  }
  EXPECT_EQ(a.end_ms, kDataEndMs);
  std::string om = ToOpenMetrics(a);
  EXPECT_TRUE(om.ends_with("\n# EOF\n"));
  EXPECT_NE(om.find("http_requests_total{instance=\"10.0.0.1:8080\",job=\"api\",method=\"GET\","
                    "status_code=\"200\"} "),
            std::string::npos);
  // Import bodies: every sample once, never more than one body-width behind the newest.
  auto bodies = ToImportBodies(a, 40);
  size_t lines = 0;
  int64_t newest = INT64_MIN;
  for (const std::string& body : bodies) {
    for (size_t pos = 0; pos < body.size();) {
      size_t nl = body.find('\n', pos);
      std::string_view line(body.data() + pos, nl - pos);
      int64_t t = 0;
      ASSERT_TRUE(ParseInt64(line.substr(line.rfind(' ') + 1), &t)) << line;
      ASSERT_GE(t, newest);
      newest = t;
      ++lines;
      pos = nl + 1;
    }
  }
  EXPECT_EQ(lines, a.SampleCount());
}

TEST(QueriesTest, EnoughAndDistinct) {
  Dataset d = GenerateDataset();
  auto queries = GenerateQueries(d);
  EXPECT_GE(queries.size(), 200u);
  std::set<std::string> seen;
  for (const auto& q : queries) EXPECT_TRUE(seen.insert(q.expr).second) << q.expr;
}

TEST(ApiResultTest, ParsesAndCompares) {
  auto v = ParseApiResponse(R"({"status":"success","data":{"resultType":"vector","result":[)"
                            R"({"metric":{"__name__":"up","job":"a"},"value":[1767225600,"1"]},)"
                            R"({"metric":{"job":"b"},"value":[1767225600.5,"NaN"]}]}})");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->series.size(), 2u);
  EXPECT_EQ(v->series[1].points[0].first, 1767225600500);
  auto reordered = ParseApiResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"job":"b"},"value":[1767225600.5,"NaN"]},)"
      R"({"metric":{"job":"a","__name__":"up"},"value":[1767225600,"1.0000000000001"]}]}})");
  ASSERT_TRUE(reordered.ok());
  EXPECT_EQ(DiffResults(*v, *reordered, false), "");
  EXPECT_NE(DiffResults(*v, *reordered, true), "");  // sort(): order matters

  auto other = ParseApiResponse(R"({"status":"success","data":{"resultType":"vector","result":[)"
                                R"({"metric":{"job":"c"},"value":[1767225600,"+Inf"]}]}})");
  ASSERT_TRUE(other.ok());
  std::string diff = DiffResults(*v, *other, false);
  EXPECT_NE(diff.find("missing in vigil: up{job=\"a\"}"), std::string::npos) << diff;
  EXPECT_NE(diff.find("extra in vigil: {job=\"c\"}"), std::string::npos) << diff;

  auto m1 = ParseApiResponse(R"({"status":"success","data":{"resultType":"matrix","result":[)"
                             R"({"metric":{},"values":[[1,"1"],[2,"2"]]}]}})");
  auto m2 = ParseApiResponse(R"({"status":"success","data":{"resultType":"matrix","result":[)"
                             R"({"metric":{},"values":[[1,"1"],[3,"2"]]}]}})");
  ASSERT_TRUE(m1.ok() && m2.ok());
  EXPECT_EQ(DiffResults(*m1, *m1, false), "");
  EXPECT_NE(DiffResults(*m1, *m2, false).find("point 1 at t=2000"), std::string::npos);

  auto e1 = ParseApiResponse(R"({"status":"error","errorType":"bad_data","error":"x"})");
  auto e2 = ParseApiResponse(R"({"status":"error","errorType":"execution","error":"y"})");
  auto s =
      ParseApiResponse(R"({"status":"success","data":{"resultType":"scalar","result":[5,"2"]}})");
  ASSERT_TRUE(e1.ok() && e2.ok() && s.ok());
  EXPECT_EQ(DiffResults(*e1, *e1, false), "");
  EXPECT_NE(DiffResults(*e1, *e2, false).find("error types differ"), std::string::npos);
  EXPECT_NE(DiffResults(*e1, *s, false).find("vigil succeeded"), std::string::npos);
  EXPECT_NE(DiffResults(*s, *v, false).find("resultType"), std::string::npos);

  EXPECT_FALSE(ParseApiResponse("404 page not found").ok());
  EXPECT_FALSE(
      ParseApiResponse(
          R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"x"]}]}})")
          .ok());
  EXPECT_TRUE(ValuesClose(1e-13, 0));
  EXPECT_TRUE(ValuesClose(1e9, 1e9 + 0.5));
  EXPECT_FALSE(ValuesClose(1, 1 + 1e-8));
  EXPECT_FALSE(ValuesClose(std::numeric_limits<double>::infinity(), 1e308));
}

// ---- Against the real servers ----------------------------------------------------------

TEST(PromqlDifferentialTest, VigilAnswersLikePrometheus242) {
  std::string prometheus = FindInPath("prometheus"), promtool = FindInPath("promtool");
  ASSERT_FALSE(prometheus.empty() || promtool.empty())
      << "prometheus and promtool (Prometheus 2.42) must be in PATH for the PromQL "
         "differential test: run scripts/setup";
  TempDir dir;
  auto [vrc, version] = RunCommand({promtool, "--version"}, dir.path() + "/version.log");
  ASSERT_EQ(vrc, 0) << version;
  ASSERT_NE(version.find("version 2.42."), std::string::npos)
      << "the differential test needs Prometheus 2.42 (Debian 12's package); found: " << version;

  Dataset data = GenerateDataset();
  const std::string om = dir.path() + "/data.om", tsdb = dir.path() + "/prometheus-data";
  ASSERT_TRUE(WriteFile(om, ToOpenMetrics(data)));
  auto [brc, blocks] = RunCommand({promtool, "tsdb", "create-blocks-from", "openmetrics", om, tsdb},
                                  dir.path() + "/promtool.log");
  ASSERT_EQ(brc, 0) << "promtool could not build blocks:\n" << blocks;

  // Subqueries without a step use the evaluation interval: 1m on both sides.
  const std::string prom_cfg = dir.path() + "/prometheus.yml";
  ASSERT_TRUE(WriteFile(prom_cfg, "global:\n  evaluation_interval: 1m\n"));
  PrometheusServer prom;
  auto started = prom.Start(prometheus, tsdb, prom_cfg, dir.path() + "/prometheus.log");
  ASSERT_TRUE(started.ok()) << started;

  const std::string vigil_cfg = dir.path() + "/vigil.yml";
  ASSERT_TRUE(
      WriteFile(vigil_cfg, "metrics:\n  retention: 100y\nglobal:\n  evaluation_interval: 1m\n"));
  VigilProcess vigil;
  auto vstarted = vigil.Start(dir.path() + "/vigil-data", {"--config", vigil_cfg});
  ASSERT_TRUE(vstarted.ok()) << vstarted;

  HttpConnection vconn(vigil.host(), vigil.port());
  HttpConnection pconn("127.0.0.1", prom.port());
  size_t body_no = 0;
  for (const std::string& body : ToImportBodies(data, 40)) {
    auto r =
        vconn.Do("POST", "/api/v1/import/prometheus",
                 {{"Content-Type", "text/plain; version=0.0.4"}}, body, std::chrono::seconds(120));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->status == 204 || r->status == 200)
        << "import body " << body_no << " refused: HTTP " << r->status << " " << r->body;
    ++body_no;
  }

  // Both sides must hold every sample before answers can be compared.
  const std::string count_form =
      StrCat("query=", UrlEncode(SampleCountQuery(data)), "&time=", Secs(data.end_ms));
  auto pcount = Query(pconn, "/api/v1/query", count_form);
  ASSERT_TRUE(pcount.ok()) << pcount.status();
  ASSERT_EQ(SingleValue(*pcount), static_cast<double>(data.SampleCount()))
      << "prometheus did not load all samples: " << Summarize(*pcount);
  auto vcount = Query(vconn, "/api/v1/query", count_form);
  ASSERT_TRUE(vcount.ok()) << "vigil's /api/v1/query: " << vcount.status();
  ASSERT_EQ(SingleValue(*vcount), static_cast<double>(data.SampleCount()))
      << "vigil did not load all samples: " << Summarize(*vcount);

  struct Difference {
    std::string query, evaluation, diff, want, got;
  };
  std::vector<Difference> diffs;
  size_t evaluations = 0;
  std::set<std::string> differing_queries;
  auto queries = GenerateQueries(data);
  auto evals = Evaluations(data);
  for (const DiffQuery& q : queries) {
    for (const Evaluation& e : evals) {
      std::string form = StrCat("query=", UrlEncode(q.expr), "&", e.form);
      ++evaluations;
      auto want = Query(pconn, e.path, form);
      ASSERT_TRUE(want.ok()) << "prometheus: " << q.expr << " (" << e.label
                             << "): " << want.status();
      auto got = Query(vconn, e.path, form);
      std::string diff, got_text;
      if (!got.ok()) {
        diff = StrCat("vigil gave no API answer: ", got.status().ToString());
      } else {
        diff = DiffResults(*want, *got, q.ordered && e.path == "/api/v1/query");
        got_text = Summarize(*got);
      }
      if (!diff.empty()) {
        diffs.push_back({q.expr, e.label, diff, Summarize(*want), got_text});
        differing_queries.insert(q.expr);
      }
    }
  }
  vigil.Terminate();
  prom.Stop();

  std::cout << "promql differential: " << evaluations - diffs.size() << "/" << evaluations
            << " evaluations agree (" << queries.size() - differing_queries.size() << "/"
            << queries.size() << " queries agree everywhere)\n";
  std::string report;
  for (size_t i = 0; i < diffs.size(); ++i) {
    const Difference& d = diffs[i];
    if (i < kReportInFull) {
      StrAppend(&report, "\n[", i + 1, "] ", d.query, "   (", d.evaluation, ")\n    ",
                Indented(d.diff), "\n    prometheus: ", d.want, "\n    vigil:      ", d.got, "\n");
    } else {
      StrAppend(&report, "\n[", i + 1, "] ", d.query, "   (", d.evaluation, ")");
    }
  }
  EXPECT_TRUE(diffs.empty()) << diffs.size() << " of " << evaluations
                             << " evaluations differ from Prometheus 2.42:\n"
                             << report;
}

}  // namespace
}  // namespace vigil::testing::promql_diff
