// Parses the expression of every `eval` command in Prometheus 2.42's own PromQL test files
// (conformance/testdata/v2.42/*.test). All must parse: the `eval_fail` cases there fail
// at evaluation time (bad label names, duplicate series...), not while parsing.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/promql/syntax/parser.h"

namespace vigil::promql {
namespace {

constexpr const char* kDir = "../conformance/testdata/v2.42";

struct EvalCase {
  std::string file;
  int line;
  bool expect_fail;
  std::string expr;
};

std::vector<EvalCase> LoadEvalCases() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<EvalCase> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      size_t b = line.find_first_not_of(" \t");
      if (b == std::string::npos || line.compare(b, 4, "eval") != 0) continue;
      std::string_view rest = std::string_view(line).substr(b);
      bool fail = rest.substr(0, 9) == "eval_fail";
      // eval[_fail|_ordered] instant at <time> <expr>
      size_t at = rest.find(" at ");
      if (at == std::string_view::npos) continue;
      size_t time_end = rest.find(' ', at + 4);
      if (time_end == std::string_view::npos) continue;
      out.push_back({f.filename().string(), n, fail, std::string(rest.substr(time_end + 1))});
    }
  }
  return out;
}

TEST(ConformanceParseTest, EveryEvalExpressionParses) {
  ASSERT_TRUE(std::filesystem::is_directory(kDir))
      << "the Prometheus 2.42 test files are not at " << kDir
      << " (relative to the syntax/ source folder)";
  std::vector<EvalCase> cases = LoadEvalCases();
  ASSERT_GT(cases.size(), 500u) << "expected the 566 eval commands of the 2.42 test files";
  int failed = 0;
  int eval_fail = 0;
  for (const EvalCase& c : cases) {
    eval_fail += c.expect_fail;
    auto r = ParseExpr(c.expr);
    if (!r.ok()) {
      ++failed;
      ADD_FAILURE() << c.file << ":" << c.line << ": " << c.expr << "\n  " << r.status().message();
      continue;
    }
    // The canonical form must parse to the same canonical form.
    auto again = ParseExpr(ToString(**r));
    ASSERT_TRUE(again.ok()) << ToString(**r);
    EXPECT_EQ(ToString(**again), ToString(**r));
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(eval_fail, 7);  // all of them fail at evaluation, not parse, time
}

}  // namespace
}  // namespace vigil::promql
