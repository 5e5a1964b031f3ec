// The order in which a head cut writes its rows: by retention rule, then time window (one
// segment each), then stream (by label rank), then timestamp, with equal timestamps of a
// stream kept in arrival order.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <vector>

namespace vigil::logs {

struct CutRef {
  uint32_t rule;
  int64_t window;
  uint32_t rank;  // of the row's stream among the cut's streams, by labels
  int64_t ts;
  uint32_t block;  // (block, row): where the row sits in the head, in arrival order
  uint32_t row;
};

// Sorts `refs`, given in arrival order, into cut order. Rows arrive mostly in time order
// within each stream, so this buckets them by (rule, window, rank) in one stable counting
// pass and sorts only the buckets that are out of time order; when the buckets would
// outnumber the rows by far (rows spread over many windows) it falls back to a comparison
// sort with the same result.
void SortCutRefs(std::vector<CutRef>* refs);

}  // namespace vigil::logs
