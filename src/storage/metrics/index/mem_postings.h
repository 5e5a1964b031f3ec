// The head's inverted index: label name -> value -> sorted series refs, plus the list of
// all series. Updated when series are created or garbage-collected, read by every query.
//
// Thread-safety: all methods are safe to call concurrently (a reader-writer lock; writes are
// rare compared to reads: one per new series).
#pragma once

#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/labels.h"
#include "storage/metrics/index/postings.h"

namespace vigil {

class MemPostings {
 public:
  void Add(uint64_t ref, const Labels& labels);
  // Removes the refs from every list (series dropped by head garbage collection).
  void Delete(const absl::flat_hash_set<uint64_t>& refs, const std::vector<Labels>& labels);

  Postings All() const;
  Postings Get(std::string_view name, std::string_view value) const;
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  struct PairCount {
    std::string name;
    std::string value;
    size_t count;
  };
  // Visits every (name, value, series count), for cardinality statistics.
  std::vector<PairCount> AllPairCounts() const;

 private:
  static void InsertSorted(Postings* list, uint64_t ref);

  mutable std::shared_mutex mu_;
  using Values = absl::flat_hash_map<std::string, Postings>;
  absl::flat_hash_map<std::string, Values> index_;
  Postings all_;
};

}  // namespace vigil
