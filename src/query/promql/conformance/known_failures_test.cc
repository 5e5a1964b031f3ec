#include "query/promql/conformance/known_failures.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil::promql::conformance {
namespace {

TEST(KnownFailuresTest, Parses) {
  auto k = ParseKnownFailures(
      "# header\n\nfunctions.test:123  # holt_winters: not yet\n  at_modifier.test:7\r\n");
  ASSERT_TRUE(k.ok()) << k.status();
  ASSERT_EQ(k->size(), 2u);
  EXPECT_EQ(k->at({"functions.test", 123}), "holt_winters: not yet");
  EXPECT_EQ(k->at({"at_modifier.test", 7}), "");
  EXPECT_TRUE(ParseKnownFailures("").ok());
}

TEST(KnownFailuresTest, BadLinesNameTheLine) {
  auto err = [](std::string_view text) {
    auto k = ParseKnownFailures(text);
    EXPECT_FALSE(k.ok()) << text;
    return k.ok() ? "" : std::string(k.status().message());
  };
  EXPECT_EQ(err("\nfunctions.test\n"), "line 2: expected `file.test:LINE`, got \"functions.test\"");
  EXPECT_EQ(err("a.test:x"), "line 1: expected `file.test:LINE`, got \"a.test:x\"");
  EXPECT_EQ(err("a.test:0"), "line 1: expected `file.test:LINE`, got \"a.test:0\"");
  EXPECT_EQ(err(":5"), "line 1: expected `file.test:LINE`, got \":5\"");
  EXPECT_EQ(err("dir/a.test:5"),
            "line 1: the file must be a bare name like functions.test, got \"dir/a.test\"");
  EXPECT_EQ(err("a.test:5\na.test:5 # again"), "line 2: a.test:5 is listed twice");
}

TEST(KnownFailuresTest, ChecksBothDirections) {
  std::map<CaseKey, std::string> known = {
      {{"a.test", 1}, ""}, {{"a.test", 2}, ""}, {{"a.test", 99}, ""}, {{"b.test", 5}, ""}};
  std::vector<CaseStatus> cases = {
      {{"a.test", 1}, false},  // listed, fails: fine
      {{"a.test", 2}, true},   // listed, passes: the list must shrink
      {{"a.test", 3}, false},  // a regression
      {{"a.test", 4}, true},
  };
  auto r = CheckKnownFailures(cases, known, {"a.test"});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.regressions, (std::vector<CaseKey>{{"a.test", 3}}));
  EXPECT_EQ(r.now_passing, (std::vector<CaseKey>{{"a.test", 2}}));
  // b.test did not run: its entries are not judged.
  EXPECT_EQ(r.no_such_case, (std::vector<CaseKey>{{"a.test", 99}}));

  std::vector<CaseStatus> as_listed = {
      {{"a.test", 1}, false}, {{"a.test", 2}, false}, {{"a.test", 99}, false}};
  EXPECT_TRUE(CheckKnownFailures(as_listed, known, {"a.test"}).ok());
}

// The checked-in list is well formed and names only real eval lines.
TEST(KnownFailuresTest, CheckedInListIsValid) {
  std::ifstream f("known_failures.txt");
  ASSERT_TRUE(f) << "known_failures.txt not found beside the test";
  std::stringstream ss;
  ss << f.rdbuf();
  auto k = ParseKnownFailures(ss.str());
  ASSERT_TRUE(k.ok()) << k.status();
  for (const auto& [key, reason] : *k) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(VIGIL_CONFORMANCE_DIR) / key.first))
        << FormatCaseKey(key);
  }
}

}  // namespace
}  // namespace vigil::promql::conformance
