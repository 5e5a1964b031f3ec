#include "common/labels.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil {
namespace {

TEST(LabelsTest, FromUnsortedSortsAndKeepsLastDuplicate) {
  Labels l = Labels::FromUnsorted({{"b", "1"}, {"a", "2"}, {"b", "3"}});
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l.begin()->name, "a");
  EXPECT_EQ(l.Get("b"), "3");
  EXPECT_EQ(l.Get("missing"), "");
}

TEST(LabelsTest, ToStringUsesPrometheusNotation) {
  EXPECT_EQ(Labels({{"__name__", "up"}, {"job", "a\"b"}}).ToString(), "up{job=\"a\\\"b\"}");
  EXPECT_EQ(Labels({{"__name__", "up"}}).ToString(), "up");
  EXPECT_EQ(Labels({{"a", "1"}, {"b", "2"}}).ToString(), "{a=\"1\", b=\"2\"}");
}

TEST(LabelsTest, ViewHashMatchesOwnedHash) {
  Labels l({{"__name__", "x"}, {"a", "b"}});
  std::vector<LabelView> v = {{"__name__", "x"}, {"a", "b"}};
  EXPECT_EQ(l.Hash(), HashLabels(v));
  EXPECT_TRUE(LabelsEqual(l, v));
  // The separator keeps ("ab","c") and ("a","bc") apart.
  std::vector<LabelView> v1 = {{"ab", "c"}}, v2 = {{"a", "bc"}};
  EXPECT_NE(HashLabels(v1), HashLabels(v2));
}

TEST(LabelsTest, BuilderSetsDeletesAndKeepsOrder) {
  Labels base({{"a", "1"}, {"c", "3"}});
  Labels out = LabelsBuilder(base).Set("b", "2").Set("c", "").Set("a", "9").Build();
  EXPECT_EQ(out, Labels({{"a", "9"}, {"b", "2"}}));
}

TEST(LabelsTest, NameValidation) {
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName("a-b"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_TRUE(IsValidMetricName("a:b_c"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidLabelName("Zz_09"));
  EXPECT_FALSE(IsValidLabelName("a\xc3\xa9"));  // non-ASCII letters are not allowed
  EXPECT_FALSE(IsValidLabelName(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsValidLabelName("ab "));
  // Every single byte, against the rule written out.
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    EXPECT_EQ(IsValidLabelName(std::string(1, ch)), letter) << c;
    EXPECT_EQ(IsValidLabelName(std::string("x") + ch), letter || digit) << c;
  }
}

TEST(LabelsTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("héllo ✓ 😀"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));      // truncated
}

TEST(LabelsTest, ValidateSeriesLabelsSaysWhatIsWrong) {
  std::vector<LabelView> ok = {{"__name__", "up"}, {"job", "x"}};
  EXPECT_TRUE(ValidateSeriesLabels(ok).ok());
  std::vector<LabelView> dup = {{"__name__", "up"}, {"a", "1"}, {"a", "2"}};
  EXPECT_EQ(ValidateSeriesLabels(dup).message(), "duplicate label name \"a\"");
  std::vector<LabelView> unsorted = {{"__name__", "up"}, {"b", "1"}, {"a", "2"}};
  EXPECT_EQ(ValidateSeriesLabels(unsorted).message(), "label names not sorted: \"b\" before \"a\"");
  std::vector<LabelView> noname = {{"job", "x"}};
  EXPECT_EQ(ValidateSeriesLabels(noname).message(), "missing or empty metric name");
  std::vector<LabelView> badname = {{"__name__", "1up"}};
  EXPECT_EQ(ValidateSeriesLabels(badname).message(), "invalid metric name \"1up\"");
  std::vector<LabelView> badlabel = {{"__name__", "up"}, {"a-b", "x"}};
  EXPECT_EQ(ValidateSeriesLabels(badlabel).message(), "invalid label name \"a-b\"");
  std::vector<LabelView> badutf = {{"__name__", "up"}, {"a", "\xff"}};
  EXPECT_EQ(ValidateSeriesLabels(badutf).message(), "invalid UTF-8 in value of label \"a\"");
}

// Compare looks only at the label where the encodings first differ; it must order every pair
// as comparing label by label does: names that are prefixes of each other, lengths whose
// varints differ, label sets that are prefixes of each other, long values.
TEST(LabelsTest, CompareAgreesWithLabelByLabelOrder) {
  std::mt19937 rng(7);
  const std::vector<std::string> names = {"__name__", "a", "ab", "b", "job", "instance", "le", "z"};
  const std::vector<std::string> values = {"",
                                           "0",
                                           "1",
                                           "10",
                                           "api",
                                           "api-server",
                                           "b",
                                           std::string(130, 'x'),
                                           std::string(131, 'x'),
                                           std::string(200, 'y') + "a"};
  auto random_labels = [&] {
    std::vector<Label> items;
    for (const std::string& n : names) {
      if (rng() % 3 == 0) continue;
      const std::string& v = values[rng() % values.size()];
      if (!v.empty()) items.push_back({n, v});
    }
    return Labels::FromUnsorted(items);
  };
  std::vector<Labels> sets;
  for (int i = 0; i < 400; ++i) sets.push_back(random_labels());
  sets.push_back(Labels());
  int differing = 0;
  for (const Labels& a : sets) {
    for (const Labels& b : sets) {
      const int want = Labels::CompareLabelByLabel(a, b);
      const int got = Labels::Compare(a, b);
      ASSERT_EQ((got > 0) - (got < 0), (want > 0) - (want < 0))
          << a.ToString() << " vs " << b.ToString();
      differing += want != 0;
    }
  }
  EXPECT_GT(differing, 100000);
  // The cases above by name.
  EXPECT_LT(Labels::Compare(Labels{{"a", "1"}}, Labels{{"ab", "0"}}), 0);
  EXPECT_LT(Labels::Compare(Labels{{"a", "1"}}, Labels{{"a", "1"}, {"b", "0"}}), 0);
  EXPECT_GT(Labels::Compare(Labels{{"a", std::string(200, 'z')}}, Labels{{"a", "y"}}), 0);
  EXPECT_EQ(Labels::Compare(Labels{{"a", "1"}, {"b", "2"}}, Labels{{"a", "1"}, {"b", "2"}}), 0);
}

}  // namespace
}  // namespace vigil
