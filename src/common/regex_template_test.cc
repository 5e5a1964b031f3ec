#include "common/regex_template.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

std::string Expand(std::string_view pattern, std::string_view text, std::string_view tmpl) {
  RE2 re(std::string("^(?:") + std::string(pattern) + ")$");
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(n);
  re2::StringPiece t(text.data(), text.size());
  EXPECT_TRUE(re.Match(t, 0, t.size(), RE2::ANCHOR_BOTH, sub.data(), n));
  std::string out;
  ExpandRegexTemplate(tmpl, re, sub, &out);
  return out;
}

TEST(RegexTemplate, GoSemantics) {
  EXPECT_EQ(Expand("(.*):(.*)", "host:9090", "$1"), "host");
  EXPECT_EQ(Expand("(.*):(.*)", "host:9090", "${2}-$1"), "9090-host");
  // A name runs as far as letters, digits and underscores go: "$1x" is group "1x".
  EXPECT_EQ(Expand("(.*):(.*)", "host:9090", "$1x"), "");
  EXPECT_EQ(Expand("(.*):(.*)", "host:9090", "${1}x"), "hostx");
  EXPECT_EQ(Expand("(?P<h>.*):(.*)", "host:9090", "$h/${h}"), "host/host");
  EXPECT_EQ(Expand("(.*)", "a", "$$1 costs $"), "$1 costs $");
  EXPECT_EQ(Expand("(.*)", "a", "${1"), "${1");   // malformed: literal
  EXPECT_EQ(Expand("(.*)", "a", "$01"), "");       // leading zero: a name, not an index
  EXPECT_EQ(Expand("(a)|(b)", "a", "[$2]"), "[]");  // unmatched group
}

}  // namespace
}  // namespace vigil
