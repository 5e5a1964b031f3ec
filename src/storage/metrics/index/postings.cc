#include "storage/metrics/index/postings.h"

#include <algorithm>
#include <queue>

namespace vigil {

Postings Intersect(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  Postings out;
  if (a.size() > b.size()) std::swap(a, b);
  out.reserve(a.size());
  // Galloping through the longer list pays off when sizes differ a lot (a rare label value
  // intersected with a common metric name).
  if (a.size() * 16 < b.size()) {
    auto it = b.begin();
    for (uint64_t x : a) {
      it = std::lower_bound(it, b.end(), x);
      if (it == b.end()) break;
      if (*it == x) out.push_back(x);
    }
    return out;
  }
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings Merge(std::vector<Postings> lists) {
  lists.erase(std::remove_if(lists.begin(), lists.end(), [](const Postings& p) { return p.empty(); }),
              lists.end());
  if (lists.empty()) return {};
  if (lists.size() == 1) return std::move(lists[0]);
  if (lists.size() == 2) {
    Postings out;
    out.reserve(lists[0].size() + lists[1].size());
    std::set_union(lists[0].begin(), lists[0].end(), lists[1].begin(), lists[1].end(),
                   std::back_inserter(out));
    return out;
  }
  using Head = std::pair<uint64_t, size_t>;  // value, list index
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heap;
  std::vector<size_t> pos(lists.size(), 0);
  size_t total = 0;
  for (size_t i = 0; i < lists.size(); ++i) {
    heap.push({lists[i][0], i});
    total += lists[i].size();
  }
  Postings out;
  out.reserve(total);
  while (!heap.empty()) {
    auto [v, i] = heap.top();
    heap.pop();
    if (out.empty() || out.back() != v) out.push_back(v);
    if (++pos[i] < lists[i].size()) heap.push({lists[i][pos[i]], i});
  }
  return out;
}

Postings Subtract(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  Postings out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings IndexReader::PostingsForValues(std::string_view name,
                                        std::span<const std::string> values) {
  std::vector<Postings> lists;
  lists.reserve(values.size());
  for (const auto& v : values) lists.push_back(PostingsFor(name, v));
  return Merge(std::move(lists));
}

Postings IndexReader::PostingsWhere(std::string_view name,
                                    const std::function<bool(std::string_view)>& accept) {
  std::vector<std::string> values = ValuesOf(name);
  std::vector<std::string> hit;
  for (auto& v : values) {
    if (accept(v)) hit.push_back(std::move(v));
  }
  return PostingsForValues(name, hit);
}

namespace {

// Postings of series the matcher selects, for a matcher that does not match "".
Postings PostingsForMatcher(IndexReader& index, const LabelMatcher& m) {
  if (m.type() == MatchType::kEqual) return index.PostingsFor(m.name(), m.value());
  if (m.type() == MatchType::kRegexMatch && !m.SetMatches().empty()) {
    return index.PostingsForValues(m.name(), m.SetMatches());
  }
  return index.PostingsWhere(m.name(), [&](std::string_view v) { return m.Matches(v); });
}

// For a matcher that matches "": the series it excludes, i.e. those whose value it rejects.
Postings ExcludedBy(IndexReader& index, const LabelMatcher& m) {
  if (m.type() == MatchType::kNotEqual) return index.PostingsFor(m.name(), m.value());
  return index.PostingsWhere(m.name(), [&](std::string_view v) { return !m.Matches(v); });
}

}  // namespace

Postings PostingsForMatchers(IndexReader& index, const Matchers& matchers) {
  if (matchers.empty()) return index.AllPostings();
  std::vector<const LabelMatcher*> positive, negative;
  for (const auto& m : matchers) {
    (m.MatchesEmpty() ? negative : positive).push_back(&m);
  }
  // Cheapest first: equality lookups before regex scans over all values.
  std::stable_sort(positive.begin(), positive.end(), [](const LabelMatcher* a, const LabelMatcher* b) {
    return a->type() == MatchType::kEqual && b->type() != MatchType::kEqual;
  });
  Postings result;
  bool have = false;
  for (const LabelMatcher* m : positive) {
    Postings p = PostingsForMatcher(index, *m);
    result = have ? Intersect(result, p) : std::move(p);
    have = true;
    if (result.empty()) return result;
  }
  if (!have) {
    if (negative.empty()) return {};
    result = index.AllPostings();
  }
  for (const LabelMatcher* m : negative) {
    // `x=""` style matchers that match only the empty string exclude every series with the label.
    result = Subtract(result, ExcludedBy(index, *m));
    if (result.empty()) break;
  }
  return result;
}

}  // namespace vigil
