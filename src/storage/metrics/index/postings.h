// Postings: sorted lists of series ids, and the set operations that resolve label matchers
// into the series that satisfy them. Shared by the head (64-bit series refs) and blocks.
//
// `PostingsForMatchers` works over any `IndexReader` (head or block), the way Prometheus
// resolves a selector: intersect the postings of matchers that need the label, subtract
// the series excluded by matchers that also match an absent label.
//
// Thread-safety: free functions over values; IndexReader implementations state their own.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/matcher.h"

namespace vigil {

using Postings = std::vector<uint64_t>;

Postings Intersect(std::span<const uint64_t> a, std::span<const uint64_t> b);
// Union of many sorted lists (k-way merge, duplicates removed).
Postings Merge(std::vector<Postings> lists);
// Elements of a not in b.
Postings Subtract(std::span<const uint64_t> a, std::span<const uint64_t> b);

// What resolving matchers needs from an index.
class IndexReader {
 public:
  virtual ~IndexReader() = default;
  virtual Postings AllPostings() = 0;
  // Sorted postings of series with name=value (empty if none).
  virtual Postings PostingsFor(std::string_view name, std::string_view value) = 0;
  // Sorted union of postings of name=v for every v in values.
  virtual Postings PostingsForValues(std::string_view name, std::span<const std::string> values);
  // All values the label takes in this index, sorted.
  virtual std::vector<std::string> ValuesOf(std::string_view name) = 0;
  // Sorted union of the postings of name=v for every value v that `accept`s. The default
  // goes through ValuesOf; an index that can scan its values in place overrides it.
  virtual Postings PostingsWhere(std::string_view name,
                                 const std::function<bool(std::string_view)>& accept);
};

// Series ids matching all matchers; an empty list selects every series. (The API refuses
// selectors that Prometheus refuses, such as ones matching only empty values.)
Postings PostingsForMatchers(IndexReader& index, const Matchers& matchers);

}  // namespace vigil
