#include "query/logql/pipeline/label_filter.h"

#include "gtest/gtest.h"
#include "query/logql/pipeline/drop_keep.h"
#include "query/logql/pipeline/test_util.h"
#include "query/logql/pipeline/unwrap.h"

namespace vigil::logql::pipeline {
namespace {

using testing::TestLine;

LabelFilter Str(MatchType t, std::string_view name, std::string_view value) {
  absl::StatusOr<LabelFilter> f = LabelFilter::String(t, name, value);
  EXPECT_TRUE(f.ok()) << f.status();
  return *f;
}

// A line whose labels are `labels` (set as extracted labels).
struct Labeled {
  explicit Labeled(std::initializer_list<std::pair<std::string, std::string>> labels) : t("line") {
    for (const auto& [n, v] : labels) t.state().Set(n, v);
  }
  TestLine t;
  LineState& s() { return t.state(); }
};

TEST(LabelFilterTest, StringMatchers) {
  Labeled l({{"level", "error"}, {"path", "/api/v1/users"}});
  EXPECT_TRUE(Str(MatchType::kEqual, "level", "error").Process(l.s()));
  EXPECT_FALSE(Str(MatchType::kNotEqual, "level", "error").Process(l.s()));
  EXPECT_TRUE(Str(MatchType::kRegexMatch, "path", "/api/.*").Process(l.s()));
  EXPECT_FALSE(Str(MatchType::kRegexMatch, "path", "api").Process(l.s()));  // anchored
  EXPECT_TRUE(Str(MatchType::kRegexNoMatch, "level", "info|debug").Process(l.s()));
  // An absent label compares as "".
  EXPECT_TRUE(Str(MatchType::kEqual, "missing", "").Process(l.s()));
  EXPECT_FALSE(Str(MatchType::kEqual, "missing", "x").Process(l.s()));
  EXPECT_FALSE(LabelFilter::String(MatchType::kRegexMatch, "a", "(").ok());
}

TEST(LabelFilterTest, NumericComparisons) {
  Labeled l({{"status", "503"}, {"ratio", "0.25"}});
  EXPECT_TRUE(LabelFilter::Numeric("status", CompareOp::kGe, 500).Process(l.s()));
  EXPECT_FALSE(LabelFilter::Numeric("status", CompareOp::kLt, 500).Process(l.s()));
  EXPECT_TRUE(LabelFilter::Numeric("status", CompareOp::kEq, 503).Process(l.s()));
  EXPECT_TRUE(LabelFilter::Numeric("ratio", CompareOp::kNe, 0.5).Process(l.s()));
  // A missing label fails a numeric comparison, without an error.
  EXPECT_FALSE(LabelFilter::Numeric("missing", CompareOp::kGt, 0).Process(l.s()));
  EXPECT_FALSE(l.s().HasError());
}

TEST(LabelFilterTest, UnparsableValueSetsErrorAndKeepsLine) {
  Labeled l({{"status", "abc"}, {"size", "10"}});
  EXPECT_TRUE(LabelFilter::Numeric("status", CompareOp::kGt, 1).Process(l.s()));
  EXPECT_EQ(l.s().error(), kLabelFilterErr);
  EXPECT_EQ(l.s().error_details(), R"(strconv.ParseFloat: parsing "abc": invalid syntax)");
  // Once a line carries an error, conversions pass; only string matchers can drop it.
  EXPECT_TRUE(LabelFilter::Numeric("size", CompareOp::kGt, 100).Process(l.s()));
  EXPECT_FALSE(Str(MatchType::kEqual, "__error__", "").Process(l.s()));
  EXPECT_TRUE(Str(MatchType::kEqual, "__error__", "LabelFilterErr").Process(l.s()));
}

TEST(LabelFilterTest, DurationAndBytes) {
  Labeled l({{"duration", "1.2ms"}, {"size", "1.5KiB"}, {"latency", "2m"}});
  EXPECT_TRUE(LabelFilter::Duration("duration", CompareOp::kGe, 1000000).Process(l.s()));
  EXPECT_FALSE(LabelFilter::Duration("duration", CompareOp::kGt, 20000000).Process(l.s()));
  EXPECT_TRUE(
      LabelFilter::Duration("latency", CompareOp::kEq, int64_t{120} * 1000000000).Process(l.s()));
  EXPECT_TRUE(LabelFilter::Bytes("size", CompareOp::kEq, 1536).Process(l.s()));
  EXPECT_TRUE(LabelFilter::Bytes("size", CompareOp::kLe, 20000).Process(l.s()));
  EXPECT_FALSE(l.s().HasError());
  Labeled bad({{"duration", "fast"}});
  EXPECT_TRUE(LabelFilter::Duration("duration", CompareOp::kGt, 0).Process(bad.s()));
  EXPECT_EQ(bad.s().error(), kLabelFilterErr);
  Labeled bad_bytes({{"size", "big"}});
  EXPECT_TRUE(LabelFilter::Bytes("size", CompareOp::kGt, 0).Process(bad_bytes.s()));
  EXPECT_EQ(bad_bytes.s().error(), kLabelFilterErr);
}

TEST(LabelFilterTest, LokiDocumentationPrecedence) {
  // `duration >= 20ms or method="GET" and size <= 20KB`: `and` binds tighter than `or`.
  const LabelFilter f =
      LabelFilter::Or(LabelFilter::Duration("duration", CompareOp::kGe, 20000000),
                      LabelFilter::And(Str(MatchType::kEqual, "method", "GET"),
                                       LabelFilter::Bytes("size", CompareOp::kLe, 20000)));
  {
    Labeled l({{"duration", "25ms"}, {"method", "POST"}, {"size", "1MB"}});
    EXPECT_TRUE(f.Process(l.s()));
  }
  {
    Labeled l({{"duration", "5ms"}, {"method", "GET"}, {"size", "10KB"}});
    EXPECT_TRUE(f.Process(l.s()));
  }
  {
    Labeled l({{"duration", "5ms"}, {"method", "GET"}, {"size", "30KB"}});
    EXPECT_FALSE(f.Process(l.s()));
  }
  {
    Labeled l({{"duration", "5ms"}, {"method", "POST"}, {"size", "1KB"}});
    EXPECT_FALSE(f.Process(l.s()));
  }
  // `or` stops at the first passing side: the right side's bad value is never read.
  const LabelFilter g = LabelFilter::Or(Str(MatchType::kEqual, "a", "1"),
                                        LabelFilter::Numeric("b", CompareOp::kGt, 0));
  Labeled l({{"a", "1"}, {"b", "nan?"}});
  EXPECT_TRUE(g.Process(l.s()));
  EXPECT_FALSE(l.s().HasError());
}

TEST(DropKeepTest, DropByNameAndMatcher) {
  TestLine t("x", Labels{{"app", "api"}, {"level", "debug"}, {"path", "/health"}});
  t.state().SetError(kJsonParserErr, "details");
  std::vector<LabelSelector> sel;
  sel.push_back(LabelSelector::Named("app"));
  sel.push_back(*LabelSelector::Matching(MatchType::kEqual, "level", "info"));  // no match
  sel.push_back(*LabelSelector::Matching(MatchType::kRegexMatch, "path", "/health.*"));
  sel.push_back(LabelSelector::Named("__error__"));
  EXPECT_TRUE(DropLabels(std::move(sel)).Process(t.state()));
  EXPECT_EQ(t.LabelString(), R"({__error_details__="details", level="debug"})");
}

TEST(DropKeepTest, KeepNeverRemovesErrors) {
  TestLine t("x", Labels{{"app", "api"}, {"env", "prod"}}, {{"level", "warn"}});
  t.state().Set("status", "500");
  t.state().SetError(kLabelFilterErr);
  std::vector<LabelSelector> sel;
  sel.push_back(LabelSelector::Named("app"));
  sel.push_back(*LabelSelector::Matching(MatchType::kRegexMatch, "status", "5.."));
  sel.push_back(*LabelSelector::Matching(MatchType::kEqual, "level", "error"));
  EXPECT_TRUE(KeepLabels(std::move(sel)).Process(t.state()));
  EXPECT_EQ(t.LabelString(), R"({__error__="LabelFilterErr", app="api", status="500"})");
}

TEST(UnwrapTest, Conversions) {
  Labeled l({{"latency", "0.25"}, {"took", "1.5s"}, {"size", "2KiB"}, {"bad", "xyz"}});
  double v = -1;
  EXPECT_TRUE(Unwrap::Make("latency", UnwrapConversion::kFloat)->Extract(l.s(), &v));
  EXPECT_EQ(v, 0.25);
  EXPECT_TRUE(Unwrap::Make("took", UnwrapConversion::kDuration)->Extract(l.s(), &v));
  EXPECT_EQ(v, 1.5);
  EXPECT_TRUE(Unwrap::Make("size", UnwrapConversion::kBytes)->Extract(l.s(), &v));
  EXPECT_EQ(v, 2048);
  EXPECT_FALSE(l.s().HasError());
  // Missing: no sample, no error.
  EXPECT_FALSE(Unwrap::Make("missing", UnwrapConversion::kFloat)->Extract(l.s(), &v));
  EXPECT_FALSE(l.s().HasError());
  // Unconvertible: a zero sample marked SampleExtractionErr.
  EXPECT_TRUE(Unwrap::Make("bad", UnwrapConversion::kFloat)->Extract(l.s(), &v));
  EXPECT_EQ(v, 0);
  EXPECT_EQ(l.s().error(), kSampleExtractionErr);
  EXPECT_FALSE(Unwrap::Make("bad-name", UnwrapConversion::kFloat).ok());
}

}  // namespace
}  // namespace vigil::logql::pipeline
