#include "storage/metrics/index/mem_postings.h"

#include <algorithm>
#include <mutex>

#include "common/strings.h"

namespace vigil {

void MemPostings::InsertSorted(Postings* list, uint64_t ref) {
  // Refs are handed out in increasing order, so this is an append except when two series
  // are created concurrently and insert out of order.
  if (list->empty() || list->back() < ref) {
    list->push_back(ref);
    return;
  }
  auto it = std::lower_bound(list->begin(), list->end(), ref);
  if (it == list->end() || *it != ref) list->insert(it, ref);
}

void MemPostings::Add(uint64_t ref, const Labels& labels) {
  std::unique_lock lock(mu_);
  for (const auto& l : labels) InsertSorted(&index_[ToAbsl(l.name)][ToAbsl(l.value)], ref);
  InsertSorted(&all_, ref);
}

void MemPostings::Delete(const absl::flat_hash_set<uint64_t>& refs,
                         const std::vector<Labels>& labels) {
  std::unique_lock lock(mu_);
  auto drop = [&](Postings* p) {
    p->erase(std::remove_if(p->begin(), p->end(), [&](uint64_t r) { return refs.contains(r); }),
             p->end());
  };
  for (const Labels& ls : labels) {
    for (const auto& l : ls) {
      auto n = index_.find(ToAbsl(l.name));
      if (n == index_.end()) continue;
      auto v = n->second.find(ToAbsl(l.value));
      if (v == n->second.end()) continue;
      drop(&v->second);
      if (v->second.empty()) n->second.erase(v);
      if (n->second.empty()) index_.erase(n);
    }
  }
  drop(&all_);
}

Postings MemPostings::All() const {
  std::shared_lock lock(mu_);
  return all_;
}

Postings MemPostings::Get(std::string_view name, std::string_view value) const {
  std::shared_lock lock(mu_);
  auto n = index_.find(absl::string_view(name.data(), name.size()));
  if (n == index_.end()) return {};
  auto v = n->second.find(absl::string_view(value.data(), value.size()));
  if (v == n->second.end()) return {};
  return v->second;
}

std::vector<std::string> MemPostings::LabelNames() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(index_.size());
  for (const auto& [name, values] : index_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MemPostings::LabelValues(std::string_view name) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  auto n = index_.find(absl::string_view(name.data(), name.size()));
  if (n == index_.end()) return out;
  out.reserve(n->second.size());
  for (const auto& [value, list] : n->second) out.push_back(value);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<MemPostings::PairCount> MemPostings::AllPairCounts() const {
  std::shared_lock lock(mu_);
  std::vector<PairCount> out;
  for (const auto& [name, values] : index_) {
    for (const auto& [value, list] : values) out.push_back({name, value, list.size()});
  }
  return out;
}

}  // namespace vigil
