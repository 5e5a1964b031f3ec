// Replays testdata/prometheus_2_42_answers.tsv: thousands of queries (valid, malformed,
// mutated, long) with the answer the Prometheus 2.42.0 binary gave for each, the Pretty
// form or the parse error, which ParseExpr + Prettify must reproduce exactly.
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/promql/syntax/parser.h"

namespace vigil::promql {
namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c);
  }
  return out;
}

struct Answer {
  bool ok;
  std::string query;
  std::string answer;
};

std::vector<Answer> LoadAnswers() {
  std::ifstream in("testdata/prometheus_2_42_answers.tsv");
  std::vector<Answer> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t t1 = line.find('\t');
    size_t t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    out.push_back({line.substr(0, t1) == "OK", Unescape(line.substr(t1 + 1, t2 - t1 - 1)),
                   Unescape(line.substr(t2 + 1))});
  }
  return out;
}

TEST(PrometheusAnswersTest, ParseAndPrettifyMatchPrometheus) {
  std::vector<Answer> answers = LoadAnswers();
  ASSERT_GT(answers.size(), 3000u) << "testdata/prometheus_2_42_answers.tsv is missing or short";
  int mismatches = 0;
  for (const Answer& a : answers) {
    auto r = ParseExpr(a.query);
    std::string got = r.ok() ? Prettify(**r) : std::string(r.status().message());
    if (r.ok() != a.ok || got != a.answer) {
      ++mismatches;
      ADD_FAILURE() << "query: " << a.query << "\n want: " << (a.ok ? "OK " : "ERR ") << a.answer
                    << "\n  got: " << (r.ok() ? "OK " : "ERR ") << got;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(PrometheusAnswersTest, AcceptedQueriesRoundTrip) {
  for (const Answer& a : LoadAnswers()) {
    if (!a.ok) continue;
    auto r = ParseExpr(a.query);
    ASSERT_TRUE(r.ok()) << a.query;
    std::string s = ToString(**r);
    auto again = ParseExpr(s);
    ASSERT_TRUE(again.ok()) << s << ": " << again.status().message();
    // Prometheus prints +Inf with its sign, which reparses as a unary plus when it starts a
    // `^` operand; everything else prints to a fixed point.
    if (s.find("Inf ^") == std::string::npos) {
      EXPECT_EQ(ToString(**again), s) << a.query;
    }
  }
}

}  // namespace
}  // namespace vigil::promql
