#include "storage/metrics_querier.h"

namespace vigil {

// Sets without random access never have these called: callers check Size() first.
const Labels& SeriesSet::LabelsAt(size_t) const {
  static const Labels kNone;
  return kNone;
}

absl::Status SeriesSet::SamplesAt(size_t, std::vector<Sample>*) const {
  return absl::UnimplementedError("this series set supports only sequential reads");
}

}  // namespace vigil
