#include "query/logql/pipeline/line_format.h"

#include "gtest/gtest.h"
#include "query/logql/pipeline/test_util.h"

namespace vigil::logql::pipeline {
namespace {

using testing::TestLine;

TEST(LineFormatTest, RewritesTheLine) {
  absl::StatusOr<LineFormat> f = LineFormat::Make("{{.query}} {{.duration}}");
  ASSERT_TRUE(f.ok()) << f.status();
  TestLine t("original", Labels{{"app", "api"}});
  t.state().Set("query", "sum(rate(x[1m]))");
  t.state().Set("duration", "1.2s");
  EXPECT_TRUE(f->Process(t.state()));
  EXPECT_EQ(t.state().line(), "sum(rate(x[1m])) 1.2s");
}

TEST(LineFormatTest, SimpleFieldFastPath) {
  absl::StatusOr<LineFormat> f = LineFormat::Make("{{ .msg }}");
  TestLine t("original");
  t.state().Set("msg", "hello");
  f->Process(t.state());
  EXPECT_EQ(t.state().line(), "hello");
  TestLine missing("original");
  f->Process(missing.state());
  EXPECT_EQ(missing.state().line(), "");
}

TEST(LineFormatTest, LineAndTimestampFunctions) {
  absl::StatusOr<LineFormat> f =
      LineFormat::Make(R"({{ __timestamp__ | date "15:04:05" }} {{ __line__ | ToUpper }})");
  TestLine t("abc");
  f->Process(t.state());
  EXPECT_EQ(t.state().line(), "22:13:20 ABC");
  // Applied twice: the second run reads the first's output as __line__.
  f->Process(t.state());
  EXPECT_EQ(t.state().line(), "22:13:20 22:13:20 ABC");
}

TEST(LineFormatTest, RuntimeErrorKeepsLine) {
  absl::StatusOr<LineFormat> f = LineFormat::Make("{{ div 1 .zero }}");
  TestLine t("keep me");
  t.state().Set("zero", "0");
  EXPECT_TRUE(f->Process(t.state()));
  EXPECT_EQ(t.state().line(), "keep me");
  EXPECT_EQ(t.state().error(), kTemplateFormatErr);
  EXPECT_NE(t.state().error_details().find("integer divide by zero"), std::string::npos);
}

TEST(LineFormatTest, CompileError) {
  absl::StatusOr<LineFormat> f = LineFormat::Make("{{ .a ");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "invalid line template: template: line:1: unclosed action");
}

TEST(LabelFormatTest, RenameMovesTheValue) {
  absl::StatusOr<LabelFormat> f = LabelFormat::Make({{"dst", "src", true}, {"x", "absent", true}});
  ASSERT_TRUE(f.ok());
  TestLine t("l", Labels{{"src", "v"}});
  EXPECT_TRUE(f->Process(t.state()));
  EXPECT_EQ(t.LabelString(), R"({dst="v"})");
}

TEST(LabelFormatTest, TemplatesKeepTheirSources) {
  absl::StatusOr<LabelFormat> f =
      LabelFormat::Make({{"combined", "{{.a}}-{{.b}}", false}, {"a", "{{.a | upper}}", false}});
  ASSERT_TRUE(f.ok()) << f.status();
  TestLine t("l");
  t.state().Set("a", "x");
  t.state().Set("b", "y");
  f->Process(t.state());
  EXPECT_EQ(t.LabelString(), R"({a="X", b="y", combined="x-y"})");
}

TEST(LabelFormatTest, TemplatesSeeLabelsFromBeforeTheStage) {
  // `b` is computed from `a` as it was before this stage changed it.
  absl::StatusOr<LabelFormat> f =
      LabelFormat::Make({{"a", "{{.a}}{{.a}}", false}, {"b", "{{.a}}!", false}});
  TestLine t("l");
  t.state().Set("a", "1");
  f->Process(t.state());
  EXPECT_EQ(t.LabelString(), R"({a="11", b="1!"})");
  // A stream label can be overwritten by a template.
  absl::StatusOr<LabelFormat> g = LabelFormat::Make({{"app", "{{.app}}-v2", false}});
  TestLine s("l", Labels{{"app", "api"}});
  g->Process(s.state());
  EXPECT_EQ(s.LabelString(), R"({app="api-v2"})");
}

TEST(LabelFormatTest, Validation) {
  EXPECT_FALSE(LabelFormat::Make({{"__error__", "x", true}}).ok());
  EXPECT_FALSE(LabelFormat::Make({{"a", "b", true}, {"a", "c", true}}).ok());
  EXPECT_FALSE(LabelFormat::Make({{"bad-name", "x", false}}).ok());
  EXPECT_FALSE(LabelFormat::Make({{"a", "{{ nope }}", false}}).ok());
  absl::StatusOr<LabelFormat> self = LabelFormat::Make({{"a", "a", true}});
  TestLine t("l");
  t.state().Set("a", "kept");
  self->Process(t.state());
  EXPECT_EQ(t.state().Get("a"), "kept");
}

TEST(LabelFormatTest, ErrorInOneTemplate) {
  absl::StatusOr<LabelFormat> f =
      LabelFormat::Make({{"bad", "{{ div 1 0 }}", false}, {"good", "ok", false}});
  TestLine t("l");
  f->Process(t.state());
  EXPECT_EQ(t.state().error(), kTemplateFormatErr);
  EXPECT_EQ(t.state().Get("good"), "ok");
  EXPECT_EQ(t.state().Get("bad"), "");
}

}  // namespace
}  // namespace vigil::logql::pipeline
