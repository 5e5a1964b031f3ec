// Fuzzes the le-label parser and the classic-histogram quantile with hostile input.
// Input: lines of "<le> <count>"; the first line's `le` field doubles as the quantile.
// Checks: nothing crashes, a parsed finite bound survives a %.17g round trip, and the
// quantile result is NaN, ±Inf, or lies within [lowest finite bound, highest finite bound]
// or [0, …] when every count is non-negative and finite.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/go_float.h"
#include "query/promql/functions/histogram_quantile.h"

using vigil::promql::Bucket;
using vigil::promql::BucketQuantile;
using vigil::ParseGoFloat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<Bucket> buckets;
  double q = 0.5;
  bool first = true;
  while (!in.empty()) {
    const size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    const size_t sp = line.find(' ');
    std::string_view le = line.substr(0, sp);
    std::string_view count = sp == std::string_view::npos ? "" : line.substr(sp + 1);
    double bound, c = 0;
    if (!ParseGoFloat(le, &bound)) continue;
    if (std::isfinite(bound)) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", bound);
      double again;
      if (!ParseGoFloat(buf, &again) || again != bound) std::abort();
    }
    if (first) {
      q = bound;
      first = false;
    }
    ParseGoFloat(count, &c);
    buckets.push_back({bound, c});
  }
  bool sane = true;
  double lo = INFINITY, hi = -INFINITY;
  for (const Bucket& b : buckets) {
    if (!std::isfinite(b.count) || b.count < 0 || std::isnan(b.upper_bound)) sane = false;
    if (std::isfinite(b.upper_bound)) {
      lo = std::fmin(lo, b.upper_bound);
      hi = std::fmax(hi, b.upper_bound);
    }
  }
  const double r = BucketQuantile(q, &buckets);
  if (sane && std::isfinite(r) && q >= 0 && q <= 1) {
    if (r > hi || r < std::fmin(lo, 0.0)) std::abort();
  }
  return 0;
}
