#include "query/promql/functions/histogram_quantile.h"

#include "common/go_float.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "query/promql/functions/quantile.h"

namespace vigil::promql {
namespace {

// Merges buckets with equal upper bounds (the input is sorted); `le="0.2"` and
// `le="2e-1"` are the same bucket spelled differently.
void CoalesceBuckets(std::vector<Bucket>* buckets) {
  std::vector<Bucket>& b = *buckets;
  Bucket last = b[0];
  size_t out = 0;
  for (size_t i = 1; i < b.size(); ++i) {
    if (b[i].upper_bound == last.upper_bound) {
      last.count += b[i].count;
    } else {
      b[out++] = last;
      last = b[i];
    }
  }
  b[out++] = last;
  b.resize(out);
}

// Bucket counts must not decrease with the bound, but they can when buckets of one
// histogram were scraped or federated non-atomically (and rate() amplifies that).
// Raising each count to the running maximum restores monotonicity, which the search
// below depends on.
void EnsureMonotonic(std::vector<Bucket>* buckets) {
  std::vector<Bucket>& b = *buckets;
  double max = b[0].count;
  for (size_t i = 1; i < b.size(); ++i) {
    if (b[i].count > max) {
      max = b[i].count;
    } else if (b[i].count < max) {
      b[i].count = max;
    }
  }
}

}  // namespace

double BucketQuantile(double q, std::vector<Bucket>* buckets) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  if (buckets->empty()) return kNaN;

  std::sort(buckets->begin(), buckets->end(), [](const Bucket& a, const Bucket& b) {
    return NaNFirstLess(a.upper_bound, b.upper_bound);
  });
  if (buckets->back().upper_bound != std::numeric_limits<double>::infinity()) return kNaN;

  CoalesceBuckets(buckets);
  EnsureMonotonic(buckets);

  const std::vector<Bucket>& b = *buckets;
  if (b.size() < 2) return kNaN;
  const double observations = b.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;

  // First bucket among all but the +Inf one whose cumulative count reaches the rank
  // (binary search, like sort.Search: the counts are monotonic by now).
  size_t lo = 0;
  size_t hi = b.size() - 1;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (!(b[mid].count >= rank)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  const size_t idx = lo;

  if (idx == b.size() - 1) return b[b.size() - 2].upper_bound;
  if (idx == 0 && b[0].upper_bound <= 0) return b[0].upper_bound;

  double bucket_start = 0;
  const double bucket_end = b[idx].upper_bound;
  double count = b[idx].count;
  if (idx > 0) {
    bucket_start = b[idx - 1].upper_bound;
    count -= b[idx - 1].count;
    rank -= b[idx - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

bool ParseBucketBound(std::string_view le, double* out) { return vigil::ParseGoFloat(le, out); }

}  // namespace vigil::promql
