#include "query/promql/conformance/test_script.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/sample.h"

namespace vigil::promql::conformance {
namespace {

std::string ErrorOf(std::string_view text) {
  auto s = ParseTestScript(text);
  EXPECT_FALSE(s.ok()) << text;
  return s.ok() ? "" : std::string(s.status().message());
}

constexpr std::string_view kScript = R"(# A comment.
load 5m
  http_requests{job="api", instance="0"} 0+10x2
	http_requests{job="api", instance="1"} 1 _ stale

eval instant at 10m http_requests
  http_requests{job="api", instance="0"} 20
  {__name__="http_requests", job="api", instance="1"} stale

eval_ordered instant at 1h30m sort(http_requests)
  http_requests{job="api", instance="1"} 1
  http_requests{job="api", instance="0"} 2

eval_fail instant at 0s foo(

eval instant at 50m 1 - -1
	2
clear
)";

TEST(TestScriptTest, ParsesCommands) {
  auto s = ParseTestScript(kScript);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->commands.size(), 6u);
  EXPECT_EQ(s->EvalCount(), 4u);

  const auto& load = std::get<LoadCmd>(s->commands[0]);
  EXPECT_EQ(load.line, 2);
  EXPECT_EQ(load.interval_ms, 300000);
  ASSERT_EQ(load.series.size(), 2u);
  EXPECT_EQ(load.series[0].labels.ToString(), R"(http_requests{instance="0", job="api"})");
  ASSERT_EQ(load.series[0].samples.size(), 3u);
  EXPECT_EQ(load.series[0].samples[2].t, 600000);
  EXPECT_EQ(load.series[0].samples[2].v, 20);
  // The omitted value leaves a gap; the staleness marker is a sample.
  ASSERT_EQ(load.series[1].samples.size(), 2u);
  EXPECT_EQ(load.series[1].samples[1].t, 600000);
  EXPECT_TRUE(IsStaleNaN(load.series[1].samples[1].v));

  const auto& e1 = std::get<EvalCmd>(s->commands[1]);
  EXPECT_EQ(e1.line, 6);
  EXPECT_EQ(e1.kind, EvalKind::kNormal);
  EXPECT_EQ(e1.expr, "http_requests");
  EXPECT_EQ(e1.t_ms, 600000);
  ASSERT_EQ(e1.samples.size(), 2u);
  EXPECT_EQ(e1.samples[1].labels.ToString(), R"(http_requests{instance="1", job="api"})");
  EXPECT_TRUE(std::isnan(e1.samples[1].value));
  EXPECT_EQ(e1.samples[1].pos, 2);
  EXPECT_FALSE(e1.scalar.has_value());

  const auto& e2 = std::get<EvalCmd>(s->commands[2]);
  EXPECT_EQ(e2.kind, EvalKind::kOrdered);
  EXPECT_EQ(e2.t_ms, 5400000);
  EXPECT_EQ(e2.expr, "sort(http_requests)");

  const auto& e3 = std::get<EvalCmd>(s->commands[3]);
  EXPECT_EQ(e3.kind, EvalKind::kFail);
  EXPECT_EQ(e3.line, 14);
  EXPECT_EQ(e3.expr, "foo(");  // queries are not parsed here
  EXPECT_TRUE(e3.samples.empty());

  // A scalar expectation ends the block: `clear` right after it is a command.
  const auto& e4 = std::get<EvalCmd>(s->commands[4]);
  EXPECT_EQ(e4.line, 16);
  EXPECT_EQ(e4.expr, "1 - -1");
  ASSERT_TRUE(e4.scalar.has_value());
  EXPECT_EQ(*e4.scalar, 2);
  EXPECT_TRUE(std::holds_alternative<ClearCmd>(s->commands[5]));
}

TEST(TestScriptTest, EvalLinesFindsCasesWithoutParsing) {
  EXPECT_EQ(EvalLines(kScript), (std::vector<int>{6, 10, 14, 16}));
  EXPECT_EQ(EvalLines("eval_fail instant at 1m x\n\n  # eval instant at 0 y\n"),
            (std::vector<int>{1}));
}

TEST(TestScriptTest, LastDefinitionWins) {
  auto s = ParseTestScript(
      "load 1m\n  m{a=\"1\"} 1 2\n  m{a=\"1\"} 3\n\neval instant at 0 m\n  m{a=\"1\"} 1\n  "
      "m{a=\"1\"} 3\n");
  ASSERT_TRUE(s.ok()) << s.status();
  const auto& load = std::get<LoadCmd>(s->commands[0]);
  ASSERT_EQ(load.series.size(), 1u);
  ASSERT_EQ(load.series[0].samples.size(), 1u);
  EXPECT_EQ(load.series[0].samples[0].v, 3);
  const auto& eval = std::get<EvalCmd>(s->commands[1]);
  ASSERT_EQ(eval.samples.size(), 1u);
  EXPECT_EQ(eval.samples[0].value, 3);
  EXPECT_EQ(eval.samples[0].pos, 2);
}

TEST(TestScriptTest, CommentOrBlankLineEndsABlock) {
  // As upstream: the series after the comment is read as a command, which is an error.
  EXPECT_EQ(ErrorOf("load 1m\n  a 1\n  # note\n  b 2\n"), "line 4: invalid command \"b 2\"");
  auto s = ParseTestScript("load 1m\r\n  a 1\r\n\r\nclear\r\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->commands.size(), 2u);
}

TEST(TestScriptTest, MalformedScriptsNameTheLine) {
  // Without a blank line, the next eval is read as an expectation of the previous one.
  EXPECT_EQ(ErrorOf("eval instant at 1m x\neval instant at 2m y\n"),
            "line 2: col 6: unexpected \"instant\" in series values, expected number or \"stale\"");
  EXPECT_EQ(ErrorOf("\n\nfoo bar\n"), "line 3: invalid command \"foo bar\"");
  EXPECT_EQ(ErrorOf("load\n"), "line 1: invalid load command (load <step:duration>)");
  EXPECT_EQ(ErrorOf("load 5x\n").substr(0, 34), "line 1: invalid step definition \"5");
  EXPECT_EQ(ErrorOf("load 1m\n  m 1\n  m{ 2\n"),
            "line 3: col 4: unexpected character inside braces: \"2\"");
  EXPECT_EQ(ErrorOf("eval instant at 5m\n"),
            "line 1: invalid evaluation command (eval[_fail|_ordered] instant [at "
            "<offset:duration>] <query>)");
  EXPECT_EQ(ErrorOf("eval range from 0 to 1m step 1m x\n").substr(0, 33),
            "line 1: invalid evaluation comman");
  EXPECT_EQ(ErrorOf("EVAL instant at 1m x\n").substr(0, 33), "line 1: invalid evaluation comman");
  // Without `at` the regex needs two runs of spaces; the time is then empty.
  EXPECT_EQ(ErrorOf("eval instant 5m x\n").substr(0, 33), "line 1: invalid evaluation comman");
  EXPECT_EQ(ErrorOf("eval instant  5m x\n").substr(0, 34), "line 1: invalid evaluation time \"\"");
  EXPECT_EQ(ErrorOf("eval instant at 5q x\n").substr(0, 36),
            "line 1: invalid evaluation time \"5q\"");
  EXPECT_EQ(ErrorOf("eval instant at 1m x\n  {} 1 2\n"),
            "line 2: expecting multiple values in instant evaluation not allowed");
  EXPECT_EQ(ErrorOf("eval instant at 1m x\n  {}\n"), "line 2: expected sample has no value");
  EXPECT_EQ(ErrorOf("eval instant at 1m x\n  {} _\n"),
            "line 2: expected sample cannot be omitted (\"_\")");
  EXPECT_EQ(ErrorOf("eval instant at 1m x\n  {} 1\n  bad line here\n"),
            "line 3: col 5: unexpected \"line\" in series values, expected number or \"stale\"");
  EXPECT_EQ(ErrorOf("load 100000y\n  m 0+1x999999\n"),
            "line 2: series extends beyond the representable time range");
}

TEST(TestScriptTest, Durations) {
  for (auto [text, ms] : std::vector<std::pair<std::string, int64_t>>{{"0", 0},
                                                                      {"0s", 0},
                                                                      {"1ms", 1},
                                                                      {"50m", 3000000},
                                                                      {"1h30m", 5400000},
                                                                      {"2d", 172800000},
                                                                      {"1w", 604800000}}) {
    auto s = ParseTestScript("eval instant at " + text + " x\n");
    ASSERT_TRUE(s.ok()) << text << ": " << s.status();
    EXPECT_EQ(std::get<EvalCmd>(s->commands[0]).t_ms, ms) << text;
  }
}

// The real v2.42 scripts all parse, with the documented number of cases.
TEST(TestScriptTest, UpstreamScriptsParse) {
  std::filesystem::path dir(VIGIL_CONFORMANCE_DIR);
  ASSERT_TRUE(std::filesystem::is_directory(dir))
      << dir << " is missing: the PromQL conformance data must be present";
  size_t files = 0, evals = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".test") continue;
    ++files;
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    auto s = ParseTestScript(ss.str());
    ASSERT_TRUE(s.ok()) << e.path() << ": " << s.status();
    EXPECT_EQ(s->EvalCount(), EvalLines(ss.str()).size()) << e.path();
    evals += s->EvalCount();
    if (e.path().filename() == "staleness.test") {
      const auto& load = std::get<LoadCmd>(s->commands[0]);
      ASSERT_EQ(load.series[0].samples.size(), 4u);
      EXPECT_TRUE(IsStaleNaN(load.series[0].samples[2].v));
      EXPECT_EQ(load.series[0].samples[3].t, 30000);
    }
  }
  EXPECT_EQ(files, 11u);
  EXPECT_EQ(evals, 566u);
}

}  // namespace
}  // namespace vigil::promql::conformance
