// Read access to the head for queries: the IndexReader over its postings, and copying a
// series' samples in a range out under the series lock.
//
// Thread-safety: safe concurrently with appends; a query sees each series as of the moment
// it copies it.
#pragma once

#include "storage/metrics/head/head.h"
#include "storage/metrics/index/postings.h"

namespace vigil {

class HeadIndex final : public IndexReader {
 public:
  explicit HeadIndex(const Head& head) : head_(head) {}
  Postings AllPostings() override { return head_.postings().All(); }
  Postings PostingsFor(std::string_view name, std::string_view value) override {
    return head_.postings().Get(name, value);
  }
  std::vector<std::string> ValuesOf(std::string_view name) override {
    return head_.postings().LabelValues(name);
  }

 private:
  const Head& head_;
};

}  // namespace vigil
