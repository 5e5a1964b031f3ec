// histogram_quantile over classic (le-labelled) buckets, as Prometheus 2.42 computes it.
//
// Contract: BucketQuantile(q, buckets)
//  * q NaN -> NaN; q < 0 -> -Inf; q > 1 -> +Inf (before the buckets are looked at);
//  * sorts *buckets by upper bound (in place; NaN bounds sort first), then: NaN unless the
//    highest bound is +Inf; buckets with equal bounds are merged (counts added); counts are
//    forced monotonic (each count raised to the running maximum, so a lower bucket can
//    never hold more than a higher one); NaN when fewer than 2 buckets remain or the total
//    (the +Inf bucket) is 0;
//  * rank = q * total; the first bucket whose cumulative count >= rank holds the quantile.
//    If that is the +Inf bucket, the second-highest bound is returned. If it is the lowest
//    bucket and its bound is <= 0, that bound is returned. Otherwise the result is
//    interpolated linearly inside the bucket, the lowest bucket starting at 0.
// The caller owns *buckets (reuse it across groups to avoid allocation); its contents are
// clobbered (sorted and merged).
//
// ParseBucketBound: reads an `le` label value with Go's strconv.ParseFloat rules (what 2.42
// uses): decimal or hexadecimal (0x…p…) literals, optional sign, '_' digit separators,
// "Inf"/"Infinity"/"NaN" in any case (NaN without a sign). Values too large for a double are
// rejected (Go reports a range error); values too small round to 0. Returns false for
// anything else — the engine then ignores that series, as 2.42 does.
//
// Thread-safety: pure functions over caller-owned data.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::promql {

struct Bucket {
  double upper_bound;
  double count;
};

double BucketQuantile(double q, std::vector<Bucket>* buckets);

bool ParseBucketBound(std::string_view le, double* out);

}  // namespace vigil::promql
