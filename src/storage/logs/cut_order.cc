#include "storage/logs/cut_order.h"

#include <algorithm>
#include <tuple>

namespace vigil::logs {
namespace {

bool ByCutOrder(const CutRef& a, const CutRef& b) {
  return std::tie(a.rule, a.window, a.rank, a.ts, a.block, a.row) <
         std::tie(b.rule, b.window, b.rank, b.ts, b.block, b.row);
}

}  // namespace

void SortCutRefs(std::vector<CutRef>* refs) {
  const size_t n = refs->size();
  if (n < 2) return;
  uint32_t max_rule = 0, max_rank = 0;
  int64_t min_window = INT64_MAX, max_window = INT64_MIN;
  for (const CutRef& r : *refs) {
    max_rule = std::max(max_rule, r.rule);
    max_rank = std::max(max_rank, r.rank);
    min_window = std::min(min_window, r.window);
    max_window = std::max(max_window, r.window);
  }
  // Bucket (rule, window, rank) -> dense index in that order; bounded so the counts stay
  // small next to the rows themselves. Window offsets are taken modulo 2^64: windows of any
  // two timestamps, however far apart, give an offset and never a signed overflow.
  auto offset = [min_window](int64_t w) {
    return static_cast<uint64_t>(w) - static_cast<uint64_t>(min_window);
  };
  const uint64_t span = offset(max_window);  // the windows less one: all 2^64 of them fit
  const uint64_t ranks = uint64_t{max_rank} + 1;
  const uint64_t limit = 2 * uint64_t{n} + 4096;
  if (span >= limit || ranks > limit || (uint64_t{max_rule} + 1) * (span + 1) > limit / ranks) {
    std::sort(refs->begin(), refs->end(), ByCutOrder);
    return;
  }
  const uint64_t windows = span + 1;
  auto bucket = [&](const CutRef& r) {
    return (uint64_t{r.rule} * windows + offset(r.window)) * ranks + r.rank;
  };
  std::vector<uint32_t> start((uint64_t{max_rule} + 1) * windows * ranks + 1, 0);
  for (const CutRef& r : *refs) ++start[bucket(r) + 1];
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  std::vector<CutRef> out(n);
  std::vector<uint32_t> next(start.begin(), start.end() - 1);
  // Stable: within a bucket rows keep arrival order, which (block, row) also encodes.
  for (const CutRef& r : *refs) out[next[bucket(r)]++] = r;
  auto by_time = [](const CutRef& a, const CutRef& b) { return a.ts < b.ts; };
  for (size_t b = 0; b + 1 < start.size(); ++b) {
    auto first = out.begin() + start[b], last = out.begin() + start[b + 1];
    if (last - first > 1 && !std::is_sorted(first, last, by_time)) {
      std::stable_sort(first, last, by_time);
    }
  }
  refs->swap(out);
}

}  // namespace vigil::logs
