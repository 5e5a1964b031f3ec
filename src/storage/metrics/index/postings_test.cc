#include "storage/metrics/index/postings.h"

#include <gtest/gtest.h>

#include <map>

#include "storage/metrics/index/mem_postings.h"

namespace vigil {
namespace {

TEST(PostingsTest, SetOperations) {
  EXPECT_EQ(Intersect(Postings{1, 3, 5, 7}, Postings{3, 4, 5}), (Postings{3, 5}));
  Postings big;
  for (uint64_t i = 0; i < 1000; ++i) big.push_back(i * 2);
  EXPECT_EQ(Intersect(Postings{4, 5, 1998}, big), (Postings{4, 1998}));  // galloping path
  EXPECT_EQ(Merge({{1, 4}, {2, 4, 9}, {}, {0, 9}}), (Postings{0, 1, 2, 4, 9}));
  EXPECT_EQ(Subtract(Postings{1, 2, 3, 4}, Postings{2, 4, 6}), (Postings{1, 3}));
}

// Series 1..4 with labels as in a small Prometheus setup.
class FakeIndex : public IndexReader {
 public:
  FakeIndex() {
    Add(1, {{"__name__", "up"}, {"job", "api"}});
    Add(2, {{"__name__", "up"}, {"job", "web"}, {"env", "prod"}});
    Add(3, {{"__name__", "req"}, {"job", "api"}, {"env", "dev"}});
    Add(4, {{"__name__", "req"}, {"job", "db"}});
  }
  void Add(uint64_t ref, std::vector<Label> labels) { p_.Add(ref, Labels::FromUnsorted(labels)); }
  Postings AllPostings() override { return p_.All(); }
  Postings PostingsFor(std::string_view n, std::string_view v) override { return p_.Get(n, v); }
  std::vector<std::string> ValuesOf(std::string_view n) override { return p_.LabelValues(n); }
  MemPostings p_;
};

Postings Select(std::vector<std::tuple<MatchType, std::string, std::string>> ms) {
  FakeIndex idx;
  Matchers matchers;
  for (auto& [t, n, v] : ms) matchers.push_back(*LabelMatcher::Make(t, n, v));
  return PostingsForMatchers(idx, matchers);
}

TEST(PostingsForMatchersTest, PrometheusSemantics) {
  using M = MatchType;
  EXPECT_EQ(Select({{M::kEqual, "__name__", "up"}}), (Postings{1, 2}));
  EXPECT_EQ(Select({{M::kEqual, "job", "api"}, {M::kEqual, "__name__", "req"}}), (Postings{3}));
  EXPECT_EQ(Select({{M::kRegexMatch, "job", "api|db"}}), (Postings{1, 3, 4}));
  EXPECT_EQ(Select({{M::kRegexMatch, "job", "a.*"}}), (Postings{1, 3}));
  // A missing label counts as "": env!="prod" keeps series without env.
  EXPECT_EQ(Select({{M::kEqual, "__name__", "up"}, {M::kNotEqual, "env", "prod"}}), (Postings{1}));
  EXPECT_EQ(Select({{M::kEqual, "__name__", "req"}, {M::kEqual, "env", ""}}), (Postings{4}));
  EXPECT_EQ(Select({{M::kRegexMatch, "env", ".+"}}), (Postings{2, 3}));
  EXPECT_EQ(Select({{M::kRegexNoMatch, "job", "api"}}), (Postings{2, 4}));
  EXPECT_EQ(Select({{M::kEqual, "__name__", "nope"}}), (Postings{}));
  EXPECT_EQ(Select({{M::kEqual, "__name__", "up"}, {M::kNotEqual, "job", ""}}), (Postings{1, 2}));
}

TEST(MemPostingsTest, DeleteRemovesEmptyValues) {
  MemPostings p;
  Labels a({{"__name__", "x"}, {"k", "1"}});
  Labels b({{"__name__", "x"}, {"k", "2"}});
  p.Add(2, b);
  p.Add(1, a);  // out of order insert stays sorted
  EXPECT_EQ(p.Get("__name__", "x"), (Postings{1, 2}));
  p.Delete({1}, {a});
  EXPECT_EQ(p.LabelValues("k"), (std::vector<std::string>{"2"}));
  EXPECT_EQ(p.All(), (Postings{2}));
}

}  // namespace
}  // namespace vigil
