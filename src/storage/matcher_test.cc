#include "storage/matcher.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(LabelMatcherTest, RegexIsFullyAnchored) {
  auto m = LabelMatcher::Make(MatchType::kRegexMatch, "job", "api|web");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Matches("api"));
  EXPECT_FALSE(m->Matches("api2"));
  EXPECT_FALSE(m->Matches("xweb"));
  EXPECT_EQ(m->SetMatches(), (std::vector<std::string>{"api", "web"}));
}

TEST(LabelMatcherTest, EmptyMatching) {
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kRegexMatch, "a", ".*")->MatchesEmpty());
  EXPECT_FALSE(LabelMatcher::Make(MatchType::kRegexMatch, "a", ".+")->MatchesEmpty());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kNotEqual, "a", "x")->MatchesEmpty());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kEqual, "a", "")->MatchesEmpty());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kRegexNoMatch, "a", "x")->Matches("y"));
}

TEST(LabelMatcherTest, DotMatchesNewline) {
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kRegexMatch, "a", "a.b")->Matches("a\nb"));
}

TEST(LabelMatcherTest, BadRegexIsASpecificError) {
  auto m = LabelMatcher::Make(MatchType::kRegexMatch, "a", "(");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().substr(0, 30), "invalid regular expression \"(\"");
}

}  // namespace
}  // namespace vigil
