#include "query/logql/syntax/pushdown.h"

#include <string>

#include "gtest/gtest.h"
#include "query/logql/syntax/parser.h"

namespace vigil::logql {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

RequiredFilters Extract(const std::string& q) {
  auto s = ParseLogSelector(q);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return {};
  return ExtractRequiredFilters(**s);
}

TEST(PushdownTest, LineSubstrings) {
  RequiredFilters r = Extract(
      R"q({a="b"} |= "err" |= "a" or "b" != "x" |~ "y" |= ip("1.2.3.4") |= "" | json |= "after_parser" | line_format "{{.m}}" |= "after_format")q");
  EXPECT_EQ(r.line_substrings, (Strings{"err", "after_parser"}));
  r = Extract(R"q({a="b"} | decolorize |= "x")q");
  EXPECT_TRUE(r.line_substrings.empty());
  r = Extract(R"q({a="b"} | unpack |= "x")q");
  EXPECT_TRUE(r.line_substrings.empty());
}

TEST(PushdownTest, FieldEqualities) {
  RequiredFilters r = Extract(
      R"q({a="b"} | trace_id="abc" | env="prod", team="x" or team="y" | tenant="t1" and (p="1" or q="2") | e="" | __error__="" | n!="z" | s=~"r" | json | after="parser")q");
  // `env="prod", team=...` is `env="prod" and (team=... or ...)`: env is required.
  EXPECT_EQ(r.field_equals, (Pairs{{"trace_id", "abc"}, {"env", "prod"}, {"tenant", "t1"}}));
  // `a, b or c` is `a and (b or c)`: a is required.
  r = Extract(R"q({a="b"} | k="v", x="1" or y="2")q");
  EXPECT_EQ(r.field_equals, (Pairs{{"k", "v"}}));
  // Label stages end it: a formatted or dropped label is no longer the stored one.
  for (const char* q : {R"q({a="b"} | label_format k=j | k="v")q", R"q({a="b"} | drop k | k="v")q",
                        R"q({a="b"} | keep j | k="v")q", R"q({a="b"} | logfmt | k="v")q"}) {
    EXPECT_TRUE(Extract(q).field_equals.empty()) << q;
  }
  // Line filters and line_format leave labels as they are.
  r = Extract(R"q({a="b"} |= "x" | line_format "y" | k="v")q");
  EXPECT_EQ(r.field_equals, (Pairs{{"k", "v"}}));
}

}  // namespace
}  // namespace vigil::logql
